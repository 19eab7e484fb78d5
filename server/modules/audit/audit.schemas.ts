/**
 * What an audit entry may carry, checked before it is written: subjects are
 * ids only, and `data` is a small flat bag of codes, hashes and numbers. The
 * string pattern (no spaces, no "@", at most 128 characters) keeps names,
 * addresses and emails out by construction; ID numbers and phones must still
 * not be put there (docs/AUDIT.md): log their SHA-256 or nothing.
 */
import { z } from 'zod';
import { AUDIT_EVENTS } from '../../db/schema.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEY = /^[a-z][a-zA-Z0-9]{0,39}$/;
const uuid = z.string().toLowerCase().regex(UUID, 'must be a uuid');

/** Who caused the event: a staff member (by id), the citizen, or the system itself. */
export const auditActor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('staff'), staffId: uuid }).strict(),
  z.object({ kind: z.literal('citizen') }).strict(),
  z.object({ kind: z.literal('system') }).strict(),
]);
export type AuditActor = z.infer<typeof auditActor>;

/** Ids of what the event is about, by kind: `{ attention, appointment, recording, document, … }`. */
export const auditSubjects = z
  .record(z.string().regex(KEY, 'subject keys are camelCase words'), uuid)
  .refine((s) => Object.keys(s).length <= 8, 'at most 8 subjects');
export type AuditSubjects = z.infer<typeof auditSubjects>;

/** A value in `data`: a code or hash, a safe integer, a boolean or null. */
const dataValue = z.union([
  z.string().max(128).regex(/^[A-Za-z0-9_.:\/+=-]*$/, 'data strings are codes or hashes (no spaces, no "@")'),
  z.number().int().refine(Number.isSafeInteger, 'must be a safe integer'),
  z.boolean(),
  z.null(),
]);
export const auditData = z
  .record(z.string().regex(KEY, 'data keys are camelCase words'), dataValue)
  .refine((d) => Object.keys(d).length <= 16, 'at most 16 data fields');
export type AuditData = z.infer<typeof auditData>;

/** The caller's part of an entry; sequence, time and hashes are added on append. */
export const auditEntryInput = z
  .object({
    tenantId: uuid,
    event: z.enum(AUDIT_EVENTS),
    actor: auditActor,
    subjects: auditSubjects.default({}),
    data: auditData.default({}),
  })
  .strict();
export type AuditEntryInput = z.input<typeof auditEntryInput>;
