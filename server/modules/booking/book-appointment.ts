/**
 * A citizen books help with a procedure: a slot on a channel, or a call-me-back
 * as soon as possible. Writes the appointment and its confirmation email
 * together; never double-books (see claim-agent).
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../../shared/errors.js';
import { pgConstraint, pgErrorCode } from '../../db/client.js';
import { findProcedureById, type Procedure } from '../catalogue/catalogue.repository.js';
import { activeProcedure } from '../scheduling/calendar-cache.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import type { BookingDeps } from './booking-context.js';
import {
  findAppointmentByIdempotencyKey,
  insertAppointmentWithEmail,
  type Appointment,
  type NewAppointment,
} from './booking.repository.js';
import type { BookingInput } from './booking.schemas.js';
import { claimAgent } from './claim-agent.js';
import { hashAccessCode, newAccessCode, newManageToken, newReference, sha256 } from './secrets.js';
import { validateContact } from './validate-contact.js';

export type BookingResult = {
  appointmentId: string;
  reference: string;
  procedure: Procedure;
  channel: BookingInput['channel'];
  kind: 'slot' | 'asap';
  startsAt: Date | null;
  endsAt: Date | null;
  /** Null when this was a repeated submission: the codes were sent by email. */
  accessCode: string | null;
  manageToken: string | null;
};

export async function bookAppointment(deps: BookingDeps, o: { tenant: Tenant; input: BookingInput }): Promise<BookingResult> {
  const { tenant, input } = o;
  if (input.idempotencyKey) {
    const prior = await findAppointmentByIdempotencyKey(deps.database, tenant.id, input.idempotencyKey);
    if (prior) return replayed(deps, tenant, prior);
  }
  const procedure = activeProcedure(await deps.calendars.get(tenant), input.procedure);
  if (!procedure) throw new AppError('procedure_not_found');
  if (!procedure.channels.includes(input.channel)) throw new AppError('channel_not_offered');
  const contact = validateContact(tenant, input);

  const id = randomUUID();
  const accessCode = newAccessCode();
  const manageToken = newManageToken();
  const base: Omit<NewAppointment, 'kind' | 'startsAt' | 'endsAt' | 'blockedUntil' | 'agentCandidates' | 'reference'> = {
    id,
    tenantId: tenant.id,
    procedureId: procedure.id,
    channel: input.channel,
    ...contact,
    accessCodeHash: hashAccessCode(id, accessCode),
    manageTokenHash: sha256(manageToken),
    idempotencyKey: input.idempotencyKey ?? null,
  };
  const email = { template: 'booking_confirmed' as const, appointmentId: id, sequence: 0, accessCode, manageToken };
  let written: NewAppointment | undefined;
  const insert = async (row: Omit<NewAppointment, 'reference'>): Promise<boolean> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const full = { ...row, reference: newReference() };
        const { inserted } = await insertAppointmentWithEmail(deps.database, full, email, deps.jobMaxAttempts);
        if (inserted) written = full;
        return inserted;
      } catch (e) {
        const constraint = pgErrorCode(e) === '23505' ? pgConstraint(e) : undefined;
        if (constraint === 'appointments_tenant_reference' && attempt < 5) continue;
        if (constraint === 'appointments_tenant_idempotency') throw new IdempotentReplay();
        throw e;
      }
    }
  };

  try {
    if (input.asap) {
      if (input.channel !== 'callback') throw new AppError('slot_invalid');
      await insert({ ...base, kind: 'asap', startsAt: null, endsAt: null, blockedUntil: null, agentCandidates: null });
    } else {
      if (!input.start) throw new AppError('slot_invalid');
      await claimAgent(deps, { tenant, procedure, channel: input.channel, start: Date.parse(input.start) }, (agentCandidates, slot) =>
        insert({
          ...base,
          kind: 'slot',
          startsAt: new Date(slot.start),
          endsAt: new Date(slot.end),
          blockedUntil: new Date(slot.blockedUntil),
          agentCandidates,
        }),
      );
    }
  } catch (e) {
    if (e instanceof IdempotentReplay && input.idempotencyKey) {
      const prior = await findAppointmentByIdempotencyKey(deps.database, tenant.id, input.idempotencyKey);
      if (prior) return replayed(deps, tenant, prior);
    }
    throw e;
  }
  if (!written) throw new AppError('internal_error');
  deps.calendars.invalidateBusy(tenant.id);
  deps.kickJobs();
  return {
    appointmentId: id,
    reference: written.reference,
    procedure,
    channel: input.channel,
    kind: written.kind,
    startsAt: written.startsAt,
    endsAt: written.endsAt,
    accessCode,
    manageToken,
  };
}

/** A concurrent submission with the same idempotency key won; answer with its booking. */
class IdempotentReplay extends Error {}

async function replayed(deps: BookingDeps, tenant: Tenant, prior: Appointment): Promise<BookingResult> {
  const procedure = await findProcedureById(deps.database.db, tenant.id, prior.procedureId);
  if (!procedure) throw new AppError('procedure_not_found');
  return {
    appointmentId: prior.id,
    reference: prior.reference,
    procedure,
    channel: prior.channel,
    kind: prior.kind,
    startsAt: prior.startsAt,
    endsAt: prior.endsAt,
    accessCode: null,
    manageToken: null,
  };
}
