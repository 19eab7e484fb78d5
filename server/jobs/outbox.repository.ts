/**
 * The outbox: durable jobs queued inside the caller's transaction (they exist
 * only if the change commits), and the email outbox of a tenant for admins.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { jobs } from '../db/schema.js';

export async function listEmailJobs(db: Db, tenantId: string, limit = 100) {
  return db
    .select()
    .from(jobs)
    .where(and(eq(jobs.tenantId, tenantId), eq(jobs.type, 'email')))
    .orderBy(desc(jobs.createdAt))
    .limit(limit);
}

export async function findEmailJob(db: Db, tenantId: string, id: string) {
  const [row] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.tenantId, tenantId), eq(jobs.type, 'email'), eq(jobs.id, id)))
    .limit(1);
  return row;
}

/**
 * Queues a durable job in the caller's transaction. `unique` = at most one
 * pending or running job of this type per filing (the partial unique index
 * `jobs_one_open_per_filing`, migration 0016): a second is silently not queued.
 * Returns whether a job was queued.
 */
export async function enqueueJob(
  tx: Pick<Db, 'execute'>,
  o: { tenantId: string | null; type: string; payload: Record<string, unknown>; maxAttempts: number; runAt?: Date; unique?: boolean },
): Promise<boolean> {
  const runAt = o.runAt ? o.runAt.toISOString() : null;
  const result = (await tx.execute(sql`
    INSERT INTO jobs (tenant_id, type, payload, max_attempts, run_at)
    VALUES (${o.tenantId}, ${o.type}, ${JSON.stringify(o.payload)}::jsonb, ${o.maxAttempts}, COALESCE(${runAt}::timestamptz, now()))
    ${o.unique ? sql`ON CONFLICT DO NOTHING` : sql``}
    RETURNING id`)) as unknown as { rows: unknown[] };
  return result.rows.length > 0;
}
