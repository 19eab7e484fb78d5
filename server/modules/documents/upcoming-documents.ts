/**
 * The documents waiting for an agent before their calls: booked appointments
 * from 12 hours ago to 7 days ahead (the agent's own; every agent's for
 * supervisors and admins) whose procedure asks for documents or that already
 * have some, with how many wait for review. The console lists them so that
 * documents can be reviewed before the call.
 */
import { sql } from 'drizzle-orm';
import type { LocalizedText } from '../../../shared/domain.js';
import type { Database } from '../../db/client.js';
import type { Staff } from '../staff/staff.repository.js';

export type UpcomingDocuments = {
  appointmentId: string;
  reference: string;
  startsAt: string;
  citizenName: string;
  procedureName: LocalizedText;
  required: number;
  received: number;
  pending: number;
};

export async function upcomingDocuments(database: Database, tenantId: string, actor: Pick<Staff, 'id' | 'role'>): Promise<UpcomingDocuments[]> {
  const rows = await database.rows<{
    id: string;
    reference: string;
    starts_at: Date | string;
    citizen_name: string;
    procedure_name: LocalizedText;
    required: number;
    received: number;
    pending: number;
  }>(sql`
    SELECT ap.id, ap.reference, ap.starts_at, ap.citizen_name, p.name AS procedure_name,
           jsonb_array_length(p.documents)::int AS required,
           (count(d.id) FILTER (WHERE d.kind = 'citizen' AND d.status IN ('pending','accepted','rejected')))::int AS received,
           (count(d.id) FILTER (WHERE d.kind = 'citizen' AND d.status = 'pending'))::int AS pending
      FROM appointments ap
      JOIN procedures p ON p.tenant_id = ap.tenant_id AND p.id = ap.procedure_id
      LEFT JOIN documents d ON d.tenant_id = ap.tenant_id AND d.appointment_id = ap.id
     WHERE ap.tenant_id = ${tenantId} AND ap.status = 'booked' AND ap.kind = 'slot'
       AND ap.starts_at BETWEEN now() - interval '12 hours' AND now() + interval '7 days'
       ${actor.role === 'agent' ? sql`AND ap.agent_id = ${actor.id}` : sql``}
     GROUP BY ap.id, p.name, p.documents
    HAVING jsonb_array_length(p.documents) > 0 OR count(d.id) > 0
     ORDER BY ap.starts_at
     LIMIT 100`);
  return rows.map((r) => ({
    appointmentId: r.id,
    reference: r.reference,
    startsAt: new Date(r.starts_at).toISOString(),
    citizenName: r.citizen_name,
    procedureName: r.procedure_name,
    required: Number(r.required),
    received: Number(r.received),
    pending: Number(r.pending),
  }));
}
