/**
 * Recovery of recordings nobody finished: the agent's browser crashed or lost
 * the network for good, or the call was closed without stopping the recorder.
 * A recording still 'recording' whose last chunk is older than IDLE_MINUTES,
 * or whose attention ended more than LATE_CHUNK_MINUTES ago, is assembled with
 * what it has; an assembly that died half-way (its claim older than
 * STALE_ASSEMBLY_MINUTES) is run again. Run by every process
 * (server/jobs/recording-sweep.ts): rows are claimed with FOR UPDATE SKIP
 * LOCKED in the statement that marks them 'assembling', so each is taken once.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { FileStore } from '../../storage/encrypted-files.js';
import { assembleClaimed, STALE_ASSEMBLY_MINUTES } from './finish-recording.js';
import type { RecordingDeps } from './recordings.repository.js';
import { LATE_CHUNK_MINUTES } from './upload-chunk.js';

/** A recording that received nothing for this long is taken as abandoned. */
export const IDLE_MINUTES = 10;
/** Recordings claimed per pass; the next pass takes the rest. */
const BATCH = 20;

export type RecordingSweepDeps = {
  database: Database;
  /** Opened only when there is something to assemble (the key is loaded on first use). */
  openFiles: () => Promise<FileStore>;
  logger?: RecordingDeps['logger'];
};

export type RecordingSweepResult = { assembled: number; failed: number };

export async function sweepRecordings(deps: RecordingSweepDeps, opts: { idleMinutes?: number } = {}): Promise<RecordingSweepResult> {
  const idle = opts.idleMinutes ?? IDLE_MINUTES;
  const claimed = await deps.database.rows<{ id: string; tenant_id: string }>(sql`
    UPDATE recordings r SET status = 'assembling', completed_at = now()
     WHERE r.status IN ('recording', 'assembling') AND r.id IN (
       SELECT r2.id FROM recordings r2 JOIN attentions a ON a.id = r2.attention_id AND a.tenant_id = r2.tenant_id
        WHERE (r2.status = 'recording'
               AND (COALESCE(r2.last_chunk_at, r2.consent_at) < now() - make_interval(mins => ${idle})
                    OR (a.status <> 'in_progress'
                        AND COALESCE(a.ended_at, a.closed_at, r2.consent_at) < now() - make_interval(mins => ${LATE_CHUNK_MINUTES}))))
           OR (r2.status = 'assembling' AND r2.completed_at < now() - make_interval(mins => ${STALE_ASSEMBLY_MINUTES}))
        ORDER BY r2.created_at
        LIMIT ${BATCH}
        FOR UPDATE OF r2 SKIP LOCKED)
    RETURNING r.id, r.tenant_id`);
  const result: RecordingSweepResult = { assembled: 0, failed: 0 };
  if (claimed.length === 0) return result;
  const files = await deps.openFiles();
  const runs = await assembleClaimed(
    { database: deps.database, files, logger: deps.logger },
    claimed.map((row) => ({ tenantId: row.tenant_id, recordingId: row.id })),
  );
  runs.forEach((run, i) => {
    if (run.status === 'fulfilled') result.assembled++;
    else {
      // Stays 'assembling': tried again once the claim is stale.
      result.failed++;
      deps.logger?.error({ recordingId: claimed[i].id, err: (run.reason as Error)?.name }, 'recording assembly failed');
    }
  });
  return result;
}
