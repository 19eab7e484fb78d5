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
  return new PeriodicTask('report schedule', pass, { intervalMs, firstDelayMs: Math.min(FIRST_PASS_MS, intervalMs), logger: deps.logger });
}
