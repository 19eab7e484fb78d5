/**
 * Pure availability rules: which slots exist for a procedure, which are free,
 * and why a requested slot is refused. Wall-clock times are in the tenant's
 * time zone; instants are epoch milliseconds. No I/O here.
 */
import { DateTime } from 'luxon';
import type { ErrorCode } from '../../../shared/errors.js';

/** `HH:MM` or `HH:MM:SS` wall-clock time to minutes after midnight. */
export function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

export type WeeklyInterval = { weekday: number; start: number; end: number };

export type CalendarRules = {
  timeZone: string;
  officeHours: WeeklyInterval[];
  /** Holiday dates `YYYY-MM-DD` in the tenant's time zone. */
  holidays: ReadonlySet<string>;
};

export type ProcedureTiming = {
  durationMinutes: number;
  bufferMinutes: number;
  minNoticeMinutes: number;
  horizonDays: number;
};

export type AgentCalendar = {
  id: string;
  schedule: WeeklyInterval[];
  /** Occupied ranges [start, end) in ms, sorted by start, non-overlapping per agent. */
  busy: Array<[number, number]>;
};

export type Slot = {
  start: number;
  end: number;
  /** End of the occupation, including the buffer. */
  blockedUntil: number;
  /** Local date `YYYY-MM-DD` and time `HH:MM` in the tenant's zone. */
  day: string;
  time: string;
  /** Wall-clock minutes after local midnight. */
  minute: number;
};

export type FreeSlot = Slot & { capacity: number };

const MINUTE = 60_000;
const DAY = 86_400_000;

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A local calendar day in the tenant's zone, as the slot grid needs it. */
export type LocalDay = {
  iso: string;
  weekday: number;
  /** Instant of local midnight. */
  midnight: number;
  /** No UTC-offset change during the day: wall minutes map to instants by addition. */
  steady: boolean;
};

export function localDay(dt: DateTime): LocalDay {
  const m = dt.startOf('day');
  // Where clocks jump at midnight (e.g. America/Santiago) the day starts at 01:00: not steady.
  const steady = m.hour === 0 && m.minute === 0 && m.offset === m.endOf('day').offset;
  return { iso: m.toISODate()!, weekday: m.weekday, midnight: m.toMillis(), steady };
}

/**
 * The local days from `first` on. Luxon is exact but slow, so when the whole
 * window keeps one UTC offset (most of the year) days are computed by arithmetic.
 */
export function localDays(first: DateTime, count: number): LocalDay[] {
  const start = localDay(first);
  const offset = first.startOf('day').offset;
  const zone = first.zone;
  // Arithmetic only when every day of the window starts and ends at the same UTC offset.
  let uniform = start.steady && count <= 400;
  for (let d = 0; uniform && d < count; d++) {
    const t = start.midnight + d * DAY;
    uniform = zone.offset(t) === offset && zone.offset(t + DAY - 1) === offset;
  }
  if (!uniform) return Array.from({ length: count }, (_, d) => localDay(first.plus({ days: d })));
  const offsetMs = offset * MINUTE;
  return Array.from({ length: count }, (_, d) => {
    const midnight = start.midnight + d * DAY;
    return { iso: new Date(midnight + offsetMs).toISOString().slice(0, 10), weekday: ((start.weekday - 1 + d) % 7) + 1, midnight, steady: true };
  });
}

/** Every slot of a local day, on the grid of each office-hours interval (step = duration + buffer). */
export function daySlots(rules: CalendarRules, timing: ProcedureTiming, dayOrDate: DateTime | LocalDay): Slot[] {
  const day = dayOrDate instanceof DateTime ? localDay(dayOrDate.setZone(rules.timeZone)) : dayOrDate;
  if (rules.holidays.has(day.iso)) return [];
  const out: Slot[] = [];
  const step = timing.durationMinutes + timing.bufferMinutes;
  const midnight = day.steady ? undefined : DateTime.fromMillis(day.midnight, { zone: rules.timeZone });
  for (const oh of rules.officeHours) {
    if (oh.weekday !== day.weekday) continue;
    for (let m = oh.start; m + timing.durationMinutes <= oh.end; m += step) {
      let start: number;
      if (!midnight) {
        start = day.midnight + m * MINUTE;
      } else {
        const local = midnight.set({ hour: Math.floor(m / 60), minute: m % 60 });
        // A wall time that does not exist (spring-forward gap) is skipped, not shifted.
        if (local.hour * 60 + local.minute !== m) continue;
        start = local.toMillis();
      }
      out.push({
        start,
        end: start + timing.durationMinutes * MINUTE,
        blockedUntil: start + step * MINUTE,
        day: day.iso,
        time: `${pad(Math.floor(m / 60))}:${pad(m % 60)}`,
        minute: m,
      });
    }
  }
  if (rules.officeHours.length > 1) out.sort((a, b) => a.start - b.start);
  // A repeated wall time (autumn fall-back) yields one slot only.
  return day.steady ? out : out.filter((x, k) => k === 0 || x.start !== out[k - 1].start);
}

function covers(schedule: WeeklyInterval[], weekday: number, start: number, end: number): boolean {
  for (const s of schedule) if (s.weekday === weekday && s.start <= start && end <= s.end) return true;
  return false;
}

/** True when none of the sorted, disjoint busy ranges overlaps [start, end). */
export function isFree(busy: Array<[number, number]>, start: number, end: number): boolean {
  let lo = 0;
  let hi = busy.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (busy[mid][1] <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo >= busy.length || busy[lo][0] >= end;
}

/** Agents whose schedule covers the slot and who are not busy then. */
export function freeAgents(slot: Slot, weekday: number, durationMinutes: number, agents: AgentCalendar[]): string[] {
  const wallStart = slot.minute;
  const ids: string[] = [];
  for (const a of agents) {
    if (!covers(a.schedule, weekday, wallStart, wallStart + durationMinutes)) continue;
    if (isFree(a.busy, slot.start, slot.blockedUntil)) ids.push(a.id);
  }
  return ids;
}

/** Bounds of bookable time for a procedure, from now. */
export function bookingWindow(timing: ProcedureTiming, now: number): { earliest: number; latest: number } {
  return { earliest: now + timing.minNoticeMinutes * MINUTE, latest: now + timing.horizonDays * 24 * 60 * MINUTE };
}

/**
 * Free slots over `days` local days from `fromDay`, honouring notice, horizon,
 * holidays and schedules; capacity = agents free for the slot. Slots are
 * visited in time order, so each agent's busy list is walked once.
 */
export function freeSlots(
  rules: CalendarRules,
  timing: ProcedureTiming,
  agents: AgentCalendar[],
  opts: { now: number; fromDay: string; days: number },
): FreeSlot[] {
  const { earliest, latest } = bookingWindow(timing, opts.now);
  const first = DateTime.fromISO(opts.fromDay, { zone: rules.timeZone }).startOf('day');
  // For each weekday: who works, and each one's intervals that day (start, end pairs, flattened).
  const byWeekday: number[][] = Array.from({ length: 8 }, () => []);
  const hours: number[][][] = agents.map(() => Array.from({ length: 8 }, () => []));
  agents.forEach((a, i) => {
    for (const s of a.schedule) {
      if (hours[i][s.weekday].length === 0) byWeekday[s.weekday].push(i);
      hours[i][s.weekday].push(s.start, s.end);
    }
  });
  const cursor = new Int32Array(agents.length);
  const out: FreeSlot[] = [];
  for (const day of localDays(first, opts.days)) {
    if (day.midnight > latest) break;
    const working = byWeekday[day.weekday];
    if (working.length === 0) continue;
    for (const slot of daySlots(rules, timing, day)) {
      if (slot.start < earliest || slot.start > latest) continue;
      let capacity = 0;
      const from = slot.minute;
      const to = slot.minute + timing.durationMinutes;
      for (const i of working) {
        const h = hours[i][day.weekday];
        let covered = false;
        for (let k = 0; k < h.length && !covered; k += 2) covered = h[k] <= from && to <= h[k + 1];
        if (!covered) continue;
        const busy = agents[i].busy;
        let c = cursor[i];
        while (c < busy.length && busy[c][1] <= slot.start) c++;
        cursor[i] = c;
        if (c >= busy.length || busy[c][0] >= slot.blockedUntil) capacity++;
      }
      if (capacity > 0) out.push({ ...slot, capacity });
    }
  }
  return out;
}

/**
 * Checks that a requested start is a bookable slot and returns it, or the code
 * that says why not (past, too soon, beyond horizon, holiday, out of hours, off-grid).
 */
export function resolveSlot(
  rules: CalendarRules,
  timing: ProcedureTiming,
  start: number,
  now: number,
): { slot: Slot; weekday: number } | { error: ErrorCode } {
  if (!Number.isFinite(start)) return { error: 'slot_invalid' };
  if (start <= now) return { error: 'slot_in_past' };
  const { earliest, latest } = bookingWindow(timing, now);
  if (start > latest) return { error: 'slot_beyond_horizon' };
  const local = DateTime.fromMillis(start, { zone: rules.timeZone });
  if (!local.isValid) return { error: 'slot_invalid' };
  const day = local.toISODate()!;
  if (rules.holidays.has(day)) return { error: 'slot_holiday' };
  const m = local.hour * 60 + local.minute;
  const step = timing.durationMinutes + timing.bufferMinutes;
  const hours = rules.officeHours.filter((oh) => oh.weekday === local.weekday && oh.start <= m && m + timing.durationMinutes <= oh.end);
  if (hours.length === 0) return { error: 'slot_out_of_hours' };
  if (local.second !== 0 || local.millisecond !== 0 || !hours.some((oh) => (m - oh.start) % step === 0)) return { error: 'slot_invalid' };
  // A repeated wall time (autumn fall-back) is on the grid once: as daySlots builds it.
  if (local.startOf('day').set({ hour: local.hour, minute: local.minute }).toMillis() !== start) return { error: 'slot_invalid' };
  if (start < earliest) return { error: 'slot_too_soon' };
  return {
    slot: { start, end: start + timing.durationMinutes * MINUTE, blockedUntil: start + step * MINUTE, day, time: `${pad(local.hour)}:${pad(local.minute)}`, minute: m },
    weekday: local.weekday,
  };
}
