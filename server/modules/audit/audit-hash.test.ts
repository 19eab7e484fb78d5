import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalEntry, GENESIS_HASH, hashEntry, type AuditHashedFields } from './audit-hash.js';
import { checkEntry } from './verify-audit-chain.js';
import type { AuditRow } from './audit.repository.js';

const entry: AuditHashedFields = {
  id: '11111111-1111-4111-8111-111111111111',
  tenantId: '22222222-2222-4222-8222-222222222222',
  seq: 1,
  at: '2026-03-01T09:30:00.123Z',
  event: 'recording_consent_given',
  actor: { kind: 'citizen' },
  subjects: { recording: '44444444-4444-4444-8444-444444444444', attention: '33333333-3333-4333-8333-333333333333' },
  data: { language: 'ca', consentTextSha256: 'ab'.repeat(32) },
  prevHash: GENESIS_HASH,
};

/** Written out by hand from RFC 8785: keys sorted at every level, no whitespace. */
const CANONICAL =
  '{"actor":{"kind":"citizen"},"at":"2026-03-01T09:30:00.123Z",' +
  `"data":{"consentTextSha256":"${'ab'.repeat(32)}","language":"ca"},` +
  '"event":"recording_consent_given","id":"11111111-1111-4111-8111-111111111111",' +
  `"prevHash":"${'0'.repeat(64)}","seq":1,` +
  '"subjects":{"attention":"33333333-3333-4333-8333-333333333333","recording":"44444444-4444-4444-8444-444444444444"},' +
  '"tenantId":"22222222-2222-4222-8222-222222222222"}';

describe('audit entry hash', () => {
  it('the genesis value is 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('hashes the RFC 8785 canonical JSON, stable across releases', () => {
    expect(canonicalEntry(entry)).toBe(CANONICAL);
    expect(hashEntry(entry)).toBe(createHash('sha256').update(CANONICAL).digest('hex'));
    // pinned: a change here breaks every stored chain
    expect(hashEntry(entry)).toBe('f6710d0423187637f9508c781e0743dc397c08de6b3e8e5cb87df0a5a27416a6');
  });

  it('does not depend on the order of keys', () => {
    const shuffled: AuditHashedFields = {
      prevHash: entry.prevHash,
      data: { consentTextSha256: 'ab'.repeat(32), language: 'ca' },
      subjects: { attention: entry.subjects.attention, recording: entry.subjects.recording },
      actor: entry.actor,
      event: entry.event,
      at: entry.at,
      seq: entry.seq,
      tenantId: entry.tenantId,
      id: entry.id,
    };
    expect(hashEntry(shuffled)).toBe(hashEntry(entry));
  });

  it('changes with every hashed field, the previous hash included', () => {
    const base = hashEntry(entry);
    const variants: AuditHashedFields[] = [
      { ...entry, id: '11111111-1111-4111-8111-111111111112' },
      { ...entry, tenantId: '22222222-2222-4222-8222-222222222223' },
      { ...entry, seq: 2 },
      { ...entry, at: '2026-03-01T09:30:00.124Z' },
      { ...entry, event: 'consent_given' },
      { ...entry, actor: { kind: 'system' } },
      { ...entry, actor: { kind: 'staff', staffId: '55555555-5555-4555-8555-555555555555' } },
      { ...entry, subjects: { attention: entry.subjects.attention } },
      { ...entry, data: { ...entry.data, language: 'es' } },
      { ...entry, prevHash: 'f'.repeat(64) },
    ];
    const hashes = new Set(variants.map(hashEntry));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(base)).toBe(false);
  });

  it('numbers take the ECMAScript form (1.0 and 1 are one value)', () => {
    expect(canonicalEntry({ ...entry, data: { bytes: 1.0 } })).toContain('"data":{"bytes":1}');
  });
});

describe('checkEntry', () => {
  const row = (over: Partial<AuditRow> = {}): AuditRow => ({
    id: entry.id,
    tenant_id: entry.tenantId,
    seq: 1,
    at: entry.at,
    event: entry.event,
    actor_kind: 'citizen',
    actor_staff_id: null,
    subjects: entry.subjects,
    data: entry.data,
    prev_hash: GENESIS_HASH,
    hash: hashEntry(entry),
    ...over,
  });

  it('accepts the first entry chained from genesis', () => {
    expect(checkEntry(row(), 0, GENESIS_HASH)).toBeNull();
  });

  it('names a gap, a wrong previous hash and a wrong hash', () => {
    expect(checkEntry(row({ seq: 2 }), 0, GENESIS_HASH)).toBe('seq_gap');
    expect(checkEntry(row(), 0, 'a'.repeat(64))).toBe('prev_hash_mismatch');
    expect(checkEntry(row({ data: { language: 'es' } }), 0, GENESIS_HASH)).toBe('hash_mismatch');
  });

  it('hashes a staff actor with its id', () => {
    const staffId = '55555555-5555-4555-8555-555555555555';
    const hash = hashEntry({ ...entry, actor: { kind: 'staff', staffId } });
    expect(checkEntry(row({ actor_kind: 'staff', actor_staff_id: staffId, hash }), 0, GENESIS_HASH)).toBeNull();
    expect(checkEntry(row({ actor_kind: 'staff', actor_staff_id: '55555555-5555-4555-8555-555555555556', hash }), 0, GENESIS_HASH)).toBe('hash_mismatch');
  });
});
