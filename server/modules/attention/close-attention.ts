/**
 * The end of an attention, on any channel: the call ends (talk time), media
 * connects (talk starts), and the agent closes it with a consultation type, an
 * outcome and notes; the agent becomes available again and a booked
 * appointment counts as attended.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import { ATTENTION_OUTCOMES } from '../../db/schema.js';
import { notifyEvent } from '../../db/events.js';
import type { Staff } from '../staff/staff.repository.js';
import { inviteToSurveyByEmail } from '../surveys/survey-invitations.js';
import type { AttentionDeps } from './attention-context.js';
import type { AttentionRow } from './attention.repository.js';

export const closeAttentionInput = z.object({
  typology: z.uuid(),
  outcome: z.enum(ATTENTION_OUTCOMES),
  notes: z.string().trim().max(4000).optional(),
});
export type CloseAttentionInput = z.infer<typeof closeAttentionInput>;

/** Staff who may act on an attention: the agent who took it, or a supervisor/admin of the town hall. */
function actorClause(agent: Staff) {
  return agent.role === 'agent' ? sql`AND agent_id = ${agent.id}` : sql``;
}

/** Media connected (or the phone answered): talk time starts, once. */
export async function markConnected(deps: AttentionDeps, o: { tenantId: string; attentionId: string }): Promise<void> {
  await deps.database.rows(sql`
    UPDATE attentions SET connected_at = now()
     WHERE tenant_id = ${o.tenantId} AND id = ${o.attentionId} AND status = 'in_progress' AND connected_at IS NULL`);
}

/** The call ends (the attention stays open for the closing form). */
export async function endCall(deps: AttentionDeps, o: { tenantId: string; agent: Staff; attentionId: string }): Promise<void> {
  const rows = await deps.database.rows(sql`
    UPDATE attentions SET ended_at = COALESCE(ended_at, now())
     WHERE tenant_id = ${o.tenantId} AND id = ${o.attentionId} AND status = 'in_progress' ${actorClause(o.agent)} RETURNING id`);
  if (rows.length === 0) throw new AppError('attention_not_active');
}

export async function closeAttention(
  deps: AttentionDeps & { jobMaxAttempts?: number },
  o: { tenantId: string; agent: Staff; attentionId: string; input: CloseAttentionInput },
): Promise<AttentionRow> {
  return deps.database.db.transaction(async (tx) => {
    const typology = (await tx.execute(sql`
      SELECT id FROM typologies WHERE tenant_id = ${o.tenantId} AND id = ${o.input.typology} AND active`)) as unknown as { rows: unknown[] };
    if (typology.rows.length === 0) throw new AppError('typology_not_found');
    const res = (await tx.execute(sql`
      UPDATE attentions
         SET status = 'closed', closed_at = now(), ended_at = COALESCE(ended_at, now()),
             typology_id = ${o.input.typology}, outcome = ${o.input.outcome}, notes = ${o.input.notes || null}
       WHERE tenant_id = ${o.tenantId} AND id = ${o.attentionId} AND status = 'in_progress' ${actorClause(o.agent)}
       RETURNING *`)) as unknown as { rows: AttentionRow[] };
    const row = res.rows[0];
    if (!row) {
      // another town hall's attention (or none) is not found; one of ours is no longer in course (or not the agent's)
      const exists = (await tx.execute(sql`SELECT 1 FROM attentions WHERE tenant_id = ${o.tenantId} AND id = ${o.attentionId}`)) as unknown as { rows: unknown[] };
      throw new AppError(exists.rows.length ? 'attention_not_active' : 'attention_not_found');
    }
    if (row.appointment_id) {
      await tx.execute(sql`UPDATE appointments SET status = 'attended' WHERE tenant_id = ${o.tenantId} AND id = ${row.appointment_id} AND status = 'booked'`);
    }
    // the satisfaction survey, emailed (outbox) with the close it follows
    await inviteToSurveyByEmail(tx, { tenantId: o.tenantId, attentionId: row.id, jobMaxAttempts: deps.jobMaxAttempts ?? 8 });
    const agentId = row.agent_id!;
    await tx.execute(sql`
      UPDATE agent_presence SET state = 'available', since = now() WHERE staff_id = ${agentId} AND tenant_id = ${o.tenantId} AND state = 'busy'`);
    await tx.execute(notifyEvent({ type: 'queue.changed', tenantId: o.tenantId }));
    await tx.execute(notifyEvent({ type: 'attention.changed', tenantId: o.tenantId, attentionId: row.id, status: 'closed' }));
    await tx.execute(notifyEvent({ type: 'presence.changed', tenantId: o.tenantId, staffId: agentId, state: 'available' }));
    return row;
  });
}
