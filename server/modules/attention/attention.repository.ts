/** SQL for attentions: the live queue, one attention, positions in the queue. */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { AttentionState, LiveChannel } from '../../db/schema.js';
import type { LocalizedText } from '../../../shared/domain.js';

/** A row of the live queue as the console shows it. */
export type QueueRow = {
  id: string;
  status: AttentionState;
  channel: LiveChannel;
  source: 'appointment' | 'queue';
  reference: string | null;
  procedureId: string;
  procedureName: LocalizedText;
  citizenName: string;
  phone: string | null;
  email: string | null;
  language: string;
  priority: number;
  priorityReasons: string[];
  accessibilityNeeds: string[];
  queuedAt: string;
  dueAt: string;
  startsAt: string | null;
  /** The agent it is assigned to (booked) or who took it. */
  agentId: string | null;
  agentName: string | null;
  takenAt: string | null;
  attempts: number;
};

const QUEUE_COLUMNS = sql`
  a.id, a.status, a.channel,
  CASE WHEN a.appointment_id IS NULL THEN 'queue' ELSE 'appointment' END AS source,
  ap.reference, a.procedure_id AS "procedureId", p.name AS "procedureName",
  COALESCE(a.citizen_name, ap.citizen_name) AS "citizenName",
  COALESCE(a.phone, ap.phone) AS phone, COALESCE(a.email, ap.email) AS email,
  a.language, a.priority, a.priority_reasons AS "priorityReasons",
  COALESCE(ARRAY(SELECT jsonb_array_elements_text(ap.accessibility->'needs')), '{}'::text[]) AS "accessibilityNeeds",
  a.queued_at AS "queuedAt", a.due_at AS "dueAt", ap.starts_at AS "startsAt",
  COALESCE(a.agent_id, ap.agent_id) AS "agentId", s.full_name AS "agentName",
  a.taken_at AS "takenAt", a.attempts`;

const QUEUE_FROM = sql`
  FROM attentions a
  JOIN procedures p ON p.id = a.procedure_id AND p.tenant_id = a.tenant_id
  LEFT JOIN appointments ap ON ap.id = a.appointment_id AND ap.tenant_id = a.tenant_id
  LEFT JOIN staff s ON s.id = COALESCE(a.agent_id, ap.agent_id) AND s.tenant_id = a.tenant_id`;

/** Order of service: priority first, then who was due first. */
export const QUEUE_ORDER = sql`a.priority DESC, a.due_at, a.queued_at, a.id`;

function iso<T extends Record<string, unknown>>(row: T): T {
  for (const k of ['queuedAt', 'dueAt', 'startsAt', 'takenAt'] as const) {
    const v = row[k] as unknown;
    if (v instanceof Date) (row as Record<string, unknown>)[k] = v.toISOString();
    else if (typeof v === 'string') (row as Record<string, unknown>)[k] = new Date(v).toISOString();
  }
  return row;
}

/** Everyone waiting and every attention in course in a town hall, in order of service. */
export async function listLiveQueue(database: Database, tenantId: string): Promise<QueueRow[]> {
  const rows = await database.rows<QueueRow>(sql`
    SELECT ${QUEUE_COLUMNS} ${QUEUE_FROM}
     WHERE a.tenant_id = ${tenantId} AND a.status IN ('waiting', 'in_progress')
     ORDER BY (a.status = 'in_progress') DESC, ${QUEUE_ORDER}
     LIMIT 500`);
  return rows.map(iso);
}

/** One attention of a town hall as a queue row (any status). */
export async function findQueueRow(database: Database, tenantId: string, id: string): Promise<QueueRow | undefined> {
  const [row] = await database.rows<QueueRow>(sql`SELECT ${QUEUE_COLUMNS} ${QUEUE_FROM} WHERE a.tenant_id = ${tenantId} AND a.id = ${id}`);
  return row ? iso(row) : undefined;
}

export type AttentionRow = {
  id: string;
  tenant_id: string;
  appointment_id: string | null;
  procedure_id: string;
  channel: LiveChannel;
  status: AttentionState;
  agent_id: string | null;
  language: string;
  taken_at: Date | null;
  connected_at: Date | null;
  ended_at: Date | null;
  closed_at: Date | null;
  attempts: number;
};

export async function findAttention(database: Database, tenantId: string, id: string): Promise<AttentionRow | undefined> {
  const [row] = await database.rows<AttentionRow>(sql`SELECT * FROM attentions WHERE tenant_id = ${tenantId} AND id = ${id}`);
  return row;
}

export async function findAttentionByAppointment(database: Database, tenantId: string, appointmentId: string): Promise<AttentionRow | undefined> {
  const [row] = await database.rows<AttentionRow>(sql`SELECT * FROM attentions WHERE tenant_id = ${tenantId} AND appointment_id = ${appointmentId}`);
  return row;
}

/**
 * Position (1 = next) of each waiting attention among those of the tenant,
 * and how many agents are on duty (available or busy) to serve them.
 */
export async function waitingPositions(database: Database, tenantId: string): Promise<{ positions: Map<string, number>; agentsOnDuty: number; averageHandlingSeconds: number | null }> {
  const rows = await database.rows<{ id: string; position: number }>(sql`
    SELECT a.id, row_number() OVER (ORDER BY ${QUEUE_ORDER})::int AS position
      FROM attentions a WHERE a.tenant_id = ${tenantId} AND a.status = 'waiting'`);
  const [stats] = await database.rows<{ on_duty: number; avg_handling: number | null }>(sql`
    SELECT (SELECT count(*)::int FROM agent_presence WHERE tenant_id = ${tenantId} AND state IN ('available', 'busy')) AS on_duty,
           (SELECT avg(extract(epoch FROM closed_at - taken_at))::float8 FROM (
              SELECT closed_at, taken_at FROM attentions
               WHERE tenant_id = ${tenantId} AND status = 'closed' AND closed_at > now() - interval '7 days'
               ORDER BY closed_at DESC LIMIT 50) recent) AS avg_handling`);
  return {
    positions: new Map(rows.map((r) => [r.id, Number(r.position)])),
    agentsOnDuty: Number(stats?.on_duty ?? 0),
    averageHandlingSeconds: stats?.avg_handling === null || stats?.avg_handling === undefined ? null : Number(stats.avg_handling),
  };
}
