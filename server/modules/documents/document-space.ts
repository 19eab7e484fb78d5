/**
 * A document space and its rules: the appointment (or, for a virtual-queue
 * entry, the attention), the procedure's required documents, and whether the
 * citizen may upload now. An appointment's space is open until
 * `uploadDeadlineHours` before the slot (formal settings, default 48 h), or
 * until the agent's reopening (`documents_reopened_until`) when later, and
 * whenever the citizen is in the waiting room or the call. A queue entry's
 * space is open while the attention is waiting or in progress.
 */
import { sql } from 'drizzle-orm';
import type { Language, LocalizedText } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import type { RequiredDocument } from '../../db/schema.js';
import { formalSettings } from '../filing/formal-settings.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import type { DocumentSpace } from './documents.repository.js';

export type SpaceInfo = {
  space: DocumentSpace;
  appointmentId: string | null;
  attentionId: string | null;
  procedureId: string;
  requirements: { index: number; description: LocalizedText }[];
  /** Until when the citizen may upload before the call (appointments); null for queue entries. */
  uploadsOpenUntil: Date | null;
  /** Whether the citizen may upload right now. */
  open: boolean;
  /** Where a rejection is emailed, in which language (null = no email address). */
  contact: { email: string | null; language: Language; anonymised: boolean };
  /** The appointment's agent (or the attention's), for staff access checks. */
  agentId: string | null;
};

type SpaceRow = {
  appointment_id: string | null;
  attention_id: string | null;
  procedure_id: string;
  documents: RequiredDocument[] | string;
  starts_at: Date | string | null;
  ap_status: string | null;
  reopened_until: Date | string | null;
  at_status: string | null;
  email: string | null;
  language: Language;
  anonymised: boolean;
  agent_id: string | null;
};

const LIVE = ['waiting', 'in_progress'];

function toDate(v: Date | string | null): Date | null {
  return v === null ? null : v instanceof Date ? v : new Date(v);
}

function build(tenant: Pick<Tenant, 'settings'>, row: SpaceRow, now: number): SpaceInfo {
  const docs = (typeof row.documents === 'string' ? JSON.parse(row.documents) : row.documents) as RequiredDocument[];
  const requirements = (docs ?? []).map((d, index) => ({ index, description: d.description }));
  const live = row.at_status !== null && LIVE.includes(row.at_status);
  if (row.appointment_id) {
    const startsAt = toDate(row.starts_at);
    const reopened = toDate(row.reopened_until);
    const deadline = startsAt ? new Date(startsAt.getTime() - formalSettings(tenant).uploadDeadlineHours * 3600_000) : null;
    const until = [deadline, reopened].filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
    const booked = row.ap_status === 'booked';
    const open = (booked || live) && row.at_status !== 'closed' && (live || (until !== null && until.getTime() > now));
    return {
      space: { appointmentId: row.appointment_id, attentionId: null },
      appointmentId: row.appointment_id,
      attentionId: row.attention_id,
      procedureId: row.procedure_id,
      requirements,
      uploadsOpenUntil: until,
      open,
      contact: { email: row.email, language: row.language, anonymised: row.anonymised },
      agentId: row.agent_id,
    };
  }
  return {
    space: { appointmentId: null, attentionId: row.attention_id },
    appointmentId: null,
    attentionId: row.attention_id,
    procedureId: row.procedure_id,
    requirements,
    uploadsOpenUntil: null,
    open: live,
    contact: { email: row.email, language: row.language, anonymised: row.anonymised },
    agentId: row.agent_id,
  };
}

/** The space of an appointment (appointment_not_found when it is not the tenant's). */
export async function appointmentSpace(database: Database, tenant: Pick<Tenant, 'id' | 'settings'>, appointmentId: string, now = Date.now()): Promise<SpaceInfo> {
  const [row] = await database.rows<SpaceRow>(sql`
    SELECT ap.id AS appointment_id, at.id AS attention_id, ap.procedure_id, p.documents, ap.starts_at, ap.status AS ap_status,
           ap.documents_reopened_until AS reopened_until, at.status AS at_status, ap.email, ap.language,
           (ap.anonymised_at IS NOT NULL) AS anonymised, COALESCE(at.agent_id, ap.agent_id) AS agent_id
      FROM appointments ap
      JOIN procedures p ON p.tenant_id = ap.tenant_id AND p.id = ap.procedure_id
      LEFT JOIN attentions at ON at.tenant_id = ap.tenant_id AND at.appointment_id = ap.id
     WHERE ap.tenant_id = ${tenant.id} AND ap.id = ${appointmentId}`);
  if (!row) throw new AppError('appointment_not_found');
  return build(tenant, row, now);
}

/** The space of an attention: its appointment's when it has one, else its own. */
export async function attentionSpace(database: Database, tenant: Pick<Tenant, 'id' | 'settings'>, attentionId: string, now = Date.now()): Promise<SpaceInfo> {
  const [row] = await database.rows<SpaceRow>(sql`
    SELECT at.appointment_id, at.id AS attention_id, at.procedure_id, p.documents, ap.starts_at, ap.status AS ap_status,
           ap.documents_reopened_until AS reopened_until, at.status AS at_status,
           COALESCE(ap.email, at.email) AS email, COALESCE(ap.language, at.language) AS language,
           (COALESCE(ap.anonymised_at, at.anonymised_at) IS NOT NULL) AS anonymised, COALESCE(at.agent_id, ap.agent_id) AS agent_id
      FROM attentions at
      JOIN procedures p ON p.tenant_id = at.tenant_id AND p.id = at.procedure_id
      LEFT JOIN appointments ap ON ap.tenant_id = at.tenant_id AND ap.id = at.appointment_id
     WHERE at.tenant_id = ${tenant.id} AND at.id = ${attentionId}`);
  if (!row) throw new AppError('attention_not_found');
  return build(tenant, row, now);
}

/** The space a stored document belongs to. */
export async function spaceOfDocument(database: Database, tenant: Pick<Tenant, 'id' | 'settings'>, doc: { appointmentId: string | null; attentionId: string | null }): Promise<SpaceInfo> {
  if (doc.appointmentId) return appointmentSpace(database, tenant, doc.appointmentId);
  return attentionSpace(database, tenant, doc.attentionId!);
}
