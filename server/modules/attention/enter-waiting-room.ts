/**
 * A booked citizen enters the waiting room (after the device check): their
 * attention starts waiting and every console hears it at once. The room opens
 * a configurable time before the slot; entering again (a reload, a second
 * device) keeps the original arrival time.
 */
import { sql } from 'drizzle-orm';
import { AppError } from '../../../shared/errors.js';
import { notifyEvent } from '../../db/events.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import type { AttentionDeps } from './attention-context.js';
import type { AttentionRow } from './attention.repository.js';
import { liveSettings } from './live-settings.js';

type AppointmentForRoom = { id: string; procedureId: string; channel: string; status: string; startsAt: Date | null; language: string };

/** When the waiting room of an appointment opens (null: it has no time, e.g. call-me-back as soon as possible). */
export function roomOpensAt(tenant: Tenant, a: Pick<AppointmentForRoom, 'startsAt'>): Date | null {
  return a.startsAt ? new Date(a.startsAt.getTime() - liveSettings(tenant).waitingRoomOpensMinutes * 60_000) : null;
}

export async function enterWaitingRoom(deps: AttentionDeps, o: { tenant: Tenant; appointment: AppointmentForRoom }): Promise<AttentionRow> {
  const a = o.appointment;
  if (a.status !== 'booked' || a.channel !== 'video') throw new AppError('appointment_not_active');
  const now = (deps.now ?? Date.now)();
  const opens = roomOpensAt(o.tenant, a);
  if (opens && now < opens.getTime()) throw new AppError('room_not_open', { opensAt: opens.toISOString() });
  return deps.database.db.transaction(async (tx) => {
    const res = (await tx.execute(sql`
      INSERT INTO attentions (tenant_id, appointment_id, procedure_id, channel, language, due_at)
      VALUES (${o.tenant.id}, ${a.id}, ${a.procedureId}, 'video', ${a.language}, ${a.startsAt ? a.startsAt.toISOString() : new Date(now).toISOString()}::timestamptz)
      ON CONFLICT (appointment_id) DO UPDATE
         SET status = CASE WHEN attentions.status = 'abandoned' THEN 'waiting' ELSE attentions.status END,
             queued_at = CASE WHEN attentions.status = 'abandoned' THEN now() ELSE attentions.queued_at END
      RETURNING *`)) as unknown as { rows: AttentionRow[] };
    const row = res.rows[0];
    if (row.status === 'no_show' || row.status === 'not_reached' || row.status === 'closed') throw new AppError('appointment_not_active');
    await tx.execute(notifyEvent({ type: 'queue.changed', tenantId: o.tenant.id }));
    return row;
  });
}
