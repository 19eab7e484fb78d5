/**
 * The agent records how each call to a phone or call-back citizen went.
 * `answered` starts the talk time; a failed attempt (no answer, busy, wrong
 * number) is counted, and after the town hall's `maxCallAttempts` failures —
 * at once for a wrong number — the attention ends `not_reached`: the agent is
 * available again and the citizen is emailed how to ask again. Everything,
 * the email job included (outbox), is written in one transaction. Each attempt
 * is kept in `call_attempts` under the staff member who made the call.
 *
 * The appointment of a request that was not reached becomes `cancelled`
 * (cancelled_at = now, sequence + 1), cancelled by the town hall:
 * - not `no_show`: the citizen may not be at fault (a busy line, a mistyped
 *   number), and a no-show may count against them;
 * - not `attended`: nobody was attended, and the attended figures would lie;
 * - not left `booked`: it would keep holding the agent (the no-double-booking
 *   constraint covers booked appointments) and stay "active" for the citizen's
 *   manage link and the agenda, with nothing left to happen.
 * The appointment statuses say whether a booking still holds time; what
 * happened is on the attention, so the indicators count "not reached" from
 * attentions (status `not_reached`, with their call attempts), and tell a
 * cancellation by the citizen from this one by that attention.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import { CALL_OUTCOMES, type CallOutcome } from '../../db/schema.js';
import { notifyEvent } from '../../db/events.js';
import type { Staff } from '../staff/staff.repository.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import type { AttentionDeps } from './attention-context.js';
import { liveSettings } from './live-settings.js';

export const callAttemptInput = z.object({ outcome: z.enum(CALL_OUTCOMES) });
export type CallAttemptInput = z.infer<typeof callAttemptInput>;

/** What one attempt does: failures counted so far, whether the talk starts, whether to give up. */
export function callAttemptEffect(o: { outcome: CallOutcome; failuresBefore: number; maxCallAttempts: number }): {
  attempts: number;
  connect: boolean;
  giveUp: boolean;
} {
  if (o.outcome === 'answered') return { attempts: o.failuresBefore, connect: true, giveUp: false };
  const attempts = o.failuresBefore + 1;
  const max = Math.max(1, Math.floor(o.maxCallAttempts) || 1);
  return { attempts, connect: false, giveUp: o.outcome === 'wrong_number' || attempts >= max };
}

export type CallAttemptResult = { attempts: number; status: 'in_progress' | 'not_reached'; emailQueued: boolean };

type Locked = { id: string; channel: string; status: string; agent_id: string | null; appointment_id: string | null; attempts: number };

/**
 * Records an attempt on an attention in course, taken by `agent` (a supervisor
 * or admin may record on anyone's). 404 for an unknown attention (another town
 * hall's included), 422 for a video attention, 409 when it is not in course.
 */
export async function recordCallAttempt(
  deps: AttentionDeps & { jobMaxAttempts: number },
  o: { tenant: Tenant; agent: Staff; attentionId: string; input: CallAttemptInput },
): Promise<CallAttemptResult> {
  const tenantId = o.tenant.id;
  return deps.database.db.transaction(async (tx) => {
    const q = async <T = Record<string, unknown>>(query: SQL) => ((await tx.execute(query)) as unknown as { rows: T[] }).rows;
    const [att] = await q<Locked>(sql`
      SELECT id, channel, status, agent_id, appointment_id, attempts FROM attentions
       WHERE tenant_id = ${tenantId} AND id = ${o.attentionId} FOR UPDATE`);
    if (!att) throw new AppError('attention_not_found');
    if (att.channel !== 'phone' && att.channel !== 'callback') throw new AppError('channel_not_offered');
    if (att.status !== 'in_progress' || (o.agent.role === 'agent' && att.agent_id !== o.agent.id)) throw new AppError('attention_not_active');

    const effect = callAttemptEffect({ outcome: o.input.outcome, failuresBefore: att.attempts, maxCallAttempts: liveSettings(o.tenant).maxCallAttempts });
    await q(sql`
      INSERT INTO call_attempts (tenant_id, attention_id, agent_id, outcome) VALUES (${tenantId}, ${att.id}, ${o.agent.id}, ${o.input.outcome})`);

    if (effect.connect) {
      await q(sql`UPDATE attentions SET connected_at = COALESCE(connected_at, now()) WHERE id = ${att.id}`);
      return { attempts: effect.attempts, status: 'in_progress', emailQueued: false };
    }
    if (!effect.giveUp) {
      await q(sql`UPDATE attentions SET attempts = ${effect.attempts} WHERE id = ${att.id}`);
      // The console shows the attempts of each row.
      await q(notifyEvent({ type: 'queue.changed', tenantId }));
      return { attempts: effect.attempts, status: 'in_progress', emailQueued: false };
    }

    await q(sql`
      UPDATE attentions SET attempts = ${effect.attempts}, status = 'not_reached', ended_at = COALESCE(ended_at, now()), closed_at = now()
       WHERE id = ${att.id}`);
    if (att.appointment_id) {
      const cancelled = await q(sql`
        UPDATE appointments SET status = 'cancelled', cancelled_at = now(), sequence = sequence + 1
         WHERE tenant_id = ${tenantId} AND id = ${att.appointment_id} AND status = 'booked' RETURNING id`);
      if (cancelled.length) {
        await q(notifyEvent({ type: 'appointment.changed', tenantId, appointmentId: att.appointment_id, change: 'cancelled' }));
      }
    }
    const payload = { template: 'not_reached', attentionId: att.id, attempts: effect.attempts, wrongNumber: o.input.outcome === 'wrong_number' };
    const jobs = await q(sql`
      INSERT INTO jobs (tenant_id, type, payload, max_attempts)
      SELECT a.tenant_id, 'email', ${JSON.stringify(payload)}::jsonb, ${deps.jobMaxAttempts}
        FROM attentions a LEFT JOIN appointments ap ON ap.id = a.appointment_id AND ap.tenant_id = a.tenant_id
       WHERE a.id = ${att.id} AND COALESCE(a.email, ap.email) IS NOT NULL
      RETURNING id`);
    await q(notifyEvent({ type: 'queue.changed', tenantId }));
    await q(notifyEvent({ type: 'attention.changed', tenantId, attentionId: att.id, status: 'not_reached' }));
    if (att.agent_id) {
      const freed = await q(sql`
        UPDATE agent_presence SET state = 'available', since = now()
         WHERE staff_id = ${att.agent_id} AND tenant_id = ${tenantId} AND state = 'busy' RETURNING staff_id`);
      if (freed.length) await q(notifyEvent({ type: 'presence.changed', tenantId, staffId: att.agent_id, state: 'available' }));
    }
    return { attempts: effect.attempts, status: 'not_reached', emailQueued: jobs.length > 0 };
  });
}
