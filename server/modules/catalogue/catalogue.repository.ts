/** SQL for the procedure catalogue; every call is scoped by tenant. */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { departments, procedures } from '../../db/schema.js';

export type Procedure = typeof procedures.$inferSelect;
export type NewProcedure = Omit<typeof procedures.$inferInsert, 'id' | 'tenantId' | 'createdAt'>;

export async function listProcedures(db: Db, tenantId: string, opts: { activeOnly: boolean }): Promise<Procedure[]> {
  const where = opts.activeOnly
    ? and(eq(procedures.tenantId, tenantId), eq(procedures.active, true))
    : eq(procedures.tenantId, tenantId);
  return db.select().from(procedures).where(where).orderBy(asc(procedures.position), asc(procedures.code));
}

export async function findProcedureByCode(db: Db, tenantId: string, code: string): Promise<Procedure | undefined> {
  const [row] = await db
    .select()
    .from(procedures)
    .where(and(eq(procedures.tenantId, tenantId), eq(procedures.code, code)))
    .limit(1);
  return row;
}

export async function findProcedureById(db: Db, tenantId: string, id: string): Promise<Procedure | undefined> {
  const [row] = await db
    .select()
    .from(procedures)
    .where(and(eq(procedures.tenantId, tenantId), eq(procedures.id, id)))
    .limit(1);
  return row;
}

export async function insertProcedure(db: Db, tenantId: string, values: NewProcedure): Promise<Procedure> {
  const [row] = await db.insert(procedures).values({ ...values, tenantId }).returning();
  return row;
}

export async function updateProcedure(db: Db, tenantId: string, id: string, values: NewProcedure): Promise<Procedure | undefined> {
  const [row] = await db
    .update(procedures)
    .set(values)
    .where(and(eq(procedures.tenantId, tenantId), eq(procedures.id, id)))
    .returning();
  return row;
}

export async function listDepartments(db: Db, tenantId: string) {
  return db.select().from(departments).where(eq(departments.tenantId, tenantId));
}

export async function findDepartment(db: Db, tenantId: string, id: string) {
  const [row] = await db
    .select()
    .from(departments)
    .where(and(eq(departments.tenantId, tenantId), eq(departments.id, id)))
    .limit(1);
  return row;
}
