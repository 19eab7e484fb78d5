/**
 * The citizen answers the satisfaction survey. One answer per attention is
 * held by the database (unique key); the invitation must exist in this town
 * hall and not have expired.
 */
import { sql } from 'drizzle-orm';
import type { Language } from '../../../shared/domain.js';
import type { AttentionDeps } from '../attention/attention-context.js';
import { sha256 } from '../booking/secrets.js';
import { findSurveyInvitation, isSurveyToken } from './survey-invitations.js';
import type { SurveyAnswers } from './survey-questions.js';

export type SubmitSurveyResult = { ok: true } | { ok: false; reason: 'unknown' | 'expired' | 'answered' };

export async function submitSurvey(
  deps: AttentionDeps,
  o: { tenantId: string; token: string; answers: SurveyAnswers; language: Language },
): Promise<SubmitSurveyResult> {
  if (!isSurveyToken(o.token)) return { ok: false, reason: 'unknown' };
  const a = o.answers;
  const inserted = await deps.database.rows<{ id: string }>(sql`
    INSERT INTO survey_responses (tenant_id, attention_id, liked, easy, again, comment, language)
    SELECT i.tenant_id, i.attention_id, ${a.liked}, ${a.easy}, ${a.again}, ${a.comment}, ${o.language}
      FROM survey_invitations i
     WHERE i.tenant_id = ${o.tenantId} AND i.token_hash = ${sha256(o.token)} AND i.expires_at > now()
    ON CONFLICT (attention_id) DO NOTHING
    RETURNING id`);
  if (inserted.length) return { ok: true };
  const inv = await findSurveyInvitation(deps, o.tenantId, o.token);
  if (!inv) return { ok: false, reason: 'unknown' };
  return { ok: false, reason: inv.answered ? 'answered' : 'expired' };
}
