/**
 * The period and filter of an indicators request, validated once for every
 * reader (API, dashboard, CSV, report): real calendar days in the tenant's
 * zone, at most 400 days, and ids that belong to this tenant. Bad input is a
 * translated error code, never a failed query.
 */
import { sql, type SQL } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import type { IndicatorFilter } from './indicators.types.js';

/** The longest period, in days (both ends included). */
export const MAX_PERIOD_DAYS = 400;
/** The default period: this many local days, ending today. */
export const DEFAULT_PERIOD_DAYS = 30;
export const INDICATOR_CHANNELS = ['video', 'phone', 'callback'] as const;

const text = (max: number) => z.string().max(max).optional();

/**
 * The query string of an indicators request. Every field is a plain optional
 * string so that the checks (and their error codes) live in one place,
 * `validateIndicatorFilter`; an empty value counts as absent (a form's "any").
 */
export const indicatorQuery = z.object({
  from: text(32).describe('First local day, YYYY-MM-DD (default: 29 days before `to`)'),
  to: text(32).describe('Last local day, included, YYYY-MM-DD (default: today in the town hall\'s zone)'),
  procedure: text(64).describe('Procedure id'),
  channel: text(16).describe('video, phone or callback'),
  department: text(64).describe('Department id'),
  agent: text(64).describe('Staff id (not on public views)'),
});
export type IndicatorQuery = z.infer<typeof indicatorQuery>;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fail(code: ErrorCode, field: string): never {
  throw new AppError(code, { fields: [{ path: field, code }] });
}

/** A real calendar day (2026-02-30 is not), years 2000–2100 (no service has data outside them). */
export function isCalendarDay(s: string): boolean {
  const m = DAY.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 2000 || y > 2100) return false;
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** `day` moved by `n` days (YYYY-MM-DD arithmetic, no time zone involved). */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included. */
export function periodDays(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** Today in the zone, YYYY-MM-DD. */
export function localToday(timeZone: string, now: Date = new Date()): string {
  return DateTime.fromJSDate(now, { zone: timeZone }).toISODate() ?? now.toISOString().slice(0, 10);
}

const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

/**
 * Checks a period and filter as sent (a query string, a form) and returns it
 * ready for computeIndicators. Throws `validation_failed` (shape, channel, an
 * agent where none is allowed), `period_invalid` (not a day, start after end),
 * `period_too_long` (over 400 days) or `filter_unknown` (an id that is not a
 * procedure, department or staff member of this tenant), each with
 * `details.fields` naming the field. At most one query.
 */
export async function validateIndicatorFilter(
  database: Database,
  tenant: Pick<Tenant, 'id' | 'timeZone'>,
  raw: unknown,
  opts: { allowAgent?: boolean; defaultDays?: number; now?: Date } = {},
): Promise<IndicatorFilter> {
  const parsed = indicatorQuery.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new AppError('validation_failed', { fields: parsed.error.issues.map((i) => ({ path: String(i.path[0] ?? 'query'), code: 'validation_failed' })) });
  }
  const q = parsed.data;
  const fromRaw = blank(q.from);
  const toRaw = blank(q.to);
  if (fromRaw !== undefined && !isCalendarDay(fromRaw)) fail('period_invalid', 'from');
  if (toRaw !== undefined && !isCalendarDay(toRaw)) fail('period_invalid', 'to');
  const to = toRaw ?? localToday(tenant.timeZone, opts.now);
  const from = fromRaw ?? addDays(to, -((opts.defaultDays ?? DEFAULT_PERIOD_DAYS) - 1));
  if (from > to) fail('period_invalid', fromRaw ? 'from' : 'to');
  if (periodDays(from, to) > MAX_PERIOD_DAYS) fail('period_too_long', 'to');

  const filter: IndicatorFilter = { from, to };
  const channel = blank(q.channel);
  if (channel !== undefined) {
    if (!(INDICATOR_CHANNELS as readonly string[]).includes(channel)) fail('validation_failed', 'channel');
    filter.channel = channel as IndicatorFilter['channel'];
  }
  const agent = blank(q.agent);
  if (agent !== undefined && opts.allowAgent === false) fail('validation_failed', 'agent');

  const ids = { procedure: blank(q.procedure), department: blank(q.department), agent };
  for (const [field, id] of Object.entries(ids)) if (id !== undefined && !UUID.test(id)) fail('filter_unknown', field);

  const checks: SQL[] = [];
  if (ids.procedure) checks.push(sql`(SELECT count(*) FROM procedures WHERE tenant_id = ${tenant.id} AND id = ${ids.procedure})::int AS procedure`);
  if (ids.department) checks.push(sql`(SELECT count(*) FROM departments WHERE tenant_id = ${tenant.id} AND id = ${ids.department})::int AS department`);
  if (ids.agent) checks.push(sql`(SELECT count(*) FROM staff WHERE tenant_id = ${tenant.id} AND id = ${ids.agent})::int AS agent`);
  if (checks.length > 0) {
    const [found] = await database.rows<Record<string, number>>(sql`SELECT ${sql.join(checks, sql`, `)}`);
    for (const field of ['procedure', 'department', 'agent'] as const) {
      if (ids[field] && Number(found[field]) === 0) fail('filter_unknown', field);
    }
  }
  if (ids.procedure) filter.procedureId = ids.procedure.toLowerCase();
  if (ids.department) filter.departmentId = ids.department.toLowerCase();
  if (ids.agent) filter.agentId = ids.agent.toLowerCase();
  return filter;
}
