/**
 * The `deliver_package` job: pushes a built package to the town hall's
 * webhook (modules/handoff/deliver-package.ts). A failure throws, so the job
 * runner retries with exponential backoff, durably (after a restart too); on
 * the last attempt the hand-off is marked failed for supervisors to see.
 */
import { deliverPackage, type DeliverDeps } from '../modules/handoff/deliver-package.js';
import type { JobHandler } from './job-runner.js';
import { deliverPackageJobPayload } from './job-types.js';

export function deliverPackageJob(deps: DeliverDeps): JobHandler {
  return async (job) => {
    const { filingId } = deliverPackageJobPayload.parse(job.payload);
    if (!job.tenant_id) throw new Error('deliver_package job without a tenant');
    await deliverPackage(deps, { tenantId: job.tenant_id, filingId, finalAttempt: job.attempts >= job.max_attempts });
  };
}
