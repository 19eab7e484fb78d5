/**
 * The citizen's answer to "may we record this call?". A yes opens a recording
 * (its time and the exact text shown are kept); without that row no chunk is
 * accepted. A no is not stored as a recording: nothing is recorded.
 */
import { sql } from 'drizzle-orm';
import { AppError } from '../../../shared/errors.js';
import type { AttentionDeps } from '../attention/attention-context.js';

export async function recordConsent(
  deps: AttentionDeps,
  o: { tenantId: string; attentionId: string; text: string },
): Promise<{ recordingId: string; consentAt: Date }> {
  const rows = await deps.database.rows<{ id: string; consent_at: Date | string }>(sql`
    INSERT INTO recordings (tenant_id, attention_id, consent_at, consent_text)
    SELECT a.tenant_id, a.id, now(), ${o.text} FROM attentions a
     WHERE a.tenant_id = ${o.tenantId} AND a.id = ${o.attentionId} AND a.status = 'in_progress'
    RETURNING id, consent_at`);
  if (!rows[0]) throw new AppError('attention_not_active');
  return { recordingId: rows[0].id, consentAt: new Date(rows[0].consent_at) };
}
