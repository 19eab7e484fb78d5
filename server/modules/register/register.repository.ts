/** The SQL of the register: the next number of a tenant's year, the entry row, and reading an entry back. */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { registerEntries } from '../../db/schema.js';
import type { AuditTx } from '../audit/audit.repository.js';

/** A drizzle transaction: the number must commit or roll back with the filing. */
export type RegisterTx = AuditTx;

/** A stored register entry. */
export type RegisterEntry = typeof registerEntries.$inferSelect;

/**
 * Takes the next number of the tenant's registration year: one upsert on
 * `register_counters` (the first filing of a year inserts 1; later ones add 1
 * under the counter row's lock, held until the transaction ends, so a
 * rolled-back filing gives its number back). The year is `at`'s year in
 * `timeZone`; without `at` it is the database clock, read in this statement.
 */
export async function nextRegisterNumber(
  tx: RegisterTx,
  o: { tenantId: string; timeZone: string; at?: Date },
): Promise<{ year: number; number: number; registeredAt: Date }> {
  const at: SQL = o.at ? sql`${o.at.toISOString()}::timestamptz` : sql`date_trunc('milliseconds', clock_timestamp())`;
  const res = (await tx.execute(sql`
    WITH t AS (SELECT ${at} AS at),
    c AS (
      INSERT INTO register_counters (tenant_id, year, last_number)
      SELECT ${o.tenantId}::uuid, extract(year FROM t.at AT TIME ZONE ${o.timeZone}::text)::int, 1 FROM t
      ON CONFLICT (tenant_id, year) DO UPDATE SET last_number = register_counters.last_number + 1
      RETURNING year, last_number)
    SELECT c.year, c.last_number AS number, (extract(epoch FROM t.at) * 1000)::float8 AS at_ms FROM c, t`)) as unknown as {
    rows: { year: number; number: number; at_ms: number }[];
  };
  const row = res.rows[0];
  return { year: Number(row.year), number: Number(row.number), registeredAt: new Date(Number(row.at_ms)) };
}

export async function insertRegisterEntry(tx: RegisterTx, row: typeof registerEntries.$inferInsert): Promise<RegisterEntry> {
  const [entry] = await tx.insert(registerEntries).values(row).returning();
  return entry;
}

/** An entry of the tenant by id; null when unknown or another tenant's. */
export async function findRegisterEntry(db: Pick<Db, 'select'>, tenantId: string, id: string): Promise<RegisterEntry | null> {
  const [entry] = await db
    .select()
    .from(registerEntries)
    .where(and(eq(registerEntries.tenantId, tenantId), eq(registerEntries.id, id)));
  return entry ?? null;
}
