/** SQL for staff members, their schedules and login sessions; scoped by tenant. */
import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { sessions, staff, staffSchedules } from '../../db/schema.js';

export type Staff = typeof staff.$inferSelect;
export type NewStaff = Omit<typeof staff.$inferInsert, 'id' | 'createdAt'>;

export async function findStaffByEmail(db: Db, tenantId: string, email: string): Promise<Staff | undefined> {
  const [row] = await db
    .select()
    .from(staff)
    .where(and(eq(staff.tenantId, tenantId), sql`lower(${staff.email}) = lower(${email})`))
    .limit(1);
  return row;
}

export async function insertStaff(db: Db, values: NewStaff): Promise<Staff> {
  const [row] = await db.insert(staff).values(values).returning();
  return row;
}

export async function insertSchedule(db: Db, rows: Array<typeof staffSchedules.$inferInsert>) {
  if (rows.length) await db.insert(staffSchedules).values(rows);
}

export async function listStaff(db: Db, tenantId: string): Promise<Staff[]> {
  return db.select().from(staff).where(eq(staff.tenantId, tenantId));
}

/** Records a failed login; locks the account after `maxFailures` in a row. */
export async function recordFailedLogin(db: Db, tenantId: string, id: string, maxFailures: number, lockMinutes: number) {
  await db
    .update(staff)
    .set({
      failedLogins: sql`${staff.failedLogins} + 1`,
      lockedUntil: sql`CASE WHEN ${staff.failedLogins} + 1 >= ${maxFailures} THEN now() + make_interval(mins => ${lockMinutes}) ELSE ${staff.lockedUntil} END`,
    })
    .where(and(eq(staff.tenantId, tenantId), eq(staff.id, id)));
}

export async function resetFailedLogins(db: Db, tenantId: string, id: string) {
  await db.update(staff).set({ failedLogins: 0, lockedUntil: null }).where(and(eq(staff.tenantId, tenantId), eq(staff.id, id)));
}

export async function insertSession(db: Db, row: typeof sessions.$inferInsert) {
  await db.insert(sessions).values(row);
}

/** The live session and its staff member for a token hash, within a tenant. */
export async function findSession(db: Db, tenantId: string, tokenHash: string) {
  const [row] = await db
    .select({ session: sessions, staff })
    .from(sessions)
    .innerJoin(staff, eq(staff.id, sessions.staffId))
    .where(and(eq(sessions.tokenHash, tokenHash), eq(sessions.tenantId, tenantId), gt(sessions.expiresAt, sql`now()`), eq(staff.active, true)))
    .limit(1);
  return row;
}

export async function deleteSession(db: Db, tenantId: string, tokenHash: string) {
  await db.delete(sessions).where(and(eq(sessions.tenantId, tenantId), eq(sessions.tokenHash, tokenHash)));
}

export async function listSchedules(db: Db, tenantId: string) {
  return db.select().from(staffSchedules).where(eq(staffSchedules.tenantId, tenantId));
}

export async function findStaffById(db: Db, tenantId: string, id: string): Promise<Staff | undefined> {
  const [row] = await db.select().from(staff).where(and(eq(staff.tenantId, tenantId), eq(staff.id, id))).limit(1);
  return row;
}

/** Which of these session hashes still belong to a live session of an active staff member. */
export async function liveSessionHashes(database: Database, hashes: string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await database.db
    .select({ h: sessions.tokenHash })
    .from(sessions)
    .innerJoin(staff, eq(staff.id, sessions.staffId))
    .where(and(inArray(sessions.tokenHash, hashes), gt(sessions.expiresAt, sql`now()`), eq(staff.active, true)));
  return new Set(rows.map((r) => r.h));
}
