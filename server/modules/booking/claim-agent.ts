/**
 * Picks a free agent for a slot and writes the booking, retrying when the
 * database's exclusion constraint says a concurrent request won the agent.
 * Capacity is therefore enforced by PostgreSQL, not by this code.
 */
import { AppError } from '../../../shared/errors.js';
import { pgErrorCode } from '../../db/client.js';
import type { Channel } from '../../../shared/domain.js';
import type { Procedure } from '../catalogue/catalogue.repository.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { eligibleStaff } from '../scheduling/calendar-cache.js';
import { findFreeSlots } from '../scheduling/find-free-slots.js';
import { freeAgents, resolveSlot, type Slot } from '../scheduling/slot-rules.js';
import type { BookingDeps } from './booking-context.js';

const MAX_ROUNDS = 8;

/** Resolves `start` to a bookable slot or throws the code that says why not. */
export async function resolveRequestedSlot(deps: BookingDeps, tenant: Tenant, procedure: Procedure, start: number) {
  const calendar = await deps.calendars.get(tenant);
  const res = resolveSlot(calendar.rules, procedure, start, (deps.now ?? Date.now)());
  if ('error' in res) throw new AppError(res.error);
  return { ...res, calendar };
}

/**
 * Runs `write(candidates, slot)` — one statement that picks a free agent among
 * the candidates and writes — again when a concurrent request won the same
 * agent (23P01). Throws `slot_taken` with the next free slots when none is left.
 */
export async function claimAgent(
  deps: BookingDeps,
  o: { tenant: Tenant; procedure: Procedure; channel: Channel; start: number },
  write: (candidates: string[], slot: Slot) => Promise<boolean>,
): Promise<Slot> {
  const { slot, weekday, calendar } = await resolveRequestedSlot(deps, o.tenant, o.procedure, o.start);
  const eligible = eligibleStaff(calendar, o.procedure.id, o.channel);
  const scheduled = freeAgents(
    slot,
    weekday,
    o.procedure.durationMinutes,
    eligible.map((a) => ({ id: a.id, schedule: a.schedule, busy: [] })),
  );
  for (let round = 0; scheduled.length > 0 && round < MAX_ROUNDS; round++) {
    try {
      if (await write(scheduled, slot)) return slot;
      break; // nobody free
    } catch (e) {
      if (pgErrorCode(e) !== '23P01') throw e; // else a concurrent request took that agent first: pick again
    }
  }
  deps.calendars.invalidateBusy(o.tenant.id); // what we had cached did not know about the winner
  const next = await findFreeSlots({
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
