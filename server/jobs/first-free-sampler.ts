/**
 * Samples, per tenant, procedure and channel, the working days to the first
 * free appointment (indicators), once an hour. Every process runs the task;
 * the row a process inserts in `availability_sample_runs` for the tenant and
 * the UTC hour decides who samples, in the same transaction as the counters,
 * so each tenant is sampled once per hour however many processes there are.
 */
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Database } from '../db/client.js';
import { safeError } from '../logger.js';
import { firstFreeCounters, firstFreeSamples } from '../modules/indicators/first-free.js';
import { addToRollupsSql } from '../modules/indicators/rollups.js';
import { CalendarCache } from '../modules/scheduling/calendar-cache.js';
import { listTenants, type Tenant } from '../modules/tenants/tenants.repository.js';
import { PeriodicTask } from './periodic-task.js';

const HOUR_MS = 3_600_000;

export type SamplerDeps = { database: Database; calendars: CalendarCache; logger?: Logger };

/** The UTC hour (truncated) a sample taken at `now` belongs to. */
export function sampleHour(now: number): Date {
  return new Date(Math.floor(now / HOUR_MS) * HOUR_MS);
}

/**
 * Samples one tenant for the hour of `now`, unless some process already has.
 * Returns the number of samples written (0 when the hour was already taken).
 */
export async function sampleTenantFirstFree(deps: SamplerDeps, tenant: Tenant, now: number): Promise<number> {
  const hour = sampleHour(now).toISOString();
  const taken = await deps.database.rows(sql`
    SELECT 1 FROM availability_sample_runs WHERE tenant_id = ${tenant.id} AND hour = ${hour}::timestamptz`);
  if (taken.length > 0) return 0;
  // Computed before the transaction: it reads the calendar, and PGlite has one connection.
  const samples = await firstFreeSamples({ calendars: deps.calendars, tenant, now });
  return deps.database.db.transaction(async (tx) => {
    const won = (await tx.execute(sql`
      INSERT INTO availability_sample_runs (tenant_id, hour) VALUES (${tenant.id}, ${hour}::timestamptz)
      ON CONFLICT DO NOTHING RETURNING tenant_id`)) as unknown as { rows: unknown[] };
    if (won.rows.length === 0) return 0;
    const at = new Date(now);
    for (const s of samples) {
      await tx.execute(addToRollupsSql({ tenantId: tenant.id, procedureId: s.procedureId, channel: s.channel, at, timeZone: tenant.timeZone, counts: firstFreeCounters(s) }));
    }
    return samples.length;
  });
}

/** One pass over every tenant for the hour of `now`; a tenant that fails is logged and the others go on. */
export async function sampleFirstFreePass(deps: SamplerDeps, now = Date.now()): Promise<{ tenants: number; samples: number }> {
  let tenants = 0;
  let samples = 0;
  for (const tenant of await listTenants(deps.database.db)) {
    try {
      const n = await sampleTenantFirstFree(deps, tenant, now);
      if (n > 0) tenants++;
      samples += n;
    } catch (e) {
      deps.logger?.error({ err: safeError(e), tenantId: tenant.id }, 'first-free sample failed');
    }
  }
  return { tenants, samples };
}

/**
 * A pass every 5 minutes (the first half a minute after the start): each hour is
 * sampled once by whichever process inserts it first, and a process restarted
 * more often than hourly, or a pass that drifts, still leaves no hour out.
 */
const PASS_MS = 5 * 60_000;
const FIRST_PASS_MS = 30_000;

export function firstFreeSampler(deps: { database: Database; config: Config; logger: Logger }, intervalMs = PASS_MS) {
  const calendars = new CalendarCache(deps.database);
  return new PeriodicTask(
    'first-free sampler',
    async () => {
      const done = await sampleFirstFreePass({ database: deps.database, calendars, logger: deps.logger });
      if (done.tenants > 0) deps.logger.info(done, 'first-free sampler');
    },
    { intervalMs, firstDelayMs: Math.min(FIRST_PASS_MS, intervalMs), logger: deps.logger },
  );
}
