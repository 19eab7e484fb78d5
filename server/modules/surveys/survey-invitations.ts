/**
 * Links to the satisfaction survey. One is created when an attention closes
 * (emailed, in the same transaction as the close) and one when the citizen
 * first follows the link on the call's end screen with their room pass (the
 * same link on later visits). Only the SHA-256 of a token is stored; a link
 * works for `SURVEY_LINK_DAYS`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { AttentionDeps } from '../attention/attention-context.js';
import { findPass } from '../attention/room-passes.js';
import { sha256 } from '../booking/secrets.js';

export const SURVEY_LINK_DAYS = 14;

/** The database or a transaction of it, so that an invitation is written with the close it belongs to. */
type Executor = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

const TOKEN = /^[A-Za-z0-9_-]{40,60}$/;

export function isSurveyToken(token: string): boolean {
  return TOKEN.test(token);
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

async function rows<T>(ex: Executor, query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await ex.execute(query)) as unknown as { rows: T[] }).rows;
}

/**
 * After a close: when the citizen has an email address (the queue entry's or
 * the appointment's) and has not answered yet, one statement writes the
 * invitation and the `survey` email job (the job carries the token until the
 * email is sent). Returns whether an email was queued.
 */
export async function inviteToSurveyByEmail(ex: Executor, o: { tenantId: string; attentionId: string; jobMaxAttempts: number }): Promise<boolean> {
  const token = newToken();
  const payload = JSON.stringify({ template: 'survey', attentionId: o.attentionId, surveyToken: token });
  const queued = await rows<{ id: string }>(
    ex,
    sql`
    WITH inv AS (
      INSERT INTO survey_invitations (token_hash, tenant_id, attention_id, expires_at)
      SELECT ${sha256(token)}, a.tenant_id, a.id, now() + make_interval(days => ${SURVEY_LINK_DAYS})
        FROM attentions a LEFT JOIN appointments ap ON ap.id = a.appointment_id AND ap.tenant_id = a.tenant_id
       WHERE a.tenant_id = ${o.tenantId} AND a.id = ${o.attentionId} AND COALESCE(a.email, ap.email) IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM survey_responses r WHERE r.attention_id = a.id)
      RETURNING tenant_id)
    INSERT INTO jobs (tenant_id, type, payload, max_attempts)
    SELECT tenant_id, 'email', ${payload}::jsonb, ${o.jobMaxAttempts} FROM inv
    RETURNING id`,
  );
  return queued.length > 0;
}

export type SurveyInvitation = { attentionId: string; language: string; expired: boolean; answered: boolean };

/** The invitation behind a token in this tenant (expired ones too, so the page can say so). */
export async function findSurveyInvitation(deps: AttentionDeps, tenantId: string, token: string): Promise<SurveyInvitation | undefined> {
  if (!isSurveyToken(token)) return undefined;
  const [row] = await deps.database.rows<{ attention_id: string; language: string; expired: boolean; answered: boolean }>(sql`
    SELECT i.attention_id, a.language, i.expires_at <= now() AS expired,
           EXISTS (SELECT 1 FROM survey_responses r WHERE r.attention_id = i.attention_id) AS answered
      FROM survey_invitations i JOIN attentions a ON a.id = i.attention_id AND a.tenant_id = i.tenant_id
     WHERE i.tenant_id = ${tenantId} AND i.token_hash = ${sha256(token)}`);
  return row && { attentionId: row.attention_id, language: row.language, expired: row.expired, answered: row.answered };
}

/**
 * The survey token of a room pass for one attention: an HMAC keyed by the
 * pass's own token, so every visit with that pass finds the same invitation,
 * and the token cannot be worked out from what the database keeps (hashes of
 * both tokens).
 */
export function roomSurveyToken(roomToken: string, tenantId: string, attentionId: string): string {
  return createHmac('sha256', roomToken).update(`finestreta-survey-room\0${tenantId}\0${attentionId}`).digest('base64url');
}

/**
 * From the call's end screen: the citizen's own room pass (never a guest's)
 * of an attention whose call has ended gets its survey link, written on the
 * first visit and the same one afterwards (never a new row per visit).
 * Undefined when the pass is unknown, expired, not the citizen's, or the call
 * is not over.
 */
export async function inviteToSurveyFromRoom(deps: AttentionDeps, tenantId: string, roomToken: string): Promise<string | undefined> {
  const pass = await findPass(deps, tenantId, roomToken);
  if (!pass || pass.role !== 'citizen') return undefined;
  const [attention] = await deps.database.rows<{ id: string }>(sql`
    SELECT a.id FROM attentions a
     WHERE a.tenant_id = ${tenantId}
       AND (a.id = ${pass.attentionId} OR (${pass.appointmentId}::uuid IS NOT NULL AND a.appointment_id = ${pass.appointmentId}::uuid))
       AND (a.status = 'closed' OR (a.status = 'in_progress' AND a.ended_at IS NOT NULL))
     ORDER BY a.ended_at DESC NULLS LAST, a.id
     LIMIT 1`);
  if (!attention) return undefined;
  const token = roomSurveyToken(roomToken, tenantId, attention.id);
  await deps.database.rows(sql`
    INSERT INTO survey_invitations (token_hash, tenant_id, attention_id, expires_at)
    VALUES (${sha256(token)}, ${tenantId}, ${attention.id}, now() + make_interval(days => ${SURVEY_LINK_DAYS}))
    ON CONFLICT (token_hash) DO NOTHING`);
  return token;
}
