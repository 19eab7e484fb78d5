/**
 * The live sweep, run every few seconds by every process (server/jobs/live-sweep.ts):
 *
 * - **No-shows.** A booked video appointment whose start plus the town hall's
 *   `noShowMinutes` has passed, and whose citizen is not in the waiting room
 *   (never entered, or left the queue: `abandoned`), becomes `no_show`. That
 *   frees the agent (the exclusion constraint covers booked appointments only),
 *   records a `no_show` attention for the indicators, queues the email to the
 *   citizen and announces the change — all in one statement per batch. A
 *   citizen who is waiting or being attended is never marked.
 * - **Due calls.** A booked phone or call-back appointment becomes a waiting
 *   attention `DUE_LEAD_MINUTES` before its start (a call-me-back as soon as
 *   possible at once), ordered by its start.
 * - **Cancelled while queued.** A waiting entry whose appointment is no longer
 *   booked ends as abandoned.
 *
 * Several processes may sweep at once: each step is one statement; rows being
 * marked are locked and skipped by the others, the attention is unique per
 * appointment, and a citizen entering the waiting room at that very moment
 * either wins (the appointment is then not marked) or finds it marked.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { EVENTS_CHANNEL, notifyAppointmentChanged } from '../../db/events.js';
import { LIVE_DEFAULTS } from './live-settings.js';

/** Phone and call-back appointments join the queue this long before their start, so the agent sees them coming. */
export const DUE_LEAD_MINUTES = 5;
/**
 * Only appointments of the last day are swept: older ones (booked before live attention existed,
 * or while the service was down) are neither emailed as no-shows nor put at the head of the queue.
 */
export const LOOKBACK_HOURS = 24;
/** A virtual-queue entry nobody attended is given up after this long (its citizen's pass expires too). */
export const QUEUE_ENTRY_HOURS = 12;
/** Rows per statement; a sweep runs statements until a batch comes back short. */
const BATCH = 200;

export type SweepDeps = {
  database: Database;
  /** Attempts before an email job is marked failed. */
  jobMaxAttempts: number;
};

export type SweepResult = { noShows: number; due: number };

/** One pass of the sweep over every town hall. */
export async function sweepLive(deps: SweepDeps): Promise<SweepResult> {
  let noShows = 0;
  for (;;) {
    const n = await markNoShows(deps);
    noShows += n;
    if (n < BATCH) break;
  }
  let due = 0;
  for (;;) {
    const n = await queueDueCalls(deps);
    due += n;
    if (n < BATCH) break;
  }
  await dropCancelledFromQueue(deps);
  return { noShows, due };
}

/**
 * Entries that should no longer wait: a citizen who cancelled after their
 * request entered the queue, and a virtual-queue entry left for longer than
 * its pass lives, end as abandoned; a phone or call-back request moved to a
 * later time leaves the queue until it is due again. Consoles hear it.
 */
async function dropCancelledFromQueue(deps: SweepDeps): Promise<number> {
  await deps.database.rows(sql`
    WITH moved AS (
      DELETE FROM attentions a USING appointments ap
       WHERE ap.id = a.appointment_id AND ap.tenant_id = a.tenant_id
         AND a.status = 'waiting' AND a.channel IN ('phone', 'callback') AND ap.status = 'booked' AND ap.kind = 'slot'
         AND ap.starts_at > now() + make_interval(mins => ${DUE_LEAD_MINUTES + 1})
      RETURNING a.tenant_id)
    SELECT count(*) FROM (SELECT 1 AS k, ${queueChanged('x')} FROM (SELECT DISTINCT tenant_id FROM moved) x) n`);
  const [row] = await deps.database.rows<{ dropped: number; notified: number }>(sql`
    WITH gone AS (
      UPDATE attentions a SET status = 'abandoned', ended_at = now()
       WHERE a.status = 'waiting'
         AND ((a.appointment_id IS NULL AND a.queued_at < now() - make_interval(hours => ${QUEUE_ENTRY_HOURS}))
              OR EXISTS (SELECT 1 FROM appointments ap WHERE ap.id = a.appointment_id AND ap.tenant_id = a.tenant_id AND ap.status <> 'booked'))
      RETURNING a.id, a.tenant_id),
    n_attention AS (
      SELECT 1 AS k, pg_notify(${EVENTS_CHANNEL}, json_build_object('type', 'attention.changed', 'tenantId', gone.tenant_id, 'attentionId', gone.id, 'status', 'abandoned')::text)
        FROM gone),
    n_queue AS (SELECT 1 AS k, ${queueChanged('x')} FROM (SELECT DISTINCT tenant_id FROM gone) x)
    SELECT (SELECT count(*) FROM gone)::int AS dropped, ((SELECT count(*) FROM n_attention) + (SELECT count(*) FROM n_queue))::int AS notified`);
  return row?.dropped ?? 0;
}

/**
 * The town hall's `noShowMinutes` (tenants.settings->'live', defaults in live-settings.ts),
 * read in SQL so that one statement serves every tenant; a value that is not a number takes the default.
 */
const noShowMinutes = (alias: string) => sql`COALESCE(
  CASE WHEN jsonb_typeof(${sql.raw(alias)}.settings #> '{live,noShowMinutes}') = 'number'
       THEN round((${sql.raw(alias)}.settings #>> '{live,noShowMinutes}')::numeric)::int END,
  ${LIVE_DEFAULTS.noShowMinutes}::int)`;

const queueChanged = (alias: string) =>
  sql`pg_notify(${EVENTS_CHANNEL}, json_build_object('type', 'queue.changed', 'tenantId', ${sql.raw(alias)}.tenant_id)::text)`;

/**
 * Marks one batch of no-shows; returns how many. The attention comes first and
 * drives the rest: when the citizen has just entered (their attention is now
 * `waiting`), the upsert leaves it alone and returns nothing, so neither the
 * appointment nor the email follow.
 */
async function markNoShows(deps: SweepDeps): Promise<number> {
  const [row] = await deps.database.rows<{ marked: number; notified: number }>(sql`
    WITH due AS (
      SELECT ap.id, ap.tenant_id, ap.procedure_id, ap.language, ap.starts_at
        FROM appointments ap JOIN tenants t ON t.id = ap.tenant_id
       WHERE ap.status = 'booked' AND ap.channel = 'video' AND ap.kind = 'slot'
         AND ap.starts_at + make_interval(mins => ${noShowMinutes('t')}) < now()
         AND ap.starts_at > now() - make_interval(hours => ${LOOKBACK_HOURS})
         AND NOT EXISTS (
           SELECT 1 FROM attentions x WHERE x.appointment_id = ap.id AND x.status IN ('waiting', 'in_progress', 'closed'))
       ORDER BY ap.starts_at
       LIMIT ${BATCH}
       FOR UPDATE OF ap SKIP LOCKED),
    att AS (
      INSERT INTO attentions (tenant_id, appointment_id, procedure_id, channel, status, language, queued_at, due_at, closed_at)
      SELECT tenant_id, id, procedure_id, 'video', 'no_show', language, starts_at, starts_at, now() FROM due
      ON CONFLICT (appointment_id) DO UPDATE SET status = 'no_show', closed_at = now()
        WHERE attentions.status = 'abandoned'
      RETURNING id, tenant_id, appointment_id),
    u AS (
      UPDATE appointments SET status = 'no_show', sequence = sequence + 1
        FROM att WHERE appointments.id = att.appointment_id AND appointments.status = 'booked'
      RETURNING appointments.id, appointments.tenant_id, appointments.sequence, appointments.email),
    j AS (
      INSERT INTO jobs (tenant_id, type, payload, max_attempts)
      SELECT tenant_id, 'email', json_build_object('template', 'no_show', 'appointmentId', id, 'sequence', sequence)::jsonb, ${deps.jobMaxAttempts}
        FROM u WHERE email IS NOT NULL
      RETURNING id),
    n_appointment AS (SELECT 1 AS k, ${notifyAppointmentChanged('u', 'no_show')} FROM u),
    n_attention AS (
      SELECT 1 AS k, pg_notify(${EVENTS_CHANNEL}, json_build_object('type', 'attention.changed', 'tenantId', att.tenant_id, 'attentionId', att.id, 'status', 'no_show')::text)
        FROM att),
    n_queue AS (SELECT 1 AS k, ${queueChanged('x')} FROM (SELECT DISTINCT tenant_id FROM u) x)
    -- A CTE that only SELECTs runs when read: the counts make every NOTIFY happen.
    SELECT (SELECT count(*) FROM u)::int AS marked,
           ((SELECT count(*) FROM n_appointment) + (SELECT count(*) FROM n_attention) + (SELECT count(*) FROM n_queue) + (SELECT count(*) FROM j))::int AS notified`);
  return row?.marked ?? 0;
}

/** Turns one batch of due phone and call-back appointments into waiting attentions; returns how many. */
async function queueDueCalls(deps: SweepDeps): Promise<number> {
  const [row] = await deps.database.rows<{ queued: number; notified: number }>(sql`
    WITH due AS (
      SELECT ap.id, ap.tenant_id, ap.procedure_id, ap.channel, ap.language, COALESCE(ap.starts_at, ap.created_at) AS due_at
        FROM appointments ap
       WHERE ap.status = 'booked' AND ap.channel IN ('phone', 'callback')
         AND ((ap.kind = 'asap' AND ap.created_at > now() - make_interval(hours => ${LOOKBACK_HOURS}))
              OR (ap.starts_at <= now() + make_interval(mins => ${DUE_LEAD_MINUTES}) AND ap.starts_at > now() - make_interval(hours => ${LOOKBACK_HOURS})))
         AND NOT EXISTS (SELECT 1 FROM attentions x WHERE x.appointment_id = ap.id)
       ORDER BY COALESCE(ap.starts_at, ap.created_at)
       LIMIT ${BATCH}),
    ins AS (
      INSERT INTO attentions (tenant_id, appointment_id, procedure_id, channel, language, queued_at, due_at)
      SELECT tenant_id, id, procedure_id, channel, language, now(), due_at FROM due
      ON CONFLICT (appointment_id) DO NOTHING
      RETURNING tenant_id),
    n_queue AS (SELECT 1 AS k, ${queueChanged('x')} FROM (SELECT DISTINCT tenant_id FROM ins) x)
    SELECT (SELECT count(*) FROM ins)::int AS queued, (SELECT count(*) FROM n_queue)::int AS notified`);
  return row?.queued ?? 0;
}
