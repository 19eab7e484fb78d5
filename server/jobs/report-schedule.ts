/**
 * Queues each tenant's monthly report once its local date reaches the 1st
 * (durable, once across processes and restarts: see
 * modules/reports/schedule-monthly-reports.ts). A pass every hour, the first
 * a few seconds after the start, so a process started on the 1st does not
 * wait an hour.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Database } from '../db/client.js';
import { safeError } from '../logger.js';
import { scheduleMonthlyReports } from '../modules/reports/schedule-monthly-reports.js';
import { PeriodicTask } from './periodic-task.js';

/** Delay of the first pass after the start. */
const FIRST_PASS_MS = 5_000;

export function reportSchedule(deps: { database: Database; config: Config; logger: Logger; kickJobs: () => void }, intervalMs = 3_600_000) {
  const pass = async () => {
    const queued = await scheduleMonthlyReports({ database: deps.database, jobMaxAttempts: deps.config.JOB_MAX_ATTEMPTS });
    if (queued > 0) {
      deps.logger.info({ queued }, 'monthly reports queued');
      deps.kickJobs();
    }
  };
  return new FirstSoonTask('report schedule', pass, { intervalMs, firstMs: Math.min(FIRST_PASS_MS, intervalMs), logger: deps.logger });
}

/** A PeriodicTask whose first pass comes soon after the start instead of one interval later. */
class FirstSoonTask extends PeriodicTask {
  private first: NodeJS.Timeout | undefined;
  private firstRun: Promise<void> | undefined;

  constructor(
    name: string,
    private readonly once: () => Promise<void>,
    private readonly o: { intervalMs: number; firstMs: number; logger: Logger },
  ) {
    super(name, once, o);
  }

  override start(): this {
    super.start();
    this.first = setTimeout(() => {
      this.firstRun = this.once().catch((e) => this.o.logger.error({ err: safeError(e), task: 'report schedule' }, 'periodic task failed'));
    }, this.o.firstMs);
    this.first.unref();
    return this;
  }

  override async stop(): Promise<void> {
    if (this.first) clearTimeout(this.first);
    await this.firstRun;
    await super.stop();
  }
}
