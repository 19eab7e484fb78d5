/**
 * Appends a legal event to its tenant's audit chain, inside the caller's
 * transaction: the entry commits or rolls back with the change it records.
 * Appends of one tenant take turns on a transaction-scoped advisory lock, so
 * concurrent transactions (any number of processes) never fork the chain or
 * leave a gap; the unique (tenant_id, seq) key refuses any append that would.
 * The lock is held until commit: append as the last step of the transaction.
 * Needs READ COMMITTED (the default); under REPEATABLE READ a concurrent
 * append makes this one fail on the unique key rather than fork the chain.
 */
import { randomUUID } from 'node:crypto';
import { hashEntry, GENESIS_HASH } from './audit-hash.js';
import { auditEntryInput, type AuditActor, type AuditEntryInput } from './audit.schemas.js';
import { chainHead, insertEntry, lockTenantChain, type AuditTx } from './audit.repository.js';

export type { AuditTx } from './audit.repository.js';

/** What was appended. */
export type AppendedAudit = { id: string; seq: number; at: string; prevHash: string; hash: string };

export async function appendAudit(tx: AuditTx, input: AuditEntryInput): Promise<AppendedAudit> {
  const parsed = auditEntryInput.safeParse(input);
  if (!parsed.success) {
    // programming error; the message names fields, never values
    throw new Error(`invalid audit entry: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  await lockTenantChain(tx, e.tenantId);
  const head = await chainHead(tx, e.tenantId);
  const actor: AuditActor = e.actor;
  const fields = {
    id: randomUUID(),
    tenantId: e.tenantId,
    seq: head.seq + 1,
    at: head.now,
    event: e.event,
    actor,
    subjects: e.subjects,
    data: e.data,
    prevHash: head.hash ?? GENESIS_HASH,
  };
  const hash = hashEntry(fields);
  await insertEntry(tx, {
    id: fields.id,
    tenant_id: fields.tenantId,
    seq: fields.seq,
    at: fields.at,
    event: fields.event,
    actor_kind: actor.kind,
    actor_staff_id: actor.kind === 'staff' ? actor.staffId : null,
    subjects: fields.subjects,
    data: fields.data,
    prev_hash: fields.prevHash,
    hash,
  });
  return { id: fields.id, seq: fields.seq, at: fields.at, prevHash: fields.prevHash, hash };
}
