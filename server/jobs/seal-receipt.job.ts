/**
 * The `seal_receipt` job (queued by the filing transaction): renders, seals and
 * stores a filing's receipt, then marks it sealed and queues the receipt email
 * and `build_package` (modules/receipt/seal-receipt.ts). Safe to run again
 * after a crash at any point.
 */
import { AppError } from '../../shared/errors.js';
import { sealReceipt, type SealReceiptDeps } from '../modules/receipt/seal-receipt.js';
import type { JobHandler } from './job-runner.js';
import { sealReceiptJobPayload } from './job-types.js';

export function sealReceiptJob(deps: SealReceiptDeps): JobHandler {
  return async (job) => {
    const payload = sealReceiptJobPayload.parse(job.payload);
    if (!job.tenant_id) throw new AppError('filing_not_found');
    await sealReceipt(deps, { tenantId: job.tenant_id, filingId: payload.filingId, csv: payload.csv, jobId: job.id });
  };
}
