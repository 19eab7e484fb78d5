import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { daySlots, freeSlots, isFree, resolveSlot, type AgentCalendar, type CalendarRules, type ProcedureTiming } from './slot-rules.js';

const TZ = 'Europe/Madrid';
const weekdays = (start: string, end: string) =>
  [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: toM(start), end: toM(end) }));
function toM(s: string) {
  const [h, m] = s.split(':').map(Number);
  return h * 60 + m;
}
const rules = (over: Partial<CalendarRules> = {}): CalendarRules => ({
  timeZone: TZ,
  officeHours: weekdays('08:00', '20:00'),
  holidays: new Set(),
  ...over,
});
const timing: ProcedureTiming = { durationMinutes: 30, bufferMinutes: 0, minNoticeMinutes: 60, horizonDays: 30 };
const agent = (id: string, busy: Array<[number, number]> = [], schedule = weekdays('08:00', '20:00')): AgentCalendar => ({
  id,
  schedule,
  busy,
});
const at = (iso: string) => DateTime.fromISO(iso, { zone: TZ }).toMillis();

describe('daySlots', () => {
  it('lays slots on the office-hours grid, Monday to Friday 08–20', () => {
    const monday = DateTime.fromISO('2026-11-23', { zone: TZ });
    const slots = daySlots(rules(), timing, monday);
    expect(slots).toHaveLength(24);
    expect(slots[0].time).toBe('08:00');
    expect(slots.at(-1)!.time).toBe('19:30');
    expect(daySlots(rules(), timing, DateTime.fromISO('2026-11-22', { zone: TZ }))).toHaveLength(0); // Sunday
  });

  it('steps by duration plus buffer, and blocks the buffer', () => {
    const s = daySlots(rules(), { ...timing, durationMinutes: 20, bufferMinutes: 10 }, DateTime.fromISO('2026-11-23', { zone: TZ }));
    expect(s.slice(0, 3).map((x) => x.time)).toEqual(['08:00', '08:30', '09:00']);
    expect(s[0].end - s[0].start).toBe(20 * 60_000);
    expect(s[0].blockedUntil - s[0].start).toBe(30 * 60_000);
  });

  it('skips holidays', () => {
    const r = rules({ holidays: new Set(['2026-12-08']) });
    expect(daySlots(r, timing, DateTime.fromISO('2026-12-08', { zone: TZ }))).toHaveLength(0);
  });

  it('has no slot in the spring-forward gap and no duplicate in the autumn repeat', () => {
    const night = [{ weekday: 7, start: toM('01:00'), end: toM('04:00') }];
    const spring = daySlots(rules({ officeHours: night }), timing, DateTime.fromISO('2026-03-29', { zone: TZ }));
    expect(spring.map((s) => s.time)).toEqual(['01:00', '01:30', '03:00', '03:30']);
    // instants are real and 30 minutes long across the change
    expect(spring[2].start - spring[1].start).toBe(30 * 60_000);
    const autumn = daySlots(rules({ officeHours: night }), timing, DateTime.fromISO('2026-10-25', { zone: TZ }));
    expect(new Set(autumn.map((s) => s.start)).size).toBe(autumn.length);
    expect(autumn.map((s) => s.time)).toEqual(['01:00', '01:30', '02:00', '02:30', '03:00', '03:30']);
  });

  it('keeps local office hours across the October DST change (UTC offsets move)', () => {
    const before = daySlots(rules(), timing, DateTime.fromISO('2026-10-23', { zone: TZ }))[0];
    const after = daySlots(rules(), timing, DateTime.fromISO('2026-10-26', { zone: TZ }))[0];
    expect(new Date(before.start).toISOString()).toBe('2026-10-23T06:00:00.000Z');
    expect(new Date(after.start).toISOString()).toBe('2026-10-26T07:00:00.000Z');
  });
});

describe('isFree', () => {
  const busy: Array<[number, number]> = [
    [10, 20],
    [30, 40],
  ];
  it('detects overlaps with half-open ranges', () => {
    expect(isFree(busy, 0, 10)).toBe(true);
    expect(isFree(busy, 20, 30)).toBe(true);
    expect(isFree(busy, 19, 21)).toBe(false);
    expect(isFree(busy, 0, 100)).toBe(false);
    expect(isFree(busy, 40, 50)).toBe(true);
    expect(isFree([], 0, 1)).toBe(true);
  });
});

describe('freeSlots', () => {
  const now = at('2026-11-23T09:10');
  it('honours minimum notice and counts capacity as free agents', () => {
    const slots = freeSlots(rules(), timing, [agent('a'), agent('b')], { now, fromDay: '2026-11-23', days: 1 });
    expect(slots[0].time).toBe('10:30'); // 09:10 + 60 min notice → first slot at or after 10:10 on the grid
    expect(slots[0].capacity).toBe(2);
  });
  it('removes a slot when every agent is busy and lowers capacity otherwise', () => {
    const s = at('2026-11-24T10:00');
    const e = s + 30 * 60_000;
    const slots = freeSlots(rules(), timing, [agent('a', [[s, e]]), agent('b', [[s, e]]), agent('c')], {
      now,
      fromDay: '2026-11-24',
      days: 1,
    });
    expect(slots.find((x) => x.time === '10:00')!.capacity).toBe(1);
    const full = freeSlots(rules(), timing, [agent('a', [[s, e]])], { now, fromDay: '2026-11-24', days: 1 });
    expect(full.find((x) => x.time === '10:00')).toBeUndefined();
  });
  it('stops at the horizon', () => {
    const slots = freeSlots(rules(), { ...timing, horizonDays: 2 }, [agent('a')], { now, fromDay: '2026-11-23', days: 30 });
    expect(Math.max(...slots.map((s) => s.start))).toBeLessThanOrEqual(now + 2 * 86_400_000);
  });
  it('uses agent schedules', () => {
    const morning = agent('m', [], weekdays('08:00', '14:00'));
    const slots = freeSlots(rules(), timing, [morning], { now, fromDay: '2026-11-24', days: 1 });
    expect(slots.at(-1)!.time).toBe('13:30');
  });
});

describe('resolveSlot', () => {
  const now = at('2026-11-23T09:10');
  const r = rules({ holidays: new Set(['2026-12-08']) });
  it('accepts a grid slot', () => {
    const res = resolveSlot(r, timing, at('2026-11-24T10:00'), now);
    expect('slot' in res && res.slot.time).toBe('10:00');
  });
  it.each([
    ['2026-11-20T10:00', 'slot_in_past'],
    ['2026-11-23T09:30', 'slot_too_soon'],
    ['2027-02-01T10:00', 'slot_beyond_horizon'],
    ['2026-12-08T10:00', 'slot_holiday'],
    ['2026-11-24T21:00', 'slot_out_of_hours'],
    ['2026-11-28T10:00', 'slot_out_of_hours'],
    ['2026-11-24T10:10', 'slot_invalid'],
  ])('refuses %s with %s', (iso, code) => {
    expect(resolveSlot(r, timing, at(iso), now)).toEqual({ error: code });
  });
});

describe('resolveSlot agrees with the grid', () => {
  it('accepts exactly the slots daySlots lays out, across both DST changes', () => {
    const night = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: toM('00:00'), end: toM('23:59') }));
    const r = rules({ officeHours: night });
    const t = { ...timing, durationMinutes: 20, bufferMinutes: 10, horizonDays: 366 };
    for (const iso of ['2026-03-29', '2026-10-25', '2026-11-24']) {
      const day = DateTime.fromISO(iso, { zone: TZ });
      const grid = new Set(daySlots(r, t, day).map((s) => s.start));
      const now = day.minus({ days: 2 }).toMillis();
      for (let ms = day.toMillis(); ms < day.plus({ days: 1 }).toMillis(); ms += 10 * 60_000) {
        const res = resolveSlot(r, t, ms, now);
        expect('slot' in res, `${iso} ${new Date(ms).toISOString()}`).toBe(grid.has(ms));
      }
    }
  });
});

describe('freeSlots across a DST change', () => {
  it('computes the same instants as the day-by-day grid', () => {
    const now = at('2026-10-19T09:00');
    const slots = freeSlots(rules(), { ...timing, horizonDays: 60 }, [agent('a')], { now, fromDay: '2026-10-20', days: 10 });
    const monday = slots.filter((s) => s.day === '2026-10-26');
    expect(new Date(monday[0].start).toISOString()).toBe('2026-10-26T07:00:00.000Z');
    const friday = slots.filter((s) => s.day === '2026-10-23');
    expect(new Date(friday[0].start).toISOString()).toBe('2026-10-23T06:00:00.000Z');
    const expected = ['2026-10-20', '2026-10-21', '2026-10-22', '2026-10-23', '2026-10-26', '2026-10-27', '2026-10-28', '2026-10-29'].flatMap((d) =>
      daySlots(rules(), timing, DateTime.fromISO(d, { zone: TZ })).map((s) => s.start),
    );
    expect(slots.map((s) => s.start)).toEqual(expected);
  });
});

describe('zones whose clocks jump at midnight', () => {
  it('keeps wall times right on the day midnight does not exist (America/Santiago, 2024-09-08)', () => {
    const santiago = { timeZone: 'America/Santiago', officeHours: weekdays('09:00', '12:00').concat([{ weekday: 7, start: toM('09:00'), end: toM('12:00') }]), holidays: new Set<string>() };
    const day = daySlots(santiago, timing, DateTime.fromISO('2024-09-08', { zone: 'America/Santiago' }));
    expect(day[0].time).toBe('09:00');
    expect(new Date(day[0].start).toISOString()).toBe('2024-09-08T12:00:00.000Z');
    const now = DateTime.fromISO('2024-09-05T08:00', { zone: 'America/Santiago' }).toMillis();
    const listed = freeSlots(santiago, timing, [agent('a', [], santiago.officeHours)], { now, fromDay: '2024-09-06', days: 5 });
    expect(listed.filter((s) => s.day === '2024-09-08').map((s) => new Date(s.start).toISOString())[0]).toBe('2024-09-08T12:00:00.000Z');
    expect(listed.filter((s) => s.day === '2024-09-06').map((s) => new Date(s.start).toISOString())[0]).toBe('2024-09-06T13:00:00.000Z');
    for (const s of listed) expect(resolveSlot(santiago, timing, s.start, now)).toHaveProperty('slot');
  });
});
