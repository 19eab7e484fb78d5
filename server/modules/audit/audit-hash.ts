/**
 * The hash of an audit entry: SHA-256 (hex) of the UTF-8 bytes of its RFC 8785
 * canonical JSON (JCS: sorted keys, no spaces, ECMAScript number form), the
 * previous entry's hash included, so each entry seals everything before it.
 * Anyone can recompute it from an exported row with any JCS implementation.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { AUDIT_GENESIS, type AuditEvent } from '../../db/schema.js';
import type { AuditActor, AuditData, AuditSubjects } from './audit.schemas.js';

/** The previous hash of every tenant's first entry: 64 zeros. */
export const GENESIS_HASH = AUDIT_GENESIS;

/** Exactly the fields that are hashed (ids in lowercase, `at` as ISO 8601 UTC with milliseconds). */
export type AuditHashedFields = {
  id: string;
  tenantId: string;
  seq: number;
  at: string;
  event: AuditEvent;
  actor: AuditActor;
  subjects: AuditSubjects;
  data: AuditData;
  prevHash: string;
};

/** The canonical JSON text of an entry (what is hashed). */
export function canonicalEntry(e: AuditHashedFields): string {
  const actor = e.actor.kind === 'staff' ? { kind: 'staff', staffId: e.actor.staffId } : { kind: e.actor.kind };
  const text = canonicalize({
    id: e.id,
    tenantId: e.tenantId,
    seq: e.seq,
    at: e.at,
    event: e.event,
    actor,
    subjects: e.subjects,
    data: e.data,
    prevHash: e.prevHash,
  });
  if (text === undefined) throw new Error('audit entry cannot be canonicalized');
  return text;
}

/** SHA-256 (lowercase hex) of the entry's canonical JSON. */
export function hashEntry(e: AuditHashedFields): string {
  return createHash('sha256').update(canonicalEntry(e), 'utf8').digest('hex');
}
