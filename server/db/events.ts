/**
 * Events every process hears, carried by PostgreSQL NOTIFY on one channel.
 * They are sent from inside the statement that makes the change, so they
 * exist only if it commits. No personal data: ids and what happened.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';

export const EVENTS_CHANNEL = 'finestreta_events';

export const busEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('appointment.changed'),
    tenantId: z.uuid(),
    appointmentId: z.uuid(),
    change: z.enum(['booked', 'cancelled', 'moved', 'no_show']),
  }),
  /** Something in the tenant's live queue changed (arrival, take, close, leave): consoles and waiting citizens refresh. */
  z.object({ type: z.literal('queue.changed'), tenantId: z.uuid() }),
  /** An attention changed state; its room hears it (taken, closed, …). */
  z.object({
    type: z.literal('attention.changed'),
    tenantId: z.uuid(),
    attentionId: z.uuid(),
    status: z.enum(['waiting', 'in_progress', 'closed', 'no_show', 'not_reached', 'abandoned']),
  }),
  /** An agent opened a console (on some process): any process about to mark them offline lets it be. */
  z.object({ type: z.literal('console.opened'), tenantId: z.uuid(), staffId: z.uuid() }),
  /** An agent's presence changed. */
  z.object({
    type: z.literal('presence.changed'),
    tenantId: z.uuid(),
    staffId: z.uuid(),
    state: z.enum(['available', 'busy', 'pause', 'offline']),
  }),
]);

export type BusEvent = z.infer<typeof busEvent>;

/** A SQL expression that NOTIFYs an appointment change; `row` names the CTE with `id` and `tenant_id`. */
export function notifyAppointmentChanged(row: string, change: 'booked' | 'cancelled' | 'moved' | 'no_show'): SQL {
  if (!/^[a-z_]+$/.test(row)) throw new Error('bad row alias');
  return sql`pg_notify(${EVENTS_CHANNEL}, json_build_object('type', 'appointment.changed', 'tenantId', ${sql.raw(row)}.tenant_id, 'appointmentId', ${sql.raw(row)}.id, 'change', ${change}::text)::text)`;
}

/** A statement that NOTIFYs one event (delivered at commit, so only if the transaction commits). */
export function notifyEvent(event: BusEvent): SQL {
  return sql`SELECT pg_notify(${EVENTS_CHANNEL}, ${JSON.stringify(busEvent.parse(event))})`;
}
