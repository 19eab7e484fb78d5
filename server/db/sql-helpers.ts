/** Small SQL pieces shared by repositories. */
import { sql } from 'drizzle-orm';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid[] literal from ids that are checked to be uuids (so it is safe to inline). */
export function uuidArray(ids: string[]) {
  for (const id of ids) if (!UUID.test(id)) throw new Error('not a uuid');
  return sql.raw(`'{${ids.join(',')}}'::uuid[]`);
}

/** A timestamptz parameter, or NULL. */
export function ts(d: Date | number | null) {
  return d === null ? sql`NULL` : sql`${new Date(d).toISOString()}::timestamptz`;
}

/**
 * One free agent among `candidates` for [start, end): none of their booked
 * appointments overlaps it (the exclusion constraint's index answers this).
 * Random order spreads concurrent requests over the free agents.
 */
export function freeAgentCte(candidates: string[], start: number, end: number, exceptAppointmentId?: string) {
  return sql`SELECT c.id FROM unnest(${uuidArray(candidates)}) AS c(id)
     WHERE NOT EXISTS (
       SELECT 1 FROM appointments x
        WHERE x.agent_id = c.id AND x.status = 'booked'
          AND x.blocked && tstzrange(${ts(start)}, ${ts(end)}, '[)')
          ${exceptAppointmentId ? sql`AND x.id <> ${exceptAppointmentId}` : sql``})
     ORDER BY random() LIMIT 1`;
}
