/**
 * Runs the live sweep (no-shows, due phone and call-back requests; see
 * modules/attention/sweep-live.ts) every LIVE_SWEEP_SECONDS in this process.
 * Every process runs one: each step is a single atomic statement, so they do
 * not step on each other. A pass never overlaps the previous one (the next is
 * scheduled when it ends), a failure is logged and the next pass tries again,
 * and the timer never keeps the process alive.
 */
import type { Logger } from 'pino';
import { safeError } from '../logger.js';
import { sweepLive, type SweepDeps } from '../modules/attention/sweep-live.js';

export class LiveSweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly deps: SweepDeps & { /** Wakes the job worker when emails were queued. */ kickJobs?: () => void },
    private readonly opts: { intervalMs: number; logger: Logger },
  ) {}

  /** The first pass runs one interval after the start. */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), this.opts.intervalMs);
    this.timer.unref();
  }

  private async tick() {
    if (this.running || this.stopped) return;
    this.running = (async () => {
      try {
        const { noShows, due } = await sweepLive(this.deps);
        if (noShows > 0) this.deps.kickJobs?.();
        if (noShows > 0 || due > 0) this.opts.logger.info({ noShows, due }, 'live sweep');
      } catch (e) {
        this.opts.logger.error({ err: safeError(e) }, 'live sweep failed');
      }
    })();
    await this.running;
    this.running = undefined;
    if (!this.stopped) this.schedule();
  }
}
