/**
 * The retention task, every RETENTION_SWEEP_SECONDS in each process: puts
 * back seal_receipt jobs that failed for good (a register number never stays
 * without its receipt), deletes the files of delivered packages past their
 * purge date, then anonymises personal data past the town hall's retention
 * period (modules/handoff/requeue-failed-seals.ts, purge-delivered.ts,
 * anonymise-personal-data.ts). Every step marks its rows under a short
 * SKIP LOCKED transaction, so several processes may run it.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { anonymisePersonalData } from '../modules/handoff/anonymise-personal-data.js';
import { purgeDeliveredPackages } from '../modules/handoff/purge-delivered.js';
import { requeueFailedSeals } from '../modules/handoff/requeue-failed-seals.js';
import type { FileStore } from '../storage/encrypted-files.js';
import { PeriodicTask } from './periodic-task.js';

export type RetentionDeps = { database: Database; files: () => Promise<FileStore>; logger: Logger; kickJobs?: () => void };

/** One pass: failed seals queued again, then purge, then anonymise. */
export async function retentionPass(deps: Omit<RetentionDeps, 'logger'>) {
  const sealsRequeued = await requeueFailedSeals(deps.database);
  if (sealsRequeued) deps.kickJobs?.();
  const purged = await purgeDeliveredPackages(deps);
  const anonymised = await anonymisePersonalData(deps);
  return { sealsRequeued, purged, ...anonymised };
}

export function retentionPurge(deps: RetentionDeps, intervalMs: number) {
  return new PeriodicTask(
    'retention purge',
    async () => {
      const r = await retentionPass(deps);
      if (r.sealsRequeued || r.purged || r.attentions || r.appointments || r.documents || r.recordings) deps.logger.info(r, 'retention purge');
    },
    { intervalMs, logger: deps.logger },
  );
}
