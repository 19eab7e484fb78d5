/**
 * Attention histories whose indicators are known by construction: each item
 * is one attention already in its end state, written straight into the
 * database (the rollup triggers count it as they would a real close). Used by
 * the indicators, report and transparency tests.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../../server/db/client.js';
import { insertAppointment } from './appointments.js';

export type HistoryItem = {
  procedureId: string;
  channel: 'video' | 'phone' | 'callback';
  status: 'closed' | 'no_show' | 'not_reached' | 'abandoned';
  /** When the attention was due (the slot start, or the time it joined the queue), ISO. */
  due: string;
  /** taken − due (the wait counted by the indicators). Absent: never taken. */
  waitSeconds?: number;
  /** The citizen joined this long before they were due (an early entry to the waiting room); default 0. */
  earlySeconds?: number;
  /** closed − taken (closed attentions). */
  handlingSeconds?: number;
  /** Closed attentions: defaults to resolved. */
  outcome?: 'resolved' | 'follow_up' | 'missing_documents' | 'other';
  /** Closed attentions: required (the first typology of the tenant when absent). */
  typologyId?: string;
  agentId?: string;
  /** A booked appointment's attention (counts in the no-show rate; needs `agentId`, a slot has its agent); else a queue entry. */
  appointment?: boolean;
  survey?: { liked: number | null; easy: number | null; again: boolean | null; answers?: Record<string, number | boolean | string> };
};

/** Inserts the items (in order) and returns their attention ids. */
export async function insertAttentionHistory(database: Database, tenantId: string, items: HistoryItem[]): Promise<string[]> {
  const [firstType] = await database.rows<{ id: string }>(sql`SELECT id FROM typologies WHERE tenant_id = ${tenantId} ORDER BY position, code LIMIT 1`);
  const ids: string[] = [];
  for (const it of items) {
    if (it.appointment && !it.agentId) throw new Error('insertAttentionHistory: a booked appointment needs its agentId');
    const id = randomUUID();
    const due = new Date(it.due);
    const taken = it.waitSeconds === undefined ? null : new Date(due.getTime() + it.waitSeconds * 1000);
    const closed =
      it.status === 'closed' ? new Date((taken ?? due).getTime() + (it.handlingSeconds ?? 0) * 1000) : it.status === 'abandoned' ? null : (taken ?? due);
    const appointmentId = it.appointment
      ? (await insertAppointment(database, { tenantId, procedureId: it.procedureId, channel: it.channel, startsAt: due, agentId: it.agentId })).id
      : null;
    if (appointmentId) {
      await database.rows(sql`UPDATE appointments SET status = ${it.status === 'no_show' ? 'no_show' : 'attended'} WHERE id = ${appointmentId}`);
    }
    await database.rows(sql`
      INSERT INTO attentions (id, tenant_id, appointment_id, procedure_id, channel, status, citizen_name, email, language, agent_id,
        queued_at, due_at, taken_at, ended_at, closed_at, typology_id, outcome)
      VALUES (${id}, ${tenantId}, ${appointmentId}, ${it.procedureId}, ${it.channel}, ${it.status},
        ${appointmentId ? null : 'Queue Citizen'}, ${appointmentId ? null : 'queue@example.com'}, 'ca', ${it.agentId ?? null},
        ${new Date(due.getTime() - (it.earlySeconds ?? 0) * 1000).toISOString()}::timestamptz, ${due.toISOString()}::timestamptz, ${taken?.toISOString() ?? null}::timestamptz,
        ${closed?.toISOString() ?? null}::timestamptz, ${closed?.toISOString() ?? null}::timestamptz,
        ${it.status === 'closed' ? (it.typologyId ?? firstType?.id ?? null) : null}, ${it.status === 'closed' ? (it.outcome ?? 'resolved') : null})`);
    if (it.survey) {
      await database.rows(sql`
        INSERT INTO survey_responses (tenant_id, attention_id, liked, easy, again, answers, language)
        VALUES (${tenantId}, ${id}, ${it.survey.liked}, ${it.survey.easy}, ${it.survey.again}, ${JSON.stringify(it.survey.answers ?? {})}::jsonb, 'ca')`);
    }
    ids.push(id);
  }
  return ids;
}
