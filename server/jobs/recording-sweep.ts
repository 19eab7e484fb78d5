/**
 * The recording sweep (abandoned recordings are assembled with what they
 * have; see modules/recording/sweep-recordings.ts) every minute in this
 * process. Every process runs one; recordings are claimed with SKIP LOCKED so
 * each is assembled once.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Database } from '../db/client.js';
import { sweepRecordings } from '../modules/recording/sweep-recordings.js';
import { openFileStore } from '../storage/open-file-store.js';
import { PeriodicTask } from './periodic-task.js';

const INTERVAL_MS = 60_000;

export function recordingSweep(deps: { database: Database; config: Config; logger: Logger }, intervalMs = INTERVAL_MS) {
  const { database, config, logger } = deps;
  return new PeriodicTask(
    'recording sweep',
    async () => {
      const r = await sweepRecordings({ database, logger, openFiles: () => openFileStore(config, logger) });
      if (r.assembled > 0 || r.failed > 0) logger.info(r, 'recording sweep');
    },
    { intervalMs, logger },
  );
}
