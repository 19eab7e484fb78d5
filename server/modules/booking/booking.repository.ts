/**
 * SQL for appointments. Every change that must email the citizen writes its
 * outbox job in the same statement, so neither exists without the other.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { appointments } from '../../db/schema.js';
import { freeAgentCte, ts } from '../../db/sql-helpers.js';
import type { EmailJobPayload } from '../../jobs/job-types.js';
import { notifyAppointmentChanged } from '../../db/events.js';

export type Appointment = typeof appointments.$inferSelect;

export type NewAppointment = {
  id: string;
  tenantId: string;
  reference: string;
  procedureId: string;
  channel: string;
  kind: 'slot' | 'asap';
  startsAt: Date | null;
  endsAt: Date | null;
  blockedUntil: Date | null;
  /** For a slot: the agents who could take it; the statement picks a free one. */
  agentCandidates: string[] | null;
  citizenName: string;
  email: string | null;
  phone: string | null;
  taxId: string | null;
  language: string;
  accessibility: unknown;
  accessCodeHash: string;
  manageTokenHash: string;
  idempotencyKey: string | null;
};

/**
 * In one statement: picks a free agent (for a slot), inserts the appointment
 * and its confirmation email job. Returns false when no candidate agent was
 * free; a concurrent winner surfaces as the exclusion constraint's 23P01.
 */
export async function insertAppointmentWithEmail(
  database: Database,
  a: NewAppointment,
  email: EmailJobPayload,
  maxAttempts: number,
): Promise<{ inserted: boolean; agentId: string | null }> {
  const agent = a.agentCandidates
    ? sql`(${freeAgentCte(a.agentCandidates, a.startsAt!.getTime(), a.blockedUntil!.getTime())})`
    : sql`(SELECT NULL::uuid AS id)`;
  const rows = await database.rows<{ agent_id: string | null }>(sql`
    WITH agent AS ${agent},
    a AS (
      INSERT INTO appointments (id, tenant_id, reference, procedure_id, channel, kind, starts_at, ends_at, blocked_until,
        agent_id, citizen_name, email, phone, tax_id, language, accessibility, privacy_accepted_at,
        access_code_hash, manage_token_hash, idempotency_key)
      SELECT ${a.id}, ${a.tenantId}, ${a.reference}, ${a.procedureId}, ${a.channel}, ${a.kind}, ${ts(a.startsAt)}, ${ts(a.endsAt)},
        ${ts(a.blockedUntil)}, agent.id, ${a.citizenName}, ${a.email}, ${a.phone}, ${a.taxId}, ${a.language},
        ${JSON.stringify(a.accessibility)}::jsonb, now(), ${a.accessCodeHash}, ${a.manageTokenHash}, ${a.idempotencyKey}
        FROM agent
      RETURNING id, tenant_id, agent_id),
    j AS (
      INSERT INTO jobs (tenant_id, type, payload, max_attempts)
      SELECT tenant_id, 'email', ${JSON.stringify(email)}::jsonb, ${maxAttempts} FROM a)
    SELECT a.agent_id, ${notifyAppointmentChanged('a', 'booked')} FROM a`);
  return rows.length ? { inserted: true, agentId: rows[0].agent_id } : { inserted: false, agentId: null };
}

export async function findAppointmentByManageToken(database: Database, tenantId: string, tokenHash: string) {
  const [row] = await database.db
    .select()
    .from(appointments)
    .where(and(eq(appointments.tenantId, tenantId), eq(appointments.manageTokenHash, tokenHash)))
    .limit(1);
  return row;
}

export async function findAppointmentByIdempotencyKey(database: Database, tenantId: string, key: string) {
  const [row] = await database.db
    .select()
    .from(appointments)
    .where(and(eq(appointments.tenantId, tenantId), eq(appointments.idempotencyKey, key)))
    .limit(1);
  return row;
}

export async function findAppointmentById(database: Database, tenantId: string, id: string) {
  const [row] = await database.db
    .select()
    .from(appointments)
    .where(and(eq(appointments.tenantId, tenantId), eq(appointments.id, id)))
    .limit(1);
  return row;
}

/**
 * Runs an UPDATE … RETURNING id, tenant_id, queues its email and announces the
 * change, all in the same statement; false when nothing matched.
 */
async function updateWithEmail(database: Database, update: SQL, change: 'cancelled' | 'moved', email: EmailJobPayload, maxAttempts: number): Promise<boolean> {
  const rows = await database.rows(sql`
    WITH u AS (${update}),
    j AS (
      INSERT INTO jobs (tenant_id, type, payload, max_attempts)
      SELECT tenant_id, 'email', ${JSON.stringify(email)}::jsonb, ${maxAttempts} FROM u
      RETURNING id)
    SELECT j.id, ${notifyAppointmentChanged('u', change)} FROM j, u`);
  return rows.length === 1;
}

/** Cancels a booked appointment and queues its email; false when it was no longer booked. */
export function cancelAppointmentWithEmail(database: Database, tenantId: string, id: string, email: EmailJobPayload, maxAttempts: number) {
  return updateWithEmail(
    database,
    sql`UPDATE appointments SET status = 'cancelled', cancelled_at = now(), sequence = sequence + 1
         WHERE tenant_id = ${tenantId} AND id = ${id} AND status = 'booked'
        RETURNING id, tenant_id`,
    'cancelled',
    email,
    maxAttempts,
  );
}

/**
 * Moves a booked appointment to another slot and a free agent among the
 * candidates, and queues its email; false when no agent was free or it is no
 * longer booked.
 */
export function moveAppointmentWithEmail(
  database: Database,
  m: { tenantId: string; id: string; startsAt: Date; endsAt: Date; blockedUntil: Date; agentCandidates: string[]; accessCodeHash: string },
  email: EmailJobPayload,
  maxAttempts: number,
) {
  return updateWithEmail(
    database,
    sql`UPDATE appointments SET starts_at = ${ts(m.startsAt)}, ends_at = ${ts(m.endsAt)}, blocked_until = ${ts(m.blockedUntil)},
               agent_id = agent.id, access_code_hash = ${m.accessCodeHash}, sequence = sequence + 1
          FROM (${freeAgentCte(m.agentCandidates, m.startsAt.getTime(), m.blockedUntil.getTime(), m.id)}) AS agent
         WHERE tenant_id = ${m.tenantId} AND appointments.id = ${m.id} AND status = 'booked'
        RETURNING appointments.id, tenant_id`,
    'moved',
    email,
    maxAttempts,
  );
}
