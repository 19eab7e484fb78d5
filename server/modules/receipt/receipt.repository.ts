/**
 * The SQL of receipts: everything the receipt prints about one filing (the
 * register entry, the identity check, the contact, the official and the act
 * that empowers them, the documents of the space), the filing behind a secure
 * verification code, and the sealing transaction's statements. Every query
 * names the tenant.
 */
import { sql } from 'drizzle-orm';
import type { Language, LocalizedText } from '../../../shared/domain.js';
import type { Database } from '../../db/client.js';
import type { FilingState } from '../../db/schema.js';
import type { AuditTx } from '../audit/audit.repository.js';
import { filingDocuments } from '../documents/filing-documents.js';
import { citizenContactSql } from '../filing/citizen-contact.js';

/** What a receipt holds about its filing. */
export type ReceiptFiling = {
  id: string;
  tenantId: string;
  attentionId: string;
  appointmentId: string | null;
  procedureId: string;
  registerEntryId: string;
  officialId: string;
  status: FilingState;
  language: Language;
  formData: Record<string, unknown> | null;
  csvHash: string;
  receiptKey: string | null;
  receiptSha256: string | null;
  sealedAt: Date | null;
  registerCode: string;
  registeredAt: Date;
  procedureCode: string;
  procedureName: LocalizedText;
  requestSchema: Record<string, unknown> | null;
  citizenName: string | null;
  idKind: 'dni' | 'nie' | 'cif';
  idNumber: string | null;
  email: string | null;
  phone: string | null;
  /** The agent of the attention (or the one the appointment was booked with). */
  agentId: string | null;
  officialName: string;
  /** The act of the official's grant in force when the request was registered (null if none is found). */
  officialAct: string | null;
};

/** A document listed on the receipt. */
export type ReceiptDocument = { id: string; kind: 'citizen' | 'handout'; fileName: string; contentType: string; bytes: number; sha256: string };

type Row = Record<string, unknown>;
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
const json = <T>(v: unknown): T | null => (v === null || v === undefined ? null : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

const contact = { attention: 'a', appointment: 'ap' };

/** The filing and what its receipt prints, or undefined when it is not one of this tenant's. */
export async function findReceiptFiling(database: Pick<Database, 'rows'>, tenantId: string, filingId: string): Promise<ReceiptFiling | undefined> {
  const [r] = await database.rows<Row>(sql`
    SELECT f.id, f.tenant_id, f.attention_id, a.appointment_id, f.procedure_id, f.register_entry_id, f.official_id, f.status, f.language,
           f.form_data, f.csv_hash, f.receipt_key, f.receipt_sha256, f.sealed_at,
           re.code AS register_code, re.registered_at, p.code AS procedure_code, p.name AS procedure_name, p.request_schema,
           ic.full_name, ic.id_kind, ic.id_number,
           ${citizenContactSql('email', contact)} AS email, ${citizenContactSql('phone', contact)} AS phone,
           COALESCE(a.agent_id, ap.agent_id) AS agent_id,
           s.full_name AS official_name,
           (SELECT ao.appointment_act FROM authorised_officials ao
             WHERE ao.tenant_id = f.tenant_id AND ao.staff_id = f.official_id
               AND ao.valid_from <= (re.registered_at AT TIME ZONE t.time_zone)::date
               AND (ao.valid_until IS NULL OR ao.valid_until >= (re.registered_at AT TIME ZONE t.time_zone)::date)
               AND (ao.revoked_at IS NULL OR ao.revoked_at > re.registered_at)
             ORDER BY ao.created_at DESC LIMIT 1) AS official_act
      FROM filings f
      JOIN tenants t ON t.id = f.tenant_id
      JOIN register_entries re ON re.id = f.register_entry_id AND re.tenant_id = f.tenant_id
      JOIN procedures p ON p.id = f.procedure_id AND p.tenant_id = f.tenant_id
      JOIN identity_checks ic ON ic.id = f.identity_check_id AND ic.tenant_id = f.tenant_id
      JOIN attentions a ON a.id = f.attention_id AND a.tenant_id = f.tenant_id
      LEFT JOIN appointments ap ON ap.id = a.appointment_id AND ap.tenant_id = a.tenant_id
      JOIN staff s ON s.id = f.official_id AND s.tenant_id = f.tenant_id
     WHERE f.tenant_id = ${tenantId} AND f.id = ${filingId}`);
  if (!r) return undefined;
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    attentionId: String(r.attention_id),
    appointmentId: (r.appointment_id as string | null) ?? null,
    procedureId: String(r.procedure_id),
    registerEntryId: String(r.register_entry_id),
    officialId: String(r.official_id),
    status: r.status as FilingState,
    language: r.language as Language,
    formData: json<Record<string, unknown>>(r.form_data),
    csvHash: String(r.csv_hash),
    receiptKey: (r.receipt_key as string | null) ?? null,
    receiptSha256: (r.receipt_sha256 as string | null) ?? null,
    sealedAt: date(r.sealed_at),
    registerCode: String(r.register_code),
    registeredAt: date(r.registered_at)!,
    procedureCode: String(r.procedure_code),
    procedureName: json<LocalizedText>(r.procedure_name) ?? {},
    requestSchema: json<Record<string, unknown>>(r.request_schema),
    citizenName: (r.full_name as string | null) ?? null,
    idKind: r.id_kind as ReceiptFiling['idKind'],
    idNumber: (r.id_number as string | null) ?? null,
    email: (r.email as string | null) ?? null,
    phone: (r.phone as string | null) ?? null,
    agentId: (r.agent_id as string | null) ?? null,
    officialName: String(r.official_name),
    officialAct: (r.official_act as string | null) ?? null,
  };
}

/** The documents the receipt lists: the filing's documents (documents/filing-documents.ts), the same the evidence package holds. */
export async function listReceiptDocuments(database: Pick<Database, 'rows'>, f: Pick<ReceiptFiling, 'id' | 'tenantId' | 'appointmentId' | 'attentionId'>): Promise<ReceiptDocument[]> {
  const rows = await filingDocuments(database, { tenantId: f.tenantId, filingId: f.id, attentionId: f.attentionId, appointmentId: f.appointmentId });
  return rows.map((r) => ({ id: r.id, kind: r.kind, fileName: r.file_name, contentType: r.content_type, bytes: Number(r.bytes), sha256: r.sha256 }));
}

/** The filing a secure verification code belongs to, in this tenant only (`csvHash` = csvLookupKey(code)). */
export async function findFilingIdByCsvHash(database: Pick<Database, 'rows'>, tenantId: string, csvHash: string): Promise<string | undefined> {
  const [r] = await database.rows<{ id: string }>(sql`SELECT id FROM filings WHERE tenant_id = ${tenantId} AND csv_hash = ${csvHash}`);
  return r?.id;
}

/** Locks the filing row until the transaction ends and says where it stands. */
export async function lockFiling(tx: AuditTx, tenantId: string, filingId: string): Promise<{ status: FilingState; receiptSha256: string | null } | undefined> {
  const res = (await tx.execute(sql`
    SELECT status, receipt_sha256 AS "receiptSha256" FROM filings WHERE tenant_id = ${tenantId} AND id = ${filingId} FOR UPDATE`)) as unknown as {
    rows: { status: FilingState; receiptSha256: string | null }[];
  };
  return res.rows[0];
}

/** Marks a registered filing sealed; false when it was not (any more) registered. */
export async function markFilingSealed(tx: AuditTx, o: { tenantId: string; filingId: string; receiptKey: string; receiptSha256: string }): Promise<boolean> {
  const res = (await tx.execute(sql`
    UPDATE filings SET status = 'sealed', receipt_key = ${o.receiptKey}, receipt_sha256 = ${o.receiptSha256}, sealed_at = now()
     WHERE tenant_id = ${o.tenantId} AND id = ${o.filingId} AND status = 'registered'
     RETURNING id`)) as unknown as { rows: unknown[] };
  return res.rows.length === 1;
}

/** Drops the plain verification code from a seal_receipt job's payload (it is printed on the receipt; only its hash is kept). */
export async function forgetJobCsv(ex: Pick<AuditTx, 'execute'>, jobId: string): Promise<void> {
  await ex.execute(sql`UPDATE jobs SET payload = payload - 'csv' WHERE id = ${jobId} AND type = 'seal_receipt' AND payload ? 'csv'`);
}
