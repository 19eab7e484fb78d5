/**
 * Free slots of a procedure on a channel over a range of days: the citizen's
 * "pick a day and time" and the `slot_taken` suggestions.
 */
import { DateTime } from 'luxon';
import type { Channel } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import type { Procedure } from '../catalogue/catalogue.repository.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { eligibleStaff, type CalendarCache } from './calendar-cache.js';
import { listBusyRanges } from './scheduling.repository.js';
import { bookingWindow, freeSlots, type FreeSlot } from './slot-rules.js';

export async function findFreeSlots(opts: {
  database: Database;
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
  const busy = await listBusyRanges(
    opts.database,
    tenant.id,
    agents.map((a) => a.id),
    first.toMillis(),
    windowEnd,
  );
  const slots = freeSlots(
    calendar.rules,
    procedure,
    agents.map((a) => ({ id: a.id, schedule: a.schedule, busy: busy.get(a.id) ?? [] })),
    { now: opts.now, fromDay: first.toISODate()!, days: opts.days },
  );
  return opts.limit ? slots.slice(0, opts.limit) : slots;
}
