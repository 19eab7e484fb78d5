/**
 * The scheduled reports: once a tenant's local date reaches the 1st, the
 * previous month's report job is queued, once, whatever the number of
 * processes and restarts (reports.repository.ts `queueScheduledReport`).
 */
import type { Database } from '../../db/client.js';
import { listTenants } from '../tenants/tenants.repository.js';
import { addMonths, currentMonth, localToday } from './report-month.js';
import { queueScheduledReport } from './reports.repository.js';

/** One pass over every tenant; returns how many report jobs this pass queued. */
export async function scheduleMonthlyReports(deps: { database: Database; jobMaxAttempts: number }, now: Date = new Date()): Promise<number> {
  let queued = 0;
  for (const tenant of await listTenants(deps.database.db)) {
    const current = currentMonth(tenant.timeZone, now);
    // a town hall that did not exist yet in the previous month has nothing to report for it
    if (localToday(tenant.timeZone, tenant.createdAt) >= `${current}-01`) continue;
    if (await queueScheduledReport(deps.database, { tenantId: tenant.id, month: addMonths(current, -1), maxAttempts: deps.jobMaxAttempts })) queued++;
  }
  return queued;
}
