/** SQL that feeds the availability rules: who works when, and who is already busy. */
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { staff, staffSchedules } from '../../db/schema.js';
import { uuidArray } from '../../db/sql-helpers.js';
import type { Channel } from '../../../shared/domain.js';

export type StaffCalendarRow = {
  id: string;
  channels: Channel[];
  procedureIds: string[];
  schedule: Array<{ weekday: number; startsAt: string; endsAt: string }>;
};

/** Active staff of a tenant who attend at least one channel, with their weekly schedules. */
export async function listAttendingStaff(database: Database, tenantId: string): Promise<StaffCalendarRow[]> {
  const db = database.db;
  const people = await db
    .select({ id: staff.id, channels: staff.channels, procedureIds: staff.procedureIds })
    .from(staff)
    .where(and(eq(staff.tenantId, tenantId), eq(staff.active, true), sql`cardinality(${staff.channels}) > 0`));
  const rows = await db
    .select({ staffId: staffSchedules.staffId, weekday: staffSchedules.weekday, startsAt: staffSchedules.startsAt, endsAt: staffSchedules.endsAt })
    .from(staffSchedules)
    .where(eq(staffSchedules.tenantId, tenantId));
  const byStaff = new Map(people.map((p) => [p.id, { ...p, schedule: [] as StaffCalendarRow['schedule'] }]));
  for (const r of rows) byStaff.get(r.staffId)?.schedule.push(r);
  return [...byStaff.values()];
}

/** Busy ranges [start, blockedUntil) in ms of booked appointments of some agents overlapping a window. */
export async function listBusyRanges(
  database: Database,
  tenantId: string,
  agentIds: string[],
  from: number,
  to: number,
): Promise<Map<string, Array<[number, number]>>> {
  const out = new Map<string, Array<[number, number]>>();
  if (agentIds.length === 0) return out;
  const rows = await database.rows<{ a: string; s: number; e: number }>(sql`
    SELECT agent_id AS a,
           (extract(epoch FROM starts_at) * 1000)::float8 AS s,
           (extract(epoch FROM blocked_until) * 1000)::float8 AS e
      FROM appointments
     WHERE tenant_id = ${tenantId}
       AND status = 'booked'
       AND agent_id = ANY(${uuidArray(agentIds)})
       AND starts_at < ${new Date(to).toISOString()}::timestamptz
       AND blocked_until > ${new Date(from).toISOString()}::timestamptz
     ORDER BY starts_at`);
  for (const r of rows) {
    let list = out.get(r.a);
    if (!list) out.set(r.a, (list = []));
    list.push([Number(r.s), Number(r.e)]);
  }
  return out;
}
