/** SQL that feeds the availability rules: who works when, and who is already busy. */
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { staff, staffSchedules } from '../../db/schema.js';
import { ts } from '../../db/sql-helpers.js';
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

/**
 * Busy ranges [start, blockedUntil) in ms of every booked appointment of a
 * tenant overlapping a window, grouped by agent and sorted. Aggregated in SQL
 * (one row per agent) because there can be tens of thousands.
 */
export async function listBusyRanges(database: Database, tenantId: string, from: number, to: number): Promise<Map<string, Array<[number, number]>>> {
  const rows = await database.rows<{ a: string; r: string }>(sql`
    SELECT agent_id AS a,
           string_agg(((extract(epoch FROM starts_at) * 1000)::bigint)::text || ',' || ((extract(epoch FROM blocked_until) * 1000)::bigint)::text, ';' ORDER BY starts_at) AS r
      FROM appointments
     WHERE tenant_id = ${tenantId}
       AND status = 'booked'
       AND agent_id IS NOT NULL
       AND blocked && tstzrange(${ts(from)}, ${ts(to)}, '[)')
     GROUP BY agent_id`);
  const out = new Map<string, Array<[number, number]>>();
  for (const row of rows) {
    out.set(
      row.a,
      row.r.split(';').map((pair) => {
        const comma = pair.indexOf(',');
        return [Number(pair.slice(0, comma)), Number(pair.slice(comma + 1))];
      }),
    );
  }
  return out;
}
