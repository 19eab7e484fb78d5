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
};

export type FreeSlot = Slot & { capacity: number; agentIds: string[] };

const MINUTE = 60_000;

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Every slot of a local day, on the grid of each office-hours interval (step = duration + buffer). */
export function daySlots(rules: CalendarRules, timing: ProcedureTiming, day: DateTime): Slot[] {
  const isoDay = day.toISODate()!;
  if (rules.holidays.has(isoDay)) return [];
  const out: Slot[] = [];
  const step = timing.durationMinutes + timing.bufferMinutes;
  const midnight = day.startOf('day');
  // On a day without a UTC-offset change, wall minutes map to instants by addition.
  const steady = midnight.offset === midnight.endOf('day').offset;
  const base = midnight.toMillis();
  for (const oh of rules.officeHours) {
    if (oh.weekday !== day.weekday) continue;
    for (let m = oh.start; m + timing.durationMinutes <= oh.end; m += step) {
      let start: number;
      if (steady) {
        start = base + m * MINUTE;
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
        day: isoDay,
        time: `${pad(Math.floor(m / 60))}:${pad(m % 60)}`,
      });
    }
  }
  if (rules.officeHours.length > 1) out.sort((a, b) => a.start - b.start);
  // A repeated wall time (autumn fall-back) yields one slot only.
  return steady ? out : out.filter((s, i) => i === 0 || s.start !== out[i - 1].start);
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
  const wallStart = toMinutes(slot.time);
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

/** Free slots over `days` local days from `fromDay`, honouring notice, horizon, holidays, schedules. */
export function freeSlots(
  rules: CalendarRules,
  timing: ProcedureTiming,
  agents: AgentCalendar[],
  opts: { now: number; fromDay: string; days: number },
): FreeSlot[] {
  const { earliest, latest } = bookingWindow(timing, opts.now);
  const first = DateTime.fromISO(opts.fromDay, { zone: rules.timeZone }).startOf('day');
  const out: FreeSlot[] = [];
  for (let d = 0; d < opts.days; d++) {
    const day = first.plus({ days: d });
    if (day.toMillis() > latest) break;
    for (const slot of daySlots(rules, timing, day)) {
      if (slot.start < earliest || slot.start > latest) continue;
      const agentIds = freeAgents(slot, day.weekday, timing.durationMinutes, agents);
      if (agentIds.length > 0) out.push({ ...slot, capacity: agentIds.length, agentIds });
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
    slot: { start, end: start + timing.durationMinutes * MINUTE, blockedUntil: start + step * MINUTE, day, time: `${pad(local.hour)}:${pad(local.minute)}` },
    weekday: local.weekday,
  };
}
