import { describe, expect, it } from 'vitest';
import { formatDayHours, parseDayHours } from './weekly-hours.js';

describe('weekly hours', () => {
  it('parses and formats ranges', () => {
    const rows = parseDayHours(1, '08:00-14:00, 16:00 - 19:30');
    expect(rows).toEqual([
      { weekday: 1, startsAt: '08:00', endsAt: '14:00' },
      { weekday: 1, startsAt: '16:00', endsAt: '19:30' },
    ]);
    expect(formatDayHours(rows!, 1)).toBe('08:00-14:00, 16:00-19:30');
    expect(parseDayHours(2, '')).toEqual([]);
  });
  it('refuses nonsense, reversed and overlapping ranges', () => {
    for (const bad of ['8-14', '14:00-08:00', '08:00-12:00, 11:00-13:00', '25:00-26:00', 'abc']) expect(parseDayHours(1, bad)).toBeNull();
  });
});
