/**
 * An agent takes the next citizen (in order of priority and arrival, among the
 * channels and procedures they attend) or a chosen one. The database makes it
 * safe across processes: the row is claimed with SKIP LOCKED, and an agent can
 * hold only one attention in course (a unique index), so two agents never get
 * the same citizen and an agent never gets two.
 */
import { sql } from 'drizzle-orm';
import { AppError } from '../../../shared/errors.js';
import { pgConstraint, pgErrorCode } from '../../db/client.js';
import { notifyEvent } from '../../db/events.js';
import type { Staff } from '../staff/staff.repository.js';
import type { AttentionDeps } from './attention-context.js';
import { QUEUE_ORDER, type AttentionRow } from './attention.repository.js';

/** Booked citizens of another agent become takeable this long after their start (their agent is late or away). */
const OTHERS_APPOINTMENT_GRACE_MINUTES = 5;

export async function takeAttention(deps: AttentionDeps, o: { tenantId: string; agent: Staff; attentionId?: string }): Promise<AttentionRow> {
  const me = o.agent.id;
  const procedures = `{${o.agent.procedureIds.join(',')}}`;
  const channels = `{${o.agent.channels.filter((c) => c !== 'in_person').join(',')}}`;
  try {
    return await deps.database.db.transaction(async (tx) => {
      const pick = o.attentionId
        ? sql`SELECT a.id FROM attentions a WHERE a.tenant_id = ${o.tenantId} AND a.id = ${o.attentionId} AND a.status = 'waiting' FOR UPDATE`
        : sql`SELECT a.id FROM attentions a LEFT JOIN appointments ap ON ap.id = a.appointment_id
               WHERE a.tenant_id = ${o.tenantId} AND a.status = 'waiting'
                 AND a.channel = ANY(${channels}::text[])
                 AND (cardinality(${procedures}::uuid[]) = 0 OR a.procedure_id = ANY(${procedures}::uuid[]))
                 AND (ap.agent_id IS NULL OR ap.agent_id = ${me}
                      OR ap.starts_at < now() - make_interval(mins => ${OTHERS_APPOINTMENT_GRACE_MINUTES}))
               ORDER BY ${QUEUE_ORDER} LIMIT 1 FOR UPDATE OF a SKIP LOCKED`;
      const res = (await tx.execute(sql`
        WITH pick AS (${pick})
        UPDATE attentions SET status = 'in_progress', agent_id = ${me}, taken_at = now()
          FROM pick WHERE attentions.id = pick.id
        RETURNING attentions.*`)) as unknown as { rows: AttentionRow[] };
      const row = res.rows[0];
      if (!row) {
        if (!o.attentionId) throw new AppError('queue_empty');
        const exists = (await tx.execute(sql`SELECT status FROM attentions WHERE tenant_id = ${o.tenantId} AND id = ${o.attentionId}`)) as unknown as { rows: unknown[] };
        throw new AppError(exists.rows.length ? 'attention_taken' : 'attention_not_found');
      }
      await tx.execute(sql`
        INSERT INTO agent_presence (staff_id, tenant_id, state, since) VALUES (${me}, ${o.tenantId}, 'busy', now())
        ON CONFLICT (staff_id) DO UPDATE SET state = 'busy', since = now()`);
      await tx.execute(notifyEvent({ type: 'queue.changed', tenantId: o.tenantId }));
      await tx.execute(notifyEvent({ type: 'attention.changed', tenantId: o.tenantId, attentionId: row.id, status: 'in_progress' }));
      await tx.execute(notifyEvent({ type: 'presence.changed', tenantId: o.tenantId, staffId: me, state: 'busy' }));
      return row;
    });
  } catch (e) {
    if (pgErrorCode(e) === '23505' && pgConstraint(e) === 'attentions_one_per_agent') throw new AppError('agent_busy');
    // PGlite reports the index in the message only
    if (pgErrorCode(e) === '23505') throw new AppError('agent_busy');
    throw e;
  }
}
