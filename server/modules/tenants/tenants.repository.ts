/** SQL for town halls (tenants) and their calendars. */
import { and, asc, eq, gte } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { holidays, officeHours, tenants } from '../../db/schema.js';

export type Tenant = typeof tenants.$inferSelect;
export type NewTenant = typeof tenants.$inferInsert;

export async function findTenantBySlug(db: Db, slug: string): Promise<Tenant | undefined> {
  const [row] = await db.select().from(tenants).where(eq(tenants.slug, slug)).limit(1);
  return row;
}

export async function listTenants(db: Db): Promise<Tenant[]> {
  return db.select().from(tenants).orderBy(asc(tenants.name));
}

export async function listOfficeHours(db: Db, tenantId: string) {
  return db.select().from(officeHours).where(eq(officeHours.tenantId, tenantId));
}

export async function listHolidays(db: Db, tenantId: string, fromDay: string) {
  return db
    .select()
    .from(holidays)
    .where(and(eq(holidays.tenantId, tenantId), gte(holidays.day, fromDay)))
    .orderBy(asc(holidays.day));
}

export async function findTenantById(db: Db, id: string): Promise<Tenant | undefined> {
  const [row] = await db.select().from(tenants).where(eq(tenants.id, id)).limit(1);
  return row;
}
