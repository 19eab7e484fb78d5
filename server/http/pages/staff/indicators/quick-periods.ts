/**
 * The dashboard's one-click periods (today, last 7 and 30 days, this and the
 * previous month, this year), as local dates of the tenant's time zone.
 */
import { DateTime } from 'luxon';

export const QUICK_PERIODS = ['today', 'last7', 'last30', 'this_month', 'previous_month', 'this_year'] as const;
export type QuickPeriod = (typeof QUICK_PERIODS)[number];

/** `from` and `to` (inclusive, YYYY-MM-DD) of a quick period, seen from `now` in `zone`. */
export function quickPeriod(which: QuickPeriod, zone: string, now: Date = new Date()): { from: string; to: string } {
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  const day = (d: DateTime) => d.toISODate()!;
  switch (which) {
    case 'today':
      return { from: day(today), to: day(today) };
    case 'last7':
      return { from: day(today.minus({ days: 6 })), to: day(today) };
    case 'last30':
      return { from: day(today.minus({ days: 29 })), to: day(today) };
    case 'this_month':
      return { from: day(today.startOf('month')), to: day(today) };
    case 'previous_month': {
      const start = today.startOf('month').minus({ months: 1 });
      return { from: day(start), to: day(start.endOf('month')) };
    }
    case 'this_year':
      return { from: day(today.startOf('year')), to: day(today) };
  }
}
