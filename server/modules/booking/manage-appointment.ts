/**
 * What a citizen can do from the link in the email: see the appointment,
 * cancel it, or move it to another slot, until the tenant's cut-off.
 */
import { AppError } from '../../../shared/errors.js';
import { findProcedureById, type Procedure } from '../catalogue/catalogue.repository.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import type { BookingDeps } from './booking-context.js';
import {
  cancelAppointmentWithEmail,
  findAppointmentByManageToken,
  moveAppointmentWithEmail,
  type Appointment,
} from './booking.repository.js';
import { claimAgent } from './claim-agent.js';
import { hashAccessCode, newAccessCode, sha256 } from './secrets.js';

export type ManagedAppointment = { appointment: Appointment; procedure: Procedure; canChange: boolean };

/** True while a booked appointment may still be cancelled or moved. */
export function canChange(tenant: Tenant, a: Appointment, now: number): boolean {
  if (a.status !== 'booked') return false;
  if (!a.startsAt) return true;
  return now < a.startsAt.getTime() - tenant.settings.cancelCutoffMinutes * 60_000;
}

export async function getManagedAppointment(
  deps: BookingDeps,
  o: { tenant: Tenant; manageToken: string },
): Promise<ManagedAppointment> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(o.manageToken)) throw new AppError('appointment_not_found');
  const appointment = await findAppointmentByManageToken(deps.database, o.tenant.id, sha256(o.manageToken));
  if (!appointment) throw new AppError('appointment_not_found');
  const procedure = await findProcedureById(deps.database.db, o.tenant.id, appointment.procedureId);
  if (!procedure) throw new AppError('appointment_not_found');
  return { appointment, procedure, canChange: canChange(o.tenant, appointment, (deps.now ?? Date.now)()) };
}

function assertChangeable(m: ManagedAppointment) {
  if (m.appointment.status !== 'booked') throw new AppError('appointment_not_active');
  if (!m.canChange) throw new AppError('cutoff_passed');
}

export async function cancelAppointment(deps: BookingDeps, o: { tenant: Tenant; manageToken: string }): Promise<ManagedAppointment> {
  const m = await getManagedAppointment(deps, o);
  assertChangeable(m);
  const ok = await cancelAppointmentWithEmail(
    deps.database,
    o.tenant.id,
    m.appointment.id,
    { template: 'booking_cancelled', appointmentId: m.appointment.id, sequence: m.appointment.sequence + 1 },
    deps.jobMaxAttempts,
  );
  if (!ok) throw new AppError('appointment_not_active');
  deps.calendars.invalidateBusy(o.tenant.id);
  deps.kickJobs();
  return getManagedAppointment(deps, o);
}

/** Moves the appointment; a new access code is issued and emailed with the new time. */
export async function rescheduleAppointment(
  deps: BookingDeps,
  o: { tenant: Tenant; manageToken: string; start: number },
): Promise<ManagedAppointment & { accessCode: string }> {
  const m = await getManagedAppointment(deps, o);
  assertChangeable(m);
  if (m.appointment.kind !== 'slot') throw new AppError('slot_invalid');
  const accessCode = newAccessCode();
  await claimAgent(
    deps,
    { tenant: o.tenant, procedure: m.procedure, channel: m.appointment.channel, start: o.start },
    (agentCandidates, slot) =>
      moveAppointmentWithEmail(
        deps.database,
        {
          tenantId: o.tenant.id,
          id: m.appointment.id,
          startsAt: new Date(slot.start),
          endsAt: new Date(slot.end),
          blockedUntil: new Date(slot.blockedUntil),
          agentCandidates,
          accessCodeHash: hashAccessCode(m.appointment.id, accessCode),
        },
        { template: 'booking_rescheduled', appointmentId: m.appointment.id, sequence: m.appointment.sequence + 1, accessCode, manageToken: o.manageToken },
        deps.jobMaxAttempts,
      ),
  );
  deps.calendars.invalidateBusy(o.tenant.id);
  deps.kickJobs();
  return { ...(await getManagedAppointment(deps, o)), accessCode };
}
