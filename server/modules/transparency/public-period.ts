/**
 * The periods the public may ask for. Only settled months are ever published
 * (local months of the town hall): a month settles 15 days after it ended
 * (survey links last 14 days; late attentions end within hours), is then
 * stored once (publish-month.ts) and never changes, so nobody can subtract
 * one reading of a month from another. The panel shows one month or the last
 * 12 settled months; the open data serves any days of settled months, 366 at
 * most. Asking for a month not settled yet answers `period_invalid` with
 * `details.reason` = `not_yet_published` and the day it will be published.
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

/** Days after its end (in the town hall's zone) before a month is published: survey links last 14 days. */
export const SETTLE_DAYS = 15;

/** The last finished month in the town hall's zone (it may not be settled yet). */
export function lastWholeMonth(timeZone: string, now: Date = new Date()): string {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  return addMonths(local.toFormat('yyyy-MM'), -1);
}

/** The local day from which `month` is published: SETTLE_DAYS after it ended (the 16th of the next month). */
export function publicationDay(month: string): string {
  return `${addMonths(month, 1)}-${String(SETTLE_DAYS + 1).padStart(2, '0')}`;
}

/** Whether `month` is settled (publishable) in the town hall's zone. */
export function isSettled(month: string, timeZone: string, now: Date = new Date()): boolean {
  return DateTime.fromJSDate(now, { zone: timeZone }).toFormat('yyyy-MM-dd') >= publicationDay(month);
}

/** The last settled month in the town hall's zone: the newest month the public may see. */
export function lastSettledMonth(timeZone: string, now: Date = new Date()): string {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  return addMonths(local.toFormat('yyyy-MM'), local.day > SETTLE_DAYS ? -1 : -2);
}

/** `details.reason` of a `period_invalid` for a month that is not settled yet. */
export const NOT_YET_PUBLISHED = 'not_yet_published';

/** Throws `period_invalid` saying that `month` is not published yet, and from which day it will be. */
export function notYetPublished(field: string, month: string, latestMonth: string): never {
  fail('period_invalid', field, { reason: NOT_YET_PUBLISHED, month, publishedOn: publicationDay(month), latestMonth });
}

/** One month as a published period. */
export function monthPeriod(month: string): PublicPeriod {
  return { kind: 'month', ...monthDays(month), months: [month] };
}

/** The 12 months that end with the last settled one. */
export function last12Months(timeZone: string, now: Date = new Date()): PublicPeriod {
  const last = lastSettledMonth(timeZone, now);
  const months = Array.from({ length: 12 }, (_, i) => addMonths(last, i - 11));
  return { kind: 'last12', from: monthDays(months[0]).from, to: monthDays(last).to, months };
}

/** Whether `s` is a real month (YYYY-MM, from 1970). */
export function isMonth(s: string): boolean {
  const m = MONTH.exec(s);
  return !!m && Number(m[1]) >= 1970;
}

/**
 * A period choice as sent: absent, empty or `last12` = the last 12 settled
 * months; `YYYY-MM` = that month, if settled. Anything else answers
 * `period_invalid` naming `field`.
 */
export function parsePublicPeriod(raw: unknown, timeZone: string, now: Date = new Date(), field = 'period'): PublicPeriod {
  if (raw === undefined || raw === '' || raw === 'last12') return last12Months(timeZone, now);
  if (typeof raw !== 'string' || !isMonth(raw.trim())) fail('period_invalid', field);
  const month = raw.trim();
  const latest = lastSettledMonth(timeZone, now);
  if (month > latest) notYetPublished(field, month, latest);
  return monthPeriod(month);
}

/**
 * The days of an open-data request: real days, `from` not after `to`, `to` in
 * a settled month, at most 366 days. Absent: the last settled month.
 */
export function parseOpenDataRange(raw: { from?: string; to?: string }, timeZone: string, now: Date = new Date()): { from: string; to: string } {
  const latest = lastSettledMonth(timeZone, now);
  const lastDay = monthDays(latest).to;
  const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const fromRaw = blank(raw.from);
  const toRaw = blank(raw.to);
  if (fromRaw !== undefined && !isCalendarDay(fromRaw)) fail('period_invalid', 'from');
  if (toRaw !== undefined && !isCalendarDay(toRaw)) fail('period_invalid', 'to');
  if (fromRaw === undefined && toRaw === undefined) return monthDays(latest);
  const to = toRaw ?? lastDay;
  const from = fromRaw ?? monthDays(to.slice(0, 7)).from;
  if (to > lastDay) {
    fail('period_invalid', 'to', { reason: NOT_YET_PUBLISHED, month: to.slice(0, 7), publishedOn: publicationDay(to.slice(0, 7)), latestMonth: latest, lastPublishedDay: lastDay });
  }
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

/**
 * A month choice of the operator's comparison, in the operator's zone: absent =
 * the last settled month; otherwise any finished YYYY-MM (each town hall then
 * shows it only once settled in its own zone, see compare-tenants.ts).
 */
export function parseMonthChoice(raw: unknown, timeZone: string, now: Date = new Date(), field = 'month'): string {
  if (raw === undefined || raw === '') return lastSettledMonth(timeZone, now);
  if (typeof raw !== 'string' || !isMonth(raw.trim())) fail('period_invalid', field);
  const month = raw.trim();
  const latest = lastWholeMonth(timeZone, now);
  if (month > latest) notYetPublished(field, month, latest);
  return month;
}

/** The months a chooser offers: `count` months ending with `latest`, newest first (plus `chosen` when older). */
export function monthChoices(latest: string, count: number, chosen?: string): string[] {
  const months = Array.from({ length: count }, (_, i) => addMonths(latest, -i));
  if (chosen && isMonth(chosen) && chosen <= latest && !months.includes(chosen)) months.push(chosen);
  return months;
}
