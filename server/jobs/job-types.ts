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
