/**
 * Queues a hand-off again: a supervisor's "Retry" on a failed (or stuck
 * pending) hand-off — a build_package job when its package was never built,
 * a deliver_package job otherwise — and every waiting package once a webhook
 * is set. The hand-off goes back to pending and the job is written in the
 * same transaction; never two open jobs for one package (the outbox's
 * one-open-job-per-filing index).
 */
import { sql } from 'drizzle-orm';
import { AppError } from '../../../shared/errors.js';
import { txRows, type Database } from '../../db/client.js';
import { enqueueJob } from '../../jobs/outbox.repository.js';
import { activeDeliveryJob } from './list-handoffs.js';

export type RetryDeps = { database: Database; maxAttempts: number; buildMaxAttempts: number; kickJobs?: () => void };

export async function retryHandoff(deps: RetryDeps, o: { tenantId: string; filingId: string }): Promise<void> {
  await deps.database.db.transaction(async (tx) => {
    // Lock first, then look for an active job in a new statement (READ COMMITTED: it sees what a concurrent retry committed).
    const [row] = await txRows<{ status: string; built: boolean }>(tx, sql`
      SELECT h.status, h.manifest_key IS NOT NULL AS built FROM handoffs h
       WHERE h.tenant_id = ${o.tenantId} AND h.filing_id = ${o.filingId} FOR UPDATE`);
    if (!row) throw new AppError('handoff_not_found');
    if (row.status === 'delivered' || row.status === 'purged') throw new AppError('conflict');
    const [active] = await txRows<{ queued: boolean }>(tx, sql`
      SELECT ${activeDeliveryJob} AS queued FROM handoffs h WHERE h.tenant_id = ${o.tenantId} AND h.filing_id = ${o.filingId}`);
    if (active?.queued) throw new AppError('conflict');
    const queued = await enqueueJob(tx, {
      tenantId: o.tenantId,
      type: row.built ? 'deliver_package' : 'build_package',
      payload: { filingId: o.filingId },
      maxAttempts: row.built ? deps.maxAttempts : deps.buildMaxAttempts,
      unique: true,
    });
    if (!queued) throw new AppError('conflict');
    await tx.execute(sql`UPDATE handoffs SET status = 'pending' WHERE tenant_id = ${o.tenantId} AND filing_id = ${o.filingId}`);
  });
  deps.kickJobs?.();
}

/** One delivery job for each of the tenant's built, undelivered packages that has none (after a webhook URL is set). Returns how many. */
export async function queueWaitingDeliveries(deps: RetryDeps, tenantId: string): Promise<number> {
  const queued = await deps.database.db.transaction(async (tx) => {
    const waiting = await txRows<{ filing_id: string }>(tx, sql`
      SELECT h.filing_id FROM handoffs h
       WHERE h.tenant_id = ${tenantId} AND h.status IN ('pending','failed') AND h.manifest_key IS NOT NULL AND NOT ${activeDeliveryJob}
       ORDER BY h.created_at
       FOR UPDATE OF h SKIP LOCKED`);
    let n = 0;
    for (const w of waiting) {
      if (!(await enqueueJob(tx, { tenantId, type: 'deliver_package', payload: { filingId: w.filing_id }, maxAttempts: deps.maxAttempts, unique: true }))) continue;
      await tx.execute(sql`UPDATE handoffs SET status = 'pending' WHERE tenant_id = ${tenantId} AND filing_id = ${w.filing_id}`);
      n++;
    }
    return n;
  });
  if (queued) deps.kickJobs?.();
  return queued;
}
