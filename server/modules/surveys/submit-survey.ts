/**
 * The citizen answers the satisfaction survey. The answers are checked
 * against the questions their town hall asks; one answer per attention is
 * held by the database (unique key); the invitation must exist in this town
 * hall and not have expired. Default questions go to their columns (null
 * when not asked), the town hall's own to `answers`; the database counts
 * them into the indicators as the row arrives.
 */
import { sql } from 'drizzle-orm';
import type { Language } from '../../../shared/domain.js';
import type { AttentionDeps } from '../attention/attention-context.js';
import { sha256 } from '../booking/secrets.js';
import { checkSurveyAnswers, type AnswerProblem } from './survey-answers.js';
import { findSurveyInvitation, isSurveyToken } from './survey-invitations.js';
import type { SurveyQuestion } from './survey-questions.js';

export type SubmitSurveyResult =
  | { ok: true }
  | { ok: false; reason: 'unknown' | 'expired' | 'answered' }
  | { ok: false; reason: 'invalid'; problems: AnswerProblem[] };

export async function submitSurvey(
  deps: AttentionDeps,
  o: { tenantId: string; token: string; questions: readonly SurveyQuestion[]; input: Record<string, unknown>; language: Language },
): Promise<SubmitSurveyResult> {
  if (!isSurveyToken(o.token)) return { ok: false, reason: 'unknown' };
  const checked = checkSurveyAnswers(o.questions, o.input);
  if (!checked.ok) return { ok: false, reason: 'invalid', problems: checked.problems };
  const a = checked.answers;
  const inserted = await deps.database.rows<{ id: string }>(sql`
    INSERT INTO survey_responses (tenant_id, attention_id, liked, easy, again, comment, answers, language)
    SELECT i.tenant_id, i.attention_id, ${a.liked}::smallint, ${a.easy}::smallint, ${a.again}::boolean, ${a.comment}, ${JSON.stringify(a.answers)}::jsonb, ${o.language}
      FROM survey_invitations i
     WHERE i.tenant_id = ${o.tenantId} AND i.token_hash = ${sha256(o.token)} AND i.expires_at > now()
    ON CONFLICT (attention_id) DO NOTHING
    RETURNING id`);
  if (inserted.length) return { ok: true };
  const inv = await findSurveyInvitation(deps, o.tenantId, o.token);
  if (!inv) return { ok: false, reason: 'unknown' };
  return { ok: false, reason: inv.answered ? 'answered' : 'expired' };
}
