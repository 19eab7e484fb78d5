import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { CalendarRules } from '../scheduling/slot-rules.js';
import { firstFreeCounters, workingDaysUntil } from './first-free.js';

const weekdays = (days: number[], zone = 'Europe/Madrid', holidays: string[] = []): CalendarRules => ({
  timeZone: zone,
  officeHours: days.map((weekday) => ({ weekday, start: 8 * 60, end: 20 * 60 })),
  holidays: new Set(holidays),
});
const MON_FRI = weekdays([1, 2, 3, 4, 5]);
/** An instant from a local wall time in a zone. */
const at = (iso: string, zone = 'Europe/Madrid') => DateTime.fromISO(iso, { zone }).toMillis();

describe('workingDaysUntil', () => {
  it('is 0 for a slot later today and counts the slot day, not today', () => {
    expect(workingDaysUntil(MON_FRI, at('2026-03-10T09:00'), at('2026-03-10T17:30'))).toBe(0);
    expect(workingDaysUntil(MON_FRI, at('2026-03-10T09:00'), at('2026-03-11T08:00'))).toBe(1);
    expect(workingDaysUntil(MON_FRI, at('2026-03-10T19:59'), at('2026-03-13T08:00'))).toBe(3);
  });

  it('skips weekends (closed days) but counts a slot on an open weekend day', () => {
    // Friday 13 → Monday 16: Saturday and Sunday are closed
    expect(workingDaysUntil(MON_FRI, at('2026-03-13T12:00'), at('2026-03-16T08:00'))).toBe(1);
    // Friday → the Monday of the week after: 6 working days
    expect(workingDaysUntil(MON_FRI, at('2026-03-13T12:00'), at('2026-03-23T10:00'))).toBe(6);
    // an office open on Saturdays counts them
    expect(workingDaysUntil(weekdays([1, 2, 3, 4, 5, 6]), at('2026-03-13T12:00'), at('2026-03-16T08:00'))).toBe(2);
  });

  it('skips holidays', () => {
    const rules = weekdays([1, 2, 3, 4, 5], 'Europe/Madrid', ['2026-03-16', '2026-03-17', '2026-03-20']);
    // Friday 13 → Wednesday 18: Mon 16 and Tue 17 are holidays
    expect(workingDaysUntil(rules, at('2026-03-13T12:00'), at('2026-03-18T08:00'))).toBe(1);
    // → Monday 23: Wed 18, Thu 19, (Fri 20 holiday), Mon 23
    expect(workingDaysUntil(rules, at('2026-03-13T12:00'), at('2026-03-23T08:00'))).toBe(3);
    // a holiday today does not matter: today is never counted
    expect(workingDaysUntil(rules, at('2026-03-16T12:00'), at('2026-03-18T08:00'))).toBe(1);
  });

  it('takes today and the slot day in the tenant zone, not in UTC', () => {
    // Tuesday 00:30 in Madrid is still Monday in UTC: a slot on Tuesday is today
    expect(workingDaysUntil(MON_FRI, at('2026-06-09T00:30'), at('2026-06-09T10:00'))).toBe(0);
    // Sunday 23:30 in Madrid is Sunday 21:30 UTC, and already Monday 09:30 in Auckland
    const now = at('2026-06-14T23:30');
    expect(workingDaysUntil(MON_FRI, now, at('2026-06-15T10:00'))).toBe(1);
    expect(workingDaysUntil(weekdays([1, 2, 3, 4, 5], 'Pacific/Auckland'), now, at('2026-06-15T15:00', 'Pacific/Auckland'))).toBe(0);
  });

  it('counts days across the spring and autumn clock changes', () => {
    const every = weekdays([1, 2, 3, 4, 5, 6, 7]);
    // Friday 28 March 2025 23:30 → Monday 31 March 00:30: the 29th, the 23-hour 30th and the 31st
    expect(workingDaysUntil(every, at('2025-03-28T23:30'), at('2025-03-31T00:30'))).toBe(3);
    expect(workingDaysUntil(MON_FRI, at('2025-03-28T23:30'), at('2025-03-31T00:30'))).toBe(1);
    // Saturday 25 October 2025 00:10 → Monday 27 October 23:50: the 25-hour 26th and the 27th
    expect(workingDaysUntil(every, at('2025-10-25T00:10'), at('2025-10-27T23:50'))).toBe(2);
    // the night of the change itself: 02:30 happens twice on the 26th, still the same day
    const first = DateTime.fromISO('2025-10-26T02:30', { zone: 'Europe/Madrid' }).toMillis();
    expect(workingDaysUntil(every, first, first + 3_600_000)).toBe(0);
  });

  it('handles zones whose clocks jump at midnight', () => {
    // Santiago de Chile: 7 September 2025 starts at 01:00 (no midnight)
    const every = weekdays([1, 2, 3, 4, 5, 6, 7], 'America/Santiago');
    const now = at('2025-09-06T23:30', 'America/Santiago');
    expect(workingDaysUntil(every, now, at('2025-09-07T01:30', 'America/Santiago'))).toBe(1);
    expect(workingDaysUntil(every, now, at('2025-09-08T09:00', 'America/Santiago'))).toBe(2);
  });
});

describe('firstFreeCounters', () => {
  it('counts one sample by its working days, or as none', () => {
    expect(firstFreeCounters({ workingDays: 0 })).toEqual({ ffn: 1, 'ffd:0': 1 });
    expect(firstFreeCounters({ workingDays: 12 })).toEqual({ ffn: 1, 'ffd:12': 1 });
    expect(firstFreeCounters({ workingDays: null })).toEqual({ ffn: 1, 'ffd:none': 1 });
  });
});
