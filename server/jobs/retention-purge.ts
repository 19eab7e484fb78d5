/**
 * The retention task, every RETENTION_SWEEP_SECONDS in each process: deletes
 * the files of delivered packages past their purge date, then anonymises
 * personal data past the town hall's retention period
 * (modules/handoff/purge-delivered.ts, anonymise-personal-data.ts). Every
 * step claims its rows with SKIP LOCKED, so several processes may run it.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { anonymisePersonalData } from '../modules/handoff/anonymise-personal-data.js';
import { purgeDeliveredPackages } from '../modules/handoff/purge-delivered.js';
import type { FileStore } from '../storage/encrypted-files.js';
import { PeriodicTask } from './periodic-task.js';

export type RetentionDeps = { database: Database; files: () => Promise<FileStore>; logger: Logger };

/** One pass: purge, then anonymise. */
export async function retentionPass(deps: Omit<RetentionDeps, 'logger'>) {
  const purged = await purgeDeliveredPackages(deps);
  const anonymised = await anonymisePersonalData(deps);
  return { purged, ...anonymised };
}

export function retentionPurge(deps: RetentionDeps, intervalMs: number) {
  return new PeriodicTask(
    'retention purge',
    async () => {
      const r = await retentionPass(deps);
      if (r.purged || r.attentions || r.appointments || r.documents || r.recordings) deps.logger.info(r, 'retention purge');
    },
    { intervalMs, logger: deps.logger },
  );
}
