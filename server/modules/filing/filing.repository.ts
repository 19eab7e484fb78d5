/**
 * The SQL of the formal procedure's filing side: the attention as the filing
 * needs it (with the citizen's language and email), the latest identity
 * check, consents, filings. Every query names the tenant.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Language } from '../../../shared/domain.js';
import { txRows, type Database, type Db } from '../../db/client.js';
import type { AttentionState } from '../../db/schema.js';
import type { AuditTx } from '../audit/audit.repository.js';
import { citizenContactSql } from './citizen-contact.js';

/** A drizzle transaction (the audit append needs one). */
export type FilingTx = AuditTx;
type Executor = Pick<Db, 'execute'>;

export { txRows };

/** The attention with what the filing needs of its appointment. */
export type FilingAttention = {
  id: string;
  tenant_id: string;
  status: AttentionState;
  agent_id: string | null;
  procedure_id: string;
  appointment_id: string | null;
  /** The citizen's language (the appointment's, else the attention's). */
  language: Language;
  /** The citizen's email (the appointment's, else the queue entry's); may be null. */
  email: string | null;
};

function attentionQuery(tenantId: string, attentionId: string, lock: boolean): SQL {
  return sql`
    SELECT at.id, at.tenant_id, at.status, at.agent_id, at.procedure_id, at.appointment_id,
           COALESCE(ap.language, at.language) AS language, ${citizenContactSql('email')} AS email
      FROM attentions at
      LEFT JOIN appointments ap ON ap.tenant_id = at.tenant_id AND ap.id = at.appointment_id
     WHERE at.tenant_id = ${tenantId} AND at.id = ${attentionId}
     ${lock ? sql`FOR UPDATE OF at` : sql``}`;
}

export async function findFilingAttention(database: Database, tenantId: string, attentionId: string): Promise<FilingAttention | undefined> {
  const [row] = await database.rows<FilingAttention>(attentionQuery(tenantId, attentionId, false));
  return row;
}

/**
 * The attention, its row locked until the transaction ends: a filing,
 * consent or identity check and the attention's closing take turns, and
 * two filings of one attention cannot both pass the checks. Take this lock
 * before any audit append (one lock order: attention, then the tenant's chain).
 */
export async function lockFilingAttention(tx: FilingTx, tenantId: string, attentionId: string): Promise<FilingAttention | undefined> {
  const [row] = await txRows<FilingAttention>(tx, attentionQuery(tenantId, attentionId, true));
  return row;
}

export type IdentityCheckRow = { id: string; id_kind: 'dni' | 'nie' | 'cif'; checked_at: Date; checked_by: string; front_document_id: string | null; back_document_id: string | null };

/** The latest identity check of an attention (a later check replaces the earlier). */
export async function latestIdentityCheck(ex: Executor, tenantId: string, attentionId: string): Promise<IdentityCheckRow | undefined> {
  const [row] = await txRows<IdentityCheckRow>(ex, sql`
    SELECT id, id_kind, checked_at, checked_by, front_document_id, back_document_id
      FROM identity_checks
     WHERE tenant_id = ${tenantId} AND attention_id = ${attentionId}
     ORDER BY checked_at DESC, id DESC LIMIT 1`);
  return row;
}

export type ConsentRow = {
  id: string;
  attention_id: string;
  form_sha256: string;
  language: Language;
  given_at: Date;
  otp_channel: 'email' | null;
  otp_hash: string | null;
  otp_expires_at: Date | null;
  otp_attempts: number;
  otp_verified_at: Date | null;
};

const CONSENT_COLUMNS = sql`id, attention_id, form_sha256, language, given_at, otp_channel, otp_hash, otp_expires_at, otp_attempts, otp_verified_at`;
/** A consent counts once given, and with a one-time code only once the code was verified. */
const EFFECTIVE = sql`(otp_channel IS NULL OR otp_verified_at IS NOT NULL)`;

/** Whether a consent counts: given, and with a one-time code only once the code was verified. */
export function isEffectiveConsent(c: Pick<ConsentRow, 'otp_channel' | 'otp_verified_at'>): boolean {
  return c.otp_channel === null || c.otp_verified_at !== null;
}

/** The latest consent of an attention (effective or not), or only the latest effective one. */
export async function latestConsent(ex: Executor, tenantId: string, attentionId: string, o: { effective: boolean }): Promise<ConsentRow | undefined> {
  const [row] = await txRows<ConsentRow>(ex, sql`
    SELECT ${CONSENT_COLUMNS} FROM filing_consents
     WHERE tenant_id = ${tenantId} AND attention_id = ${attentionId} ${o.effective ? sql`AND ${EFFECTIVE}` : sql``}
     ORDER BY given_at DESC, created_at DESC, id DESC LIMIT 1`);
  return row;
}

/** One consent of the attention, its row locked (one-time code checks take turns); `otp_expired` by the database clock. */
export async function lockConsent(tx: FilingTx, tenantId: string, attentionId: string, consentId: string): Promise<(ConsentRow & { otp_expired: boolean }) | undefined> {
  const [row] = await txRows<ConsentRow & { otp_expired: boolean }>(tx, sql`
    SELECT ${CONSENT_COLUMNS}, COALESCE(otp_expires_at < clock_timestamp(), true) AS otp_expired FROM filing_consents
     WHERE tenant_id = ${tenantId} AND attention_id = ${attentionId} AND id = ${consentId}
     FOR UPDATE`);
  return row;
}

/** The recording of the attention going on now, with its start (null before the first chunk). */
export async function currentRecording(tx: Executor, tenantId: string, attentionId: string): Promise<{ id: string; started_at: Date | null } | undefined> {
  const [row] = await txRows<{ id: string; started_at: Date | null }>(tx, sql`
    SELECT id, started_at FROM recordings
     WHERE tenant_id = ${tenantId} AND attention_id = ${attentionId} AND status = 'recording'
     ORDER BY created_at DESC LIMIT 1`);
  return row;
}

export type FilingRow = {
  id: string;
  attention_id: string;
  procedure_id: string;
  status: 'registered' | 'sealed';
  register_code: string;
  registered_at: Date;
  form_sha256: string;
};

/** The filing of an attention (at most one), with its register code. */
export async function filingOfAttention(ex: Executor, tenantId: string, attentionId: string): Promise<FilingRow | undefined> {
  const [row] = await txRows<FilingRow>(ex, sql`
    SELECT f.id, f.attention_id, f.procedure_id, f.status, r.code AS register_code, r.registered_at, f.form_sha256
      FROM filings f JOIN register_entries r ON r.tenant_id = f.tenant_id AND r.id = f.register_entry_id
     WHERE f.tenant_id = ${tenantId} AND f.attention_id = ${attentionId}`);
  return row;
}
