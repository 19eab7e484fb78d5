/**
 * Checks a tenant's audit chain from its first entry: seq runs 1, 2, 3…
 * without gaps, each prev_hash equals the previous entry's hash (the genesis
 * value for the first), and each hash equals the SHA-256 of the entry's
 * canonical form. Reads in batches of `batchSize`, so a chain of millions of
 * entries never sits in memory. The answer names the first broken entry by
 * seq and id only. (Removing the newest entries leaves a shorter valid chain:
 * compare `entries` and `head` with a copy kept elsewhere to notice that.)
 */
import type { Database } from '../../db/client.js';
import { GENESIS_HASH, hashEntry } from './audit-hash.js';
import type { AuditActor } from './audit.schemas.js';
import { entriesAfter, type AuditRow } from './audit.repository.js';

export type AuditBreak = 'seq_gap' | 'prev_hash_mismatch' | 'hash_mismatch';

export type AuditVerification =
  | { ok: true; entries: number; head: string }
  | { ok: false; firstBroken: { seq: number; id: string; reason: AuditBreak } };

/** The reason an entry breaks the chain after an entry with `prevSeq` and `prevHash`, or null when it holds. */
export function checkEntry(r: AuditRow, prevSeq: number, prevHash: string): AuditBreak | null {
  if (r.seq !== prevSeq + 1) return 'seq_gap';
  if (r.prev_hash !== prevHash) return 'prev_hash_mismatch';
  const actor = (r.actor_kind === 'staff' ? { kind: 'staff', staffId: r.actor_staff_id } : { kind: r.actor_kind }) as AuditActor;
  const expected = hashEntry({
    id: r.id,
    tenantId: r.tenant_id,
    seq: r.seq,
    at: r.at,
    event: r.event,
    actor,
    subjects: r.subjects,
    data: r.data,
    prevHash: r.prev_hash,
  });
  return expected === r.hash ? null : 'hash_mismatch';
}

export async function verifyAuditChain(database: Pick<Database, 'db'>, tenantId: string, o: { batchSize?: number } = {}): Promise<AuditVerification> {
  const batchSize = o.batchSize ?? 1000;
  let prevSeq = 0;
  let prevHash = GENESIS_HASH;
  for (;;) {
    const batch = await entriesAfter(database.db, tenantId, prevSeq, batchSize);
    for (const r of batch) {
      const reason = checkEntry(r, prevSeq, prevHash);
      if (reason) return { ok: false, firstBroken: { seq: r.seq, id: r.id, reason } };
      prevSeq = r.seq;
      prevHash = r.hash;
    }
    if (batch.length < batchSize) return { ok: true, entries: prevSeq, head: prevHash };
  }
}
