/** Reads the email outbox of a tenant for admins. */
import { and, desc, eq } from 'drizzle-orm';
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
