/**
 * Free slots of a procedure on a channel over a range of days: the citizen's
 * "pick a day and time" and the `slot_taken` suggestions.
 */
import { DateTime } from 'luxon';
import type { Channel } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import type { Procedure } from '../catalogue/catalogue.repository.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { eligibleStaff, type CalendarCache } from './calendar-cache.js';
import { bookingWindow, freeSlots, type FreeSlot } from './slot-rules.js';

/** Days of bookings read at once into the busy cache (most procedures book up to 30 days ahead). */
const BUSY_WINDOW_DAYS = 32;

export async function findFreeSlots(opts: {
  calendars: CalendarCache;
  tenant: Tenant;
  procedure: Procedure;
  channel: Channel;
  now: number;
  /** First local day `YYYY-MM-DD`; today when absent. */
  fromDay?: string;
  days: number;
  /** Stop after this many slots. */
  limit?: number;
}): Promise<FreeSlot[]> {
  const { tenant, procedure, channel } = opts;
  if (!procedure.channels.includes(channel)) throw new AppError('channel_not_offered');
  const calendar = await opts.calendars.get(tenant);
  const agents = eligibleStaff(calendar, procedure.id, channel);
  if (agents.length === 0) return [];
  const today = DateTime.fromMillis(opts.now, { zone: tenant.timeZone }).startOf('day');
  const from = opts.fromDay ? DateTime.fromISO(opts.fromDay, { zone: tenant.timeZone }) : today;
  const first = from < today ? today : from;
  const { latest } = bookingWindow(procedure, opts.now);
  const windowEnd = Math.min(first.plus({ days: opts.days }).toMillis(), latest + procedure.durationMinutes * 60_000);
  if (windowEnd <= first.toMillis()) return [];
  // Read the whole bookable window once per tenant, so that every procedure and day reuses it.
  const busy = (await opts.calendars.busy(tenant.id, first.toMillis(), Math.max(windowEnd, first.plus({ days: BUSY_WINDOW_DAYS }).toMillis()))).byAgent;
  const slots = freeSlots(
    calendar.rules,
    procedure,
    agents.map((a) => ({ id: a.id, schedule: a.schedule, busy: busy.get(a.id) ?? [] })),
    { now: opts.now, fromDay: first.toISODate()!, days: opts.days },
  );
  return opts.limit ? slots.slice(0, opts.limit) : slots;
}
