/**
 * Runs the recording sweep (abandoned recordings are assembled with what they
 * have; see modules/recording/sweep-recordings.ts) every minute in this
 * process. Every process runs one; recordings are claimed with SKIP LOCKED so
 * each is assembled once. A pass never overlaps the previous one, a failure is
 * logged and retried on the next pass, and the timer never keeps the process alive.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Database } from '../db/client.js';
import { safeError } from '../logger.js';
import { sweepRecordings } from '../modules/recording/sweep-recordings.js';
import { openFileStore } from '../storage/open-file-store.js';

const INTERVAL_MS = 60_000;

export class RecordingSweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly deps: { database: Database; config: Config; logger: Logger },
    private readonly intervalMs = INTERVAL_MS,
  ) {}

  /** The first pass runs one interval after the start. */
  start(): this {
    this.stopped = false;
    this.schedule();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private async tick() {
    if (this.running || this.stopped) return;
    const { database, config, logger } = this.deps;
    this.running = (async () => {
      try {
        const r = await sweepRecordings({ database, logger, openFiles: () => openFileStore(config, logger) });
        if (r.assembled > 0 || r.failed > 0) logger.info(r, 'recording sweep');
      } catch (e) {
        logger.error({ err: safeError(e) }, 'recording sweep failed');
      }
    })();
    await this.running;
    this.running = undefined;
    if (!this.stopped) this.schedule();
  }
}
