/**
 * The citizen's answer to "may we record this call?". A yes opens a recording
 * (its time and the exact text shown are kept); without that row no chunk is
 * accepted. A no is not stored as a recording: nothing is recorded. The yes is
 * a legal event: the audit entry (`recording_consent_given`, with the SHA-256
 * of the text shown and its language) is written in the same transaction.
 */
import { sql } from 'drizzle-orm';
import { AppError } from '../../../shared/errors.js';
import type { Language } from '../../../shared/domain.js';
import type { AttentionDeps } from '../attention/attention-context.js';
import { appendAudit } from '../audit/append-audit.js';
import { sha256 } from '../booking/secrets.js';

export async function recordConsent(
  deps: AttentionDeps,
  o: { tenantId: string; attentionId: string; text: string },
): Promise<{ recordingId: string; consentAt: Date }> {
  return deps.database.db.transaction(async (tx) => {
    const res = (await tx.execute(sql`
      WITH a AS (
        SELECT tenant_id, id, language FROM attentions
         WHERE tenant_id = ${o.tenantId} AND id = ${o.attentionId} AND status = 'in_progress'),
      ins AS (
        INSERT INTO recordings (tenant_id, attention_id, consent_at, consent_text)
        SELECT tenant_id, id, now(), ${o.text} FROM a
        RETURNING id, consent_at)
      SELECT ins.id, ins.consent_at, a.language FROM ins, a`)) as unknown as {
      rows: { id: string; consent_at: Date | string; language: Language }[];
    };
    const row = res.rows[0];
    if (!row) throw new AppError('attention_not_active');
    // the room shows the consent text in the attention's language
    await appendAudit(tx, {
      tenantId: o.tenantId,
      event: 'recording_consent_given',
      actor: { kind: 'citizen' },
      subjects: { attention: o.attentionId, recording: row.id },
      data: { consentTextSha256: sha256(o.text), language: row.language },
    });
    return { recordingId: row.id, consentAt: new Date(row.consent_at) };
  });
}
