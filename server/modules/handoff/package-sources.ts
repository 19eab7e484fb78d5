/**
 * What goes into a filing's evidence package, read from the database: the
 * filing with its register entry, procedure and town hall; the accepted
 * citizen documents and the handouts of its space (the appointment, or the
 * attention when there is none); the identity check and its images; the
 * consent (without the one-time code's hash); the complete recordings; and
 * the audit trail of the attention, its filing and its documents. Every query
 * names the tenant.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { Language } from '../../../shared/domain.js';
import type { DocumentKind } from '../../db/schema.js';
import { uuidArray } from '../../db/sql-helpers.js';
import { filingDocuments, type FilingDocument } from '../documents/filing-documents.js';

export type FilingContext = {
  id: string;
  tenant_id: string;
  attention_id: string;
  appointment_id: string | null;
  procedure_id: string;
  procedure_code: string;
  retention_days: number;
  identity_check_id: string;
  consent_id: string;
  register_entry_id: string;
  register_code: string;
  registered_at: string;
  form_data: Record<string, unknown> | null;
  form_sha256: string;
  language: Language;
  status: 'registered' | 'sealed';
  receipt_key: string | null;
  receipt_sha256: string | null;
  sealed_at: string | null;
  dir3_code: string;
  time_zone: string;
  tenant_slug: string;
};

const iso = (col: ReturnType<typeof sql.raw>) => sql`to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export async function filingContext(database: Database, tenantId: string, filingId: string): Promise<FilingContext | undefined> {
  const [row] = await database.rows<FilingContext>(sql`
    SELECT f.id, f.tenant_id, f.attention_id, a.appointment_id, f.procedure_id, p.code AS procedure_code, p.retention_days,
           f.identity_check_id, f.consent_id, f.register_entry_id, re.code AS register_code,
           ${iso(sql.raw('re.registered_at'))} AS registered_at, f.form_data, f.form_sha256, f.language, f.status,
           f.receipt_key, f.receipt_sha256, ${iso(sql.raw('f.sealed_at'))} AS sealed_at,
           t.dir3_code, t.time_zone, t.slug AS tenant_slug
      FROM filings f
      JOIN tenants t ON t.id = f.tenant_id
      JOIN attentions a ON a.id = f.attention_id AND a.tenant_id = f.tenant_id
      JOIN procedures p ON p.id = f.procedure_id AND p.tenant_id = f.tenant_id
      JOIN register_entries re ON re.id = f.register_entry_id AND re.tenant_id = f.tenant_id
     WHERE f.id = ${filingId} AND f.tenant_id = ${tenantId}`);
  return row;
}

/** A filing document (without its name, which stays out of the package) or an identity image. */
export type SourceDocument = Omit<FilingDocument, 'file_name' | 'kind'> & { kind: DocumentKind };

/**
 * The documents of the package: the filing's documents (the same the receipt
 * lists: documents/filing-documents.ts) and the identity check's two images,
 * in a stable order (kind, requirement, completion, id).
 */
export async function packageDocuments(database: Database, f: FilingContext, identity: { front: string | null; back: string | null }): Promise<SourceDocument[]> {
  const ids = [identity.front, identity.back].filter((x): x is string => !!x);
  const filed = await filingDocuments(database, { tenantId: f.tenant_id, filingId: f.id, attentionId: f.attention_id, appointmentId: f.appointment_id });
  const images = ids.length
    ? await database.rows<SourceDocument>(sql`
        SELECT id, kind, requirement, content_type, bytes::float8 AS bytes, sha256, storage_key, ${iso(sql.raw('completed_at'))} AS completed_at, uploaded_by
          FROM documents
         WHERE tenant_id = ${f.tenant_id} AND kind IN ('id_front','id_back') AND id = ANY(${uuidArray(ids)})
           AND storage_key IS NOT NULL AND sha256 IS NOT NULL AND content_type IS NOT NULL
         ORDER BY array_position(ARRAY['id_front','id_back'], kind), id`)
    : [];
  return [...filed.map(({ file_name: _name, ...d }) => d), ...images];
}

export type IdentityRow = {
  id: string;
  id_kind: string;
  full_name: string | null;
  id_number: string | null;
  face_confirmed: boolean;
  front_document_id: string | null;
  back_document_id: string | null;
  checked_by: string;
  checked_at: string;
};

export async function identityCheck(database: Database, f: FilingContext): Promise<IdentityRow | undefined> {
  const [row] = await database.rows<IdentityRow>(sql`
    SELECT id, id_kind, full_name, id_number, face_confirmed, front_document_id, back_document_id, checked_by, ${iso(sql.raw('checked_at'))} AS checked_at
      FROM identity_checks WHERE id = ${f.identity_check_id} AND tenant_id = ${f.tenant_id}`);
  return row;
}

export type ConsentRow = {
  id: string;
  form_sha256: string;
  language: string;
  text_shown: string;
  given_at: string;
  recording_id: string | null;
  recording_offset_ms: number | null;
  otp_channel: string | null;
  otp_verified_at: string | null;
};

/** The consent without its one-time code's hash, expiry and attempt count. */
export async function consent(database: Database, f: FilingContext): Promise<ConsentRow | undefined> {
  const [row] = await database.rows<ConsentRow>(sql`
    SELECT id, form_sha256, language, text_shown, ${iso(sql.raw('given_at'))} AS given_at, recording_id,
           recording_offset_ms::float8 AS recording_offset_ms, otp_channel, ${iso(sql.raw('otp_verified_at'))} AS otp_verified_at
      FROM filing_consents WHERE id = ${f.consent_id} AND tenant_id = ${f.tenant_id}`);
  return row;
}

export type SourceRecording = { id: string; mime_type: string | null; bytes: number; sha256: string; storage_key: string; completed_at: string | null; started_at: string | null };

export async function completeRecordings(database: Database, f: FilingContext): Promise<SourceRecording[]> {
  return database.rows<SourceRecording>(sql`
    SELECT id, mime_type, bytes::float8 AS bytes, sha256, storage_key, ${iso(sql.raw('completed_at'))} AS completed_at, ${iso(sql.raw('started_at'))} AS started_at
      FROM recordings
     WHERE tenant_id = ${f.tenant_id} AND attention_id = ${f.attention_id} AND status = 'complete' AND storage_key IS NOT NULL AND sha256 IS NOT NULL
     ORDER BY created_at, id`);
}

export type AuditTrailEntry = {
  id: string;
  seq: number;
  at: string;
  event: string;
  actorKind: string;
  actorStaffId: string | null;
  subjects: Record<string, string>;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
};

/** The audit entries about the attention, its filing or any of the package's documents, in chain order. */
export async function auditTrail(database: Database, f: FilingContext, documentIds: string[]): Promise<AuditTrailEntry[]> {
  const rows = await database.rows<{ id: string; seq: number; at: string; event: string; actor_kind: string; actor_staff_id: string | null; subjects: Record<string, string>; data: Record<string, unknown>; prev_hash: string; hash: string }>(sql`
    SELECT id, seq::float8 AS seq, ${iso(sql.raw('at'))} AS at, event, actor_kind, actor_staff_id, subjects, data, prev_hash, hash
      FROM audit_log
     WHERE tenant_id = ${f.tenant_id}
       AND (subjects->>'attention' = ${f.attention_id} OR subjects->>'filing' = ${f.id}
            OR subjects->>'document' = ANY(${`{${documentIds.join(',')}}`}::text[]))
     ORDER BY seq`);
  return rows.map((r) => ({
    id: r.id,
    seq: Number(r.seq),
    at: r.at,
    event: r.event,
    actorKind: r.actor_kind,
    actorStaffId: r.actor_staff_id,
    subjects: r.subjects,
    data: r.data,
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
}
