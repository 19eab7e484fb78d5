/** The SQL of the audit log: the per-tenant append lock, the chain's head, inserts and ordered reads. */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { AuditEvent } from '../../db/schema.js';
import type { AuditActorKind } from '../../db/schema.js';

/** A drizzle transaction: appends must commit or roll back with the event they record. */
export type AuditTx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Advisory-lock namespace of audit appends (first key of the two-key form; the second is the tenant's). */
const AUDIT_LOCK_NAMESPACE = 746_215_010;

/** ISO 8601 UTC with milliseconds, as JavaScript's toISOString writes it. */
const isoMs = (expr: SQL) => sql`to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

async function rows<T>(ex: Pick<Db, 'execute'>, query: SQL): Promise<T[]> {
  return ((await ex.execute(query)) as unknown as { rows: T[] }).rows;
}

/** A stable 32-bit key from the tenant id (its first 8 hex digits); a collision only makes two tenants take turns. */
function tenantLockKey(tenantId: string): number {
  return parseInt(tenantId.slice(0, 8), 16) | 0;
}

/**
 * Takes the tenant's append lock until the transaction ends. Must be its own
 * statement: under READ COMMITTED the next statement's snapshot then sees the
 * entries committed by whoever held the lock before.
 */
export async function lockTenantChain(tx: AuditTx, tenantId: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_NAMESPACE}::int4, ${tenantLockKey(tenantId)}::int4)`);
}

/** The last entry's seq and hash (none for an empty chain) and the database clock in whole milliseconds. */
export async function chainHead(tx: AuditTx, tenantId: string): Promise<{ seq: number; hash: string | null; now: string }> {
  const [row] = await rows<{ seq: number | null; hash: string | null; now: string }>(
    tx,
    sql`SELECT h.seq::float8 AS seq, h.hash, ${isoMs(sql`date_trunc('milliseconds', clock_timestamp())`)} AS now
          FROM (SELECT 1) one
          LEFT JOIN LATERAL (
            SELECT seq, hash FROM audit_log WHERE tenant_id = ${tenantId} ORDER BY seq DESC LIMIT 1
          ) h ON true`,
  );
  return { seq: row.seq === null ? 0 : Number(row.seq), hash: row.hash, now: row.now };
}

/** A stored entry, as read back for verification. */
export type AuditRow = {
  id: string;
  tenant_id: string;
  seq: number;
  at: string;
  event: AuditEvent;
  actor_kind: AuditActorKind;
  actor_staff_id: string | null;
  subjects: Record<string, string>;
  data: Record<string, string | number | boolean | null>;
  prev_hash: string;
  hash: string;
};

export async function insertEntry(tx: AuditTx, r: AuditRow): Promise<void> {
  await tx.execute(sql`
    INSERT INTO audit_log (id, tenant_id, seq, at, event, actor_kind, actor_staff_id, subjects, data, prev_hash, hash)
    VALUES (${r.id}, ${r.tenant_id}, ${r.seq}, ${r.at}::timestamptz, ${r.event}, ${r.actor_kind}, ${r.actor_staff_id},
            ${JSON.stringify(r.subjects)}::jsonb, ${JSON.stringify(r.data)}::jsonb, ${r.prev_hash}, ${r.hash})`);
}

/** Up to `limit` entries of a tenant after `afterSeq`, in chain order. */
export async function entriesAfter(db: Pick<Db, 'execute'>, tenantId: string, afterSeq: number, limit: number): Promise<AuditRow[]> {
  const list = await rows<AuditRow>(
    db,
    sql`SELECT id, tenant_id, seq::float8 AS seq, ${isoMs(sql`at`)} AS at, event, actor_kind, actor_staff_id, subjects, data, prev_hash, hash
          FROM audit_log
         WHERE tenant_id = ${tenantId} AND seq > ${afterSeq}
         ORDER BY seq
         LIMIT ${limit}`,
  );
  for (const r of list) r.seq = Number(r.seq);
  return list;
}

/** Entries about one attention, in chain order (its audit trail, e.g. for the evidence package). */
export async function entriesOfAttention(db: Pick<Db, 'execute'>, tenantId: string, attentionId: string): Promise<AuditRow[]> {
  const list = await rows<AuditRow>(
    db,
    sql`SELECT id, tenant_id, seq::float8 AS seq, ${isoMs(sql`at`)} AS at, event, actor_kind, actor_staff_id, subjects, data, prev_hash, hash
          FROM audit_log
         WHERE tenant_id = ${tenantId} AND (subjects->>'attention') = ${attentionId}
         ORDER BY seq`,
  );
  for (const r of list) r.seq = Number(r.seq);
  return list;
}
