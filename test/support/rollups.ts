/**
 * Reads the rollups per procedure and channel, summed over a period, through
 * the same period and scope SQL as the dashboard (tests compare periods with
 * their days, and check what the sampler and the triggers wrote).
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../server/db/client.js';
import { rollupPeriodSql, rollupScopeSql, type CounterRow, type RollupFilter } from '../../server/modules/indicators/rollups.js';

/** Counters summed over the period, one row per procedure and channel that has any. */
export async function sumCounters(database: Database, tenantId: string, f: RollupFilter): Promise<CounterRow[]> {
  const rows = await database.rows<{ procedure_id: string; channel: string; k: string; v: string }>(sql`
    SELECT r.procedure_id, r.channel, kv.key AS k, sum((kv.value #>> '{}')::bigint)::text AS v
    FROM indicator_rollups r CROSS JOIN LATERAL jsonb_each(r.counts) kv
    WHERE ${rollupScopeSql(tenantId, f)} AND ${rollupPeriodSql(f)}
    GROUP BY 1, 2, 3`);
  const byKey = new Map<string, CounterRow>();
  for (const row of rows) {
    const key = `${row.procedure_id}|${row.channel}`;
    let entry = byKey.get(key);
    if (!entry) byKey.set(key, (entry = { procedureId: row.procedure_id, channel: row.channel, counts: {} }));
    entry.counts[row.k] = Number(row.v);
  }
  return [...byKey.values()];
}
