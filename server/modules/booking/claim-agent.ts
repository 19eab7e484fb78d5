/**
 * Picks a free agent for a slot and writes the booking, retrying with another
 * agent when the database's exclusion constraint says a concurrent request won.
 * Capacity is therefore enforced by PostgreSQL, not by this check.
 */
import { AppError } from '../../../shared/errors.js';
import { pgErrorCode } from '../../db/client.js';
import type { Channel } from '../../../shared/domain.js';
import type { Procedure } from '../catalogue/catalogue.repository.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { eligibleStaff } from '../scheduling/calendar-cache.js';
import { findFreeSlots } from '../scheduling/find-free-slots.js';
import { listBusyAgents } from '../scheduling/scheduling.repository.js';
import { freeAgents, resolveSlot, type Slot } from '../scheduling/slot-rules.js';
import type { BookingDeps } from './booking-context.js';

const MAX_ROUNDS = 4;

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** Resolves `start` to a bookable slot or throws the code that says why not. */
export async function resolveRequestedSlot(deps: BookingDeps, tenant: Tenant, procedure: Procedure, start: number) {
  const calendar = await deps.calendars.get(tenant);
  const res = resolveSlot(calendar.rules, procedure, start, (deps.now ?? Date.now)());
  if ('error' in res) throw new AppError(res.error);
  return { ...res, calendar };
}

/**
 * Runs `write(agentId, slot)` for free agents until one succeeds. Throws
 * `slot_taken` with the next free slots when none is left.
 */
export async function claimAgent(
  deps: BookingDeps,
  o: { tenant: Tenant; procedure: Procedure; channel: Channel; start: number; exceptAppointmentId?: string },
  write: (agentId: string, slot: Slot) => Promise<void>,
): Promise<{ agentId: string; slot: Slot }> {
  const { slot, weekday, calendar } = await resolveRequestedSlot(deps, o.tenant, o.procedure, o.start);
  const eligible = eligibleStaff(calendar, o.procedure.id, o.channel);
  const scheduled = freeAgents(
    slot,
    weekday,
    o.procedure.durationMinutes,
    eligible.map((a) => ({ id: a.id, schedule: a.schedule, busy: [] })),
  );
  const tried = new Set<string>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const busy = await listBusyAgents(deps.database, o.tenant.id, scheduled, slot.start, slot.blockedUntil, o.exceptAppointmentId);
    const candidates = shuffle(scheduled.filter((id) => !busy.has(id) && !tried.has(id)));
    if (candidates.length === 0) break;
    for (const agentId of candidates) {
      tried.add(agentId);
      try {
        await write(agentId, slot);
        return { agentId, slot };
      } catch (e) {
        if (pgErrorCode(e) === '23P01') continue; // a concurrent request took this agent first
        throw e;
      }
    }
  }
  const next = await findFreeSlots({
    database: deps.database,
    calendars: deps.calendars,
    tenant: o.tenant,
    procedure: o.procedure,
    channel: o.channel,
    now: (deps.now ?? Date.now)(),
    fromDay: slot.day,
    days: 14,
    limit: 5,
  });
  throw new AppError('slot_taken', { nextSlots: next.map((s) => new Date(s.start).toISOString()) });
}
