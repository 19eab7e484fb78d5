/**
 * The periods the public may ask for. Only whole, finished months are ever
 * published (local months of the town hall): a month is published once, with
 * one suppression pattern, so nobody can subtract yesterday's version of a
 * running month from today's. The panel shows one month or the last 12 whole
 * months; the open data serves any days of finished months, 366 at most.
 */
import { DateTime } from 'luxon';
import { AppError, type ErrorCode } from '../../../shared/errors.js';
import { isCalendarDay, periodDays } from '../indicators/indicator-filter.js';

/** The longest open-data request, in days (both ends included). */
export const OPEN_DATA_MAX_DAYS = 366;

/** A published period: one month, or the last 12 whole months; `months` are YYYY-MM, oldest first. */
export type PublicPeriod = { kind: 'month' | 'last12'; from: string; to: string; months: string[] };

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

function fail(code: ErrorCode, field: string, details: Record<string, unknown> = {}): never {
  throw new AppError(code, { fields: [{ path: field, code }], ...details });
}

/** `month` moved by `n` months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

/** The first and last day of a month. */
export function monthDays(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

/** The last finished month in the town hall's zone. */
export function lastWholeMonth(timeZone: string, now: Date = new Date()): string {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  return addMonths(local.toFormat('yyyy-MM'), -1);
}

export function monthPeriod(month: string): PublicPeriod {
  return { kind: 'month', ...monthDays(month), months: [month] };
}

/** The 12 whole months before the current one. */
export function last12Months(timeZone: string, now: Date = new Date()): PublicPeriod {
  const last = lastWholeMonth(timeZone, now);
  const months = Array.from({ length: 12 }, (_, i) => addMonths(last, i - 11));
  return { kind: 'last12', from: monthDays(months[0]).from, to: monthDays(last).to, months };
}

/** Whether `s` is a real month (YYYY-MM, from 1970). */
export function isMonth(s: string): boolean {
  const m = MONTH.exec(s);
  return !!m && Number(m[1]) >= 1970;
}

/**
 * A period choice as sent: absent, empty or `last12` = the last 12 whole
 * months; `YYYY-MM` = that month, if finished. Anything else answers
 * `period_invalid` naming `field`.
 */
export function parsePublicPeriod(raw: unknown, timeZone: string, now: Date = new Date(), field = 'period'): PublicPeriod {
  if (raw === undefined || raw === '' || raw === 'last12') return last12Months(timeZone, now);
  if (typeof raw !== 'string' || !isMonth(raw.trim())) fail('period_invalid', field);
  const month = raw.trim();
  const latest = lastWholeMonth(timeZone, now);
  if (month > latest) fail('period_invalid', field, { latestMonth: latest });
  return monthPeriod(month);
}

/**
 * The days of an open-data request: real days, `from` not after `to`, `to` in
 * a finished month, at most 366 days. Absent: the last whole month.
 */
export function parseOpenDataRange(raw: { from?: string; to?: string }, timeZone: string, now: Date = new Date()): { from: string; to: string } {
  const latest = lastWholeMonth(timeZone, now);
  const lastDay = monthDays(latest).to;
  const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const fromRaw = blank(raw.from);
  const toRaw = blank(raw.to);
  if (fromRaw !== undefined && !isCalendarDay(fromRaw)) fail('period_invalid', 'from');
  if (toRaw !== undefined && !isCalendarDay(toRaw)) fail('period_invalid', 'to');
  if (fromRaw === undefined && toRaw === undefined) return monthDays(latest);
  const to = toRaw ?? lastDay;
  const from = fromRaw ?? monthDays(to.slice(0, 7)).from;
  if (to > lastDay) fail('period_invalid', 'to', { lastPublishedDay: lastDay });
  if (from > to) fail('period_invalid', 'from');
  if (periodDays(from, to) > OPEN_DATA_MAX_DAYS) fail('period_too_long', 'to', { maxDays: OPEN_DATA_MAX_DAYS });
  return { from, to };
}

/** The months that the days touch, oldest first. */
export function monthsOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from.slice(0, 7); m <= to.slice(0, 7); m = addMonths(m, 1)) out.push(m);
  return out;
}

/** A month choice (the operator's comparison): absent = the last whole month; otherwise a finished YYYY-MM. */
export function parseMonthChoice(raw: unknown, timeZone: string, now: Date = new Date(), field = 'month'): string {
  const latest = lastWholeMonth(timeZone, now);
  if (raw === undefined || raw === '') return latest;
  if (typeof raw !== 'string' || !isMonth(raw.trim())) fail('period_invalid', field);
  if (raw.trim() > latest) fail('period_invalid', field, { latestMonth: latest });
  return raw.trim();
}

/** The months a chooser offers: the last `count` whole months, newest first (plus `chosen` when older). */
export function monthChoices(timeZone: string, count: number, chosen?: string, now: Date = new Date()): string[] {
  const latest = lastWholeMonth(timeZone, now);
  const months = Array.from({ length: count }, (_, i) => addMonths(latest, -i));
  if (chosen && isMonth(chosen) && chosen <= latest && !months.includes(chosen)) months.push(chosen);
  return months;
}
