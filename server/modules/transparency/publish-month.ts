/**
 * Publishes a settled month once and for all: the first request for it builds
 * the publication from the rollups (month-publication.ts) and stores it; every
 * later answer, in any process, is made from the stored copy, so a month never
 * changes after publication and nobody can subtract one reading from another.
 * Processes that build the same month together agree: the insert keeps the
 * first copy (ON CONFLICT DO NOTHING) and each one reads back what was kept.
 */
import type { Database } from '../../db/client.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { buildMonthPublication, type MonthPublication } from './month-publication.js';
import { isSettled, lastSettledMonth, notYetPublished } from './public-period.js';
import { insertPublication, readPublication } from './transparency.repository.js';

/** The month as published; `period_invalid` (reason not_yet_published) while it is not settled in the town hall's zone. */
export async function publishedMonth(
  database: Database,
  tenant: Pick<Tenant, 'id' | 'timeZone' | 'settings' | 'defaultLanguage'>,
  month: string,
  now: Date = new Date(),
): Promise<MonthPublication> {
  if (!isSettled(month, tenant.timeZone, now)) notYetPublished('month', month, lastSettledMonth(tenant.timeZone, now));
  const stored = await readPublication(database, tenant.id, month);
  if (stored) return stored;
  await insertPublication(database, tenant.id, await buildMonthPublication(database, tenant, month));
  const kept = await readPublication(database, tenant.id, month);
  if (!kept) throw new Error('transparency publication missing after insert');
  return kept;
}
