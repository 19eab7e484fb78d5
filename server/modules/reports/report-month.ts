/**
 * The months a report can describe, in the tenant's time zone: a month is
 * `YYYY-MM`; the scheduled report is the previous local month; on demand, the
 * current local month (so far) or one of the 23 before it.
 */
import { DateTime } from 'luxon';
import { AppError } from '../../../shared/errors.js';

/** How many months, the current one included, a supervisor can ask a report for. */
export const ON_DEMAND_MONTHS = 24;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(v: unknown): v is string {
  return typeof v === 'string' && MONTH.test(v) && Number(v.slice(0, 4)) >= 2000;
}

/** `month` moved by `n` months (negative = back). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

/** Today in the zone, YYYY-MM-DD. */
export function localToday(timeZone: string, now: Date = new Date()): string {
  return DateTime.fromJSDate(now, { zone: timeZone }).toISODate()!;
}

export function currentMonth(timeZone: string, now: Date = new Date()): string {
  return localToday(timeZone, now).slice(0, 7);
}

/** The first and the last day of a month. */
export function monthDays(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

/** The first day of the month, as the `monthly_reports.month` column keeps it. */
export const monthStartDate = (month: string) => `${month}-01`;

/**
 * The days a report covers: the whole month, or up to today for the month in
 * course (`partial`).
 */
export function reportPeriod(month: string, today: string): { from: string; to: string; partial: boolean } {
  const days = monthDays(month);
  return today < days.to ? { from: days.from, to: today, partial: true } : { ...days, partial: false };
}

/** The months offered on demand, newest first. */
export function onDemandMonths(timeZone: string, now: Date = new Date()): string[] {
  const current = currentMonth(timeZone, now);
  return Array.from({ length: ON_DEMAND_MONTHS }, (_, i) => addMonths(current, -i));
}

export type MonthProblem = 'month_malformed' | 'month_future' | 'month_too_old';

/** Why a month cannot be asked for, or undefined when it can. */
export function monthProblem(raw: unknown, timeZone: string, now: Date = new Date()): MonthProblem | undefined {
  if (!isMonth(raw)) return 'month_malformed';
  const current = currentMonth(timeZone, now);
  if (raw > current) return 'month_future';
  if (raw < addMonths(current, -(ON_DEMAND_MONTHS - 1))) return 'month_too_old';
  return undefined;
}

/** The month asked for on demand, or `period_invalid` naming the problem (`details.fields[0].code`). */
export function checkReportMonth(raw: unknown, timeZone: string, now: Date = new Date()): string {
  const problem = monthProblem(raw, timeZone, now);
  if (problem) throw new AppError('period_invalid', { fields: [{ path: 'month', code: problem }] });
  return raw as string;
}

/**
 * What a period is compared with: the whole previous month, or for a month in
 * progress the same days of the previous month (1st to the same day, or its
 * last day when shorter), so a partial month is not set against a full one.
 */
export function comparisonPeriod(month: string, period: { to: string; partial: boolean }): { from: string; to: string } {
  const previous = monthDays(addMonths(month, -1));
  if (!period.partial) return previous;
  const sameDay = `${previous.to.slice(0, 8)}${period.to.slice(8, 10)}`;
  return { from: previous.from, to: sameDay < previous.to ? sameDay : previous.to };
}
