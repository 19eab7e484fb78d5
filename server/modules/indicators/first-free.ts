/**
 * Time to the first free appointment: for each active procedure and each live
 * channel it offers, the working days from today to the first free slot, as the
 * citizen booking now would see it (the same availability code as the booking
 * pages). The sampler (jobs/first-free-sampler.ts) stores these as counters.
 */
import { DateTime } from 'luxon';
import type { Channel } from '../../../shared/domain.js';
import type { CalendarCache } from '../scheduling/calendar-cache.js';
import { findFreeSlots } from '../scheduling/find-free-slots.js';
import type { CalendarRules } from '../scheduling/slot-rules.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { FIRST_FREE_MAX_DAYS, type Counters } from './counters.js';

/** The channels sampled: those attentions use (in-person appointments are not part of the live indicators). */
export const SAMPLED_CHANNELS = ['video', 'phone', 'callback'] as const satisfies readonly Channel[];
export type SampledChannel = (typeof SAMPLED_CHANNELS)[number];

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of an instant in a zone. */
function localIsoDate(instant: number, zone: string): string {
  return DateTime.fromMillis(instant, { zone }).toISODate()!;
}

/**
 * Working days from the local day of `now` to the local day of `slotStart`:
 * days with office hours on their weekday that are not holidays, today
 * excluded and the slot's day included (a slot later today = 0). Calendar
 * dates are walked as dates, so clock changes never add or lose a day.
 */
export function workingDaysUntil(rules: CalendarRules, now: number, slotStart: number): number {
  const today = localIsoDate(now, rules.timeZone);
  const target = localIsoDate(slotStart, rules.timeZone);
  const open = new Set(rules.officeHours.map((o) => o.weekday));
  let day = Date.parse(`${today}T00:00:00Z`);
  const last = Date.parse(`${target}T00:00:00Z`);
  let n = 0;
  while (day < last) {
    day += DAY_MS;
    const iso = new Date(day).toISOString().slice(0, 10);
    const weekday = ((new Date(day).getUTCDay() + 6) % 7) + 1;
    if (open.has(weekday) && !rules.holidays.has(iso)) n++;
  }
  return n;
}

/** One availability sample: working days to the first free slot, or null when there is none worth counting. */
export type FirstFreeSample = { procedureId: string; channel: SampledChannel; workingDays: number | null };

/**
 * The first free slot of every active procedure on each live channel it
 * offers, from `now` to the end of the procedure's horizon. A slot beyond
 * FIRST_FREE_MAX_DAYS working days counts as none.
 */
export async function firstFreeSamples(o: { calendars: CalendarCache; tenant: Tenant; now: number }): Promise<FirstFreeSample[]> {
  const calendar = await o.calendars.get(o.tenant);
  const out: FirstFreeSample[] = [];
  for (const procedure of calendar.procedures) {
    if (!procedure.active) continue;
    for (const channel of SAMPLED_CHANNELS) {
      if (!procedure.channels.includes(channel)) continue;
      // The window reaches past the horizon's last local day; findFreeSlots stops at the horizon itself.
      const [first] = await findFreeSlots({ calendars: o.calendars, tenant: o.tenant, procedure, channel, now: o.now, days: procedure.horizonDays + 2, limit: 1 });
      const days = first ? workingDaysUntil(calendar.rules, o.now, first.start) : null;
      out.push({ procedureId: procedure.id, channel, workingDays: days !== null && days <= FIRST_FREE_MAX_DAYS ? days : null });
    }
  }
  return out;
}

/** The counters one sample adds: `ffn` and `ffd:<days>` or `ffd:none`. */
export function firstFreeCounters(s: Pick<FirstFreeSample, 'workingDays'>): Counters {
  return { ffn: 1, [`ffd:${s.workingDays ?? 'none'}`]: 1 };
}
