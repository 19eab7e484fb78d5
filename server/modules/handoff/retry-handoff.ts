/**
 * Queues a delivery again: a supervisor's "Retry" on a failed (or stuck
 * pending) hand-off, and every waiting package once a webhook is set. The
 * hand-off goes back to pending and one deliver_package job is written in the
 * same transaction; never two active jobs for one package.
 */
import { sql } from 'drizzle-orm';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import { activeDeliveryJob } from './list-handoffs.js';

export async function retryHandoff(deps: { database: Database; maxAttempts: number; kickJobs?: () => void }, o: { tenantId: string; filingId: string }): Promise<void> {
  await deps.database.db.transaction(async (tx) => {
    // Lock first, then look for an active job in a new statement (READ COMMITTED: it sees what a concurrent retry committed).
    const res = (await tx.execute(sql`
      SELECT h.status FROM handoffs h
       WHERE h.tenant_id = ${o.tenantId} AND h.filing_id = ${o.filingId} AND h.manifest_key IS NOT NULL FOR UPDATE`)) as unknown as { rows: Array<{ status: string }> };
    const row = res.rows[0];
    if (!row) throw new AppError('handoff_not_found');
    const active = (await tx.execute(sql`
      SELECT ${activeDeliveryJob} AS queued FROM handoffs h WHERE h.tenant_id = ${o.tenantId} AND h.filing_id = ${o.filingId}`)) as unknown as { rows: Array<{ queued: boolean }> };
    if (active.rows[0]?.queued) throw new AppError('conflict');
    if (row.status === 'delivered' || row.status === 'purged') throw new AppError('conflict');
    await tx.execute(sql`UPDATE handoffs SET status = 'pending' WHERE tenant_id = ${o.tenantId} AND filing_id = ${o.filingId}`);
    await tx.execute(sql`
      INSERT INTO jobs (tenant_id, type, payload, max_attempts)
      VALUES (${o.tenantId}, 'deliver_package', ${JSON.stringify({ filingId: o.filingId })}::jsonb, ${deps.maxAttempts})`);
  });
  deps.kickJobs?.();
}

/** One delivery job for each of the tenant's undelivered packages that has none (after a webhook URL is set). Returns how many. */
export async function queueWaitingDeliveries(deps: { database: Database; maxAttempts: number; kickJobs?: () => void }, tenantId: string): Promise<number> {
  const rows = await deps.database.rows(sql`
    WITH w AS (
      UPDATE handoffs h SET status = 'pending'
       WHERE h.tenant_id = ${tenantId} AND h.status IN ('pending','failed') AND h.manifest_key IS NOT NULL AND NOT ${activeDeliveryJob}
      RETURNING h.filing_id, h.tenant_id)
    INSERT INTO jobs (tenant_id, type, payload, max_attempts)
    SELECT tenant_id, 'deliver_package', jsonb_build_object('filingId', filing_id), ${deps.maxAttempts} FROM w
    RETURNING id`);
  if (rows.length) deps.kickJobs?.();
  return rows.length;
}
