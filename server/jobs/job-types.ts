/** Payloads of durable jobs, validated when a job is picked up. */
import { z } from 'zod';

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
