/** Payloads of durable jobs, validated when a job is picked up. */
import { z } from 'zod';
import { LANGUAGES } from '../../shared/domain.js';

/**
 * `sequence` is the appointment's sequence the email describes: an email made
 * stale by a later change is not sent. The secrets are removed once the job ends.
 */
const withSecrets = {
  appointmentId: z.uuid(),
  sequence: z.number().int().min(0),
  accessCode: z.string().optional(),
  manageToken: z.string().optional(),
};

export const emailJobPayload = z.discriminatedUnion('template', [
  z.object({ template: z.literal('booking_confirmed'), ...withSecrets }),
  z.object({ template: z.literal('booking_rescheduled'), ...withSecrets }),
  z.object({ template: z.literal('booking_cancelled'), appointmentId: z.uuid(), sequence: z.number().int().min(0) }),
]);

export type EmailJobPayload = z.infer<typeof emailJobPayload>;

/**
 * The `monthly_report` job: makes (and stores) a month's indicators report.
 * `schedule` = the first-of-month report, in the tenant's report language,
 * emailed to its recipients; `manual` = asked for by a supervisor, in
 * `language`, not emailed.
 */
export const monthlyReportJobPayload = z.object({
  tenantId: z.uuid(),
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  trigger: z.enum(['schedule', 'manual']),
  language: z.enum(LANGUAGES).optional(),
});

export type MonthlyReportJobPayload = z.infer<typeof monthlyReportJobPayload>;

/**
 * The `seal_receipt` job, queued in the transaction that files a request
 * (modules/filing): renders the receipt PDF in the citizen's language, seals
 * it (PAdES B-B), stores it, and in one transaction marks the filing sealed,
 * appends `receipt_sealed`, queues the receipt email and `build_package`.
 * Safe to run again after a crash. `csv` is the plain secure verification
 * code printed on the receipt (only its hash is in `filings`); it is removed
 * from the payload once the job is done.
 */
export const sealReceiptJobPayload = z.object({
  filingId: z.uuid(),
  csv: z.string().min(1).max(64).optional(),
});
export type SealReceiptJobPayload = z.infer<typeof sealReceiptJobPayload>;

/** The `build_package` job: builds a filing's evidence package and sealed manifest, then queues `deliver_package`. */
export const buildPackageJobPayload = z.object({ filingId: z.uuid() });
export type BuildPackageJobPayload = z.infer<typeof buildPackageJobPayload>;

/** The `deliver_package` job: pushes the package to the tenant's webhook (retried with backoff; idempotency key = filing id). */
export const deliverPackageJobPayload = z.object({ filingId: z.uuid() });
export type DeliverPackageJobPayload = z.infer<typeof deliverPackageJobPayload>;
