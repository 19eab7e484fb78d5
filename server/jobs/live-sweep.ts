/**
 * The live sweep (no-shows, due phone and call-back requests, cancelled
 * entries; see modules/attention/sweep-live.ts) every LIVE_SWEEP_SECONDS in
 * this process. Every process runs one: each step is a single atomic
 * statement, so they do not step on each other.
 */
import type { Logger } from 'pino';
import { sweepLive, type SweepDeps } from '../modules/attention/sweep-live.js';
import { PeriodicTask } from './periodic-task.js';

export function liveSweep(deps: SweepDeps & { /** Wakes the job worker when emails were queued. */ kickJobs?: () => void }, opts: { intervalMs: number; logger: Logger }) {
  return new PeriodicTask(
    'live sweep',
    async () => {
      const { noShows, due } = await sweepLive(deps);
      if (noShows > 0) deps.kickJobs?.();
      if (noShows > 0 || due > 0) opts.logger.info({ noShows, due }, 'live sweep');
    },
    opts,
  );
}
