/**
 * The `build_package` job (queued by seal_receipt once the receipt is sealed,
 * or by a supervisor's "Retry"): builds the filing's evidence package and, in
 * the same transaction as its hand-off row, queues `deliver_package`
 * (modules/handoff/build-package.ts). Safe to run again. When the last
 * attempt fails the hand-off is marked failed, visible to supervisors.
 */
import { buildPackage, markBuildFailed, type BuildPackageDeps } from '../modules/handoff/build-package.js';
import type { JobHandler } from './job-runner.js';
import { buildPackageJobPayload } from './job-types.js';

export function buildPackageJob(deps: BuildPackageDeps): JobHandler {
  return async (job) => {
    const { filingId } = buildPackageJobPayload.parse(job.payload);
    if (!job.tenant_id) throw new Error('build_package job without a tenant');
    try {
      await buildPackage(deps, { tenantId: job.tenant_id, filingId });
    } catch (e) {
      if (job.attempts >= job.max_attempts) await markBuildFailed(deps.database, { tenantId: job.tenant_id, filingId });
      throw e;
    }
  };
}
