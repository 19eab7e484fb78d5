/**
 * Reads the indicator rollups for a period and filter. A period is a range of
 * local days (inclusive); whole months inside it are read from the month rows,
 * the days before and after from the day rows, so a year costs about a dozen
 * rows per procedure and channel instead of 365.
 */
import { sql, type SQL } from 'drizzle-orm';
import { ALL_AGENTS, ALL_PROCEDURES } from '../../db/schema.js';
import type { Database } from '../../db/client.js';
import type { Counters } from './counters.js';

export type RollupFilter = {
  /** First local day, YYYY-MM-DD. */
  from: string;
  /** Last local day (inclusive), YYYY-MM-DD. */
  to: string;
  procedureId?: string;
  channel?: string;
  departmentId?: string;
  /** One agent's rows; absent = every agent. */
  agentId?: string;
};

/** The counters of one procedure and channel over the period. */
export type CounterRow = { procedureId: string; channel: string; counts: Counters };

/** The first and the (exclusive) last month start of the whole months inside [from, to]. */
export function wholeMonths(from: string, to: string): { start: string; end: string } {
  const [fy, fm, fd] = from.split('-').map(Number);
  const start = fd === 1 ? monthStart(fy, fm) : monthStart(fy, fm + 1);
  const [ty, tm, td] = to.split('-').map(Number);
  const lastDay = new Date(Date.UTC(ty, tm, 0)).getUTCDate();
  const end = td === lastDay ? monthStart(ty, tm + 1) : monthStart(ty, tm);
  return start < end ? { start, end } : { start: from, end: from };
}

function monthStart(y: number, m: number): string {
  const d = new Date(Date.UTC(y, m - 1, 1));
  return d.toISOString().slice(0, 10);
}

/**
 * The rollup rows of a tenant and filter. `everyProcedure`: the rows that
 * already sum every procedure (all agents), which a filter without procedure,
 * department or agent can read instead of one row per procedure; otherwise
 * the per-procedure rows.
 */
export function rollupScopeSql(tenantId: string, f: RollupFilter, everyProcedure = false): SQL {
  const parts: SQL[] = [sql`r.tenant_id = ${tenantId}`, sql`r.agent_key = ${f.agentId ?? ALL_AGENTS}`];
  parts.push(everyProcedure ? sql`r.procedure_id = ${ALL_PROCEDURES}` : sql`r.procedure_id <> ${ALL_PROCEDURES}`);
  if (f.procedureId) parts.push(sql`r.procedure_id = ${f.procedureId}`);
  if (f.channel) parts.push(sql`r.channel = ${f.channel}`);
  if (f.departmentId) {
    parts.push(sql`r.procedure_id IN (SELECT id FROM procedures WHERE tenant_id = ${tenantId} AND department_id = ${f.departmentId})`);
  }
  return sql.join(parts, sql` AND `);
}

/** True when the filter can read the all-procedures rows. */
export function readsEveryProcedure(f: RollupFilter): boolean {
  return !f.procedureId && !f.departmentId && !f.agentId;
}

/** The rows of the period: whole months from month rows, the rest from day rows. */
export function rollupPeriodSql(f: RollupFilter): SQL {
  const m = wholeMonths(f.from, f.to);
  return sql`((r.grain = 'month' AND r.period_start >= ${m.start}::date AND r.period_start < ${m.end}::date)
    OR (r.grain = 'day' AND r.period_start BETWEEN ${f.from}::date AND ${f.to}::date
        AND NOT (r.period_start >= ${m.start}::date AND r.period_start < ${m.end}::date)))`;
}

/** Day rows of the period with their counters, for the open data (one row per day, procedure and channel). */
export async function dailyRows(database: Database, tenantId: string, f: RollupFilter): Promise<(CounterRow & { day: string })[]> {
  const rows = await database.rows<{ day: string; procedure_id: string; channel: string; counts: Counters }>(sql`
    SELECT r.period_start::text AS day, r.procedure_id, r.channel, r.counts
    FROM indicator_rollups r
    WHERE ${rollupScopeSql(tenantId, f)} AND r.grain = 'day' AND r.period_start BETWEEN ${f.from}::date AND ${f.to}::date
    ORDER BY 1, 2, 3`);
  return rows.map((r) => ({ day: r.day, procedureId: r.procedure_id, channel: r.channel, counts: r.counts }));
}

/**
 * Adds counters from outside the attention triggers (the availability sampler)
 * through the same database function, so every path writes rollups one way.
 */
export function addToRollupsSql(c: { tenantId: string; procedureId: string; channel: string; at: Date; timeZone: string; counts: Counters }): SQL {
  return sql`SELECT fin_rollup_upsert(ARRAY[ROW(${c.tenantId}::uuid, ${c.procedureId}::uuid, ${c.channel}, ${c.at.toISOString()}::timestamptz, ${c.timeZone}, NULL::uuid, ${JSON.stringify(c.counts)}::jsonb, 1)::fin_contrib])`;
}
