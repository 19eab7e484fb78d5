/**
 * Who may act on an attention (or a booked appointment) from the staff side:
 * it must exist in the town hall (else attention_not_found /
 * appointment_not_found), and an agent may act only on their own — the
 * attention's agent, or for an appointment the agent it was booked with —
 * while supervisors and admins may act on any.
 */
import { sql } from 'drizzle-orm';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import type { Staff } from '../staff/staff.repository.js';
import { findAttention, type AttentionRow } from './attention.repository.js';

type Actor = Pick<Staff, 'id' | 'role'>;

/** The rule on an attention row already read: attention_not_found when there is none, forbidden for an agent on another's. */
export function assertStaffOnAttention<T extends { agent_id: string | null }>(att: T | undefined, actor: Actor): asserts att is T {
  if (!att) throw new AppError('attention_not_found');
  if (actor.role === 'agent' && att.agent_id !== actor.id) throw new AppError('forbidden');
}

export async function attentionForStaff(database: Database, tenantId: string, attentionId: string, actor: Actor): Promise<AttentionRow> {
  const att = await findAttention(database, tenantId, attentionId);
  assertStaffOnAttention(att, actor);
  return att;
}

export type AppointmentAccess = { id: string; agent_id: string | null; status: string; starts_at: Date | null; language: string };

export async function appointmentForStaff(database: Database, tenantId: string, appointmentId: string, actor: Actor): Promise<AppointmentAccess> {
  const [row] = await database.rows<AppointmentAccess & { attention_agent: string | null }>(sql`
    SELECT ap.id, ap.agent_id, ap.status, ap.starts_at, ap.language, at.agent_id AS attention_agent
      FROM appointments ap LEFT JOIN attentions at ON at.tenant_id = ap.tenant_id AND at.appointment_id = ap.id
     WHERE ap.tenant_id = ${tenantId} AND ap.id = ${appointmentId}`);
  if (!row) throw new AppError('appointment_not_found');
  if (actor.role === 'agent' && row.agent_id !== actor.id && row.attention_agent !== actor.id) throw new AppError('forbidden');
  return { id: row.id, agent_id: row.agent_id, status: row.status, starts_at: row.starts_at, language: row.language };
}
