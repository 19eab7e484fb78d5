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
    change: z.enum(['booked', 'cancelled', 'moved']),
  }),
]);

export type BusEvent = z.infer<typeof busEvent>;

/** A SQL expression that NOTIFYs an appointment change; `row` names the CTE with `id` and `tenant_id`. */
export function notifyAppointmentChanged(row: string, change: 'booked' | 'cancelled' | 'moved'): SQL {
  if (!/^[a-z_]+$/.test(row)) throw new Error('bad row alias');
  return sql`pg_notify(${EVENTS_CHANNEL}, json_build_object('type', 'appointment.changed', 'tenantId', ${sql.raw(row)}.tenant_id, 'appointmentId', ${sql.raw(row)}.id, 'change', ${change}::text)::text)`;
}
