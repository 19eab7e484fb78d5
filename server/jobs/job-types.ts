/** Payloads of durable jobs, validated when a job is picked up. */
import { z } from 'zod';

export const emailJobPayload = z.discriminatedUnion('template', [
  z.object({
    template: z.literal('booking_confirmed'),
    appointmentId: z.uuid(),
    accessCode: z.string(),
    manageToken: z.string(),
  }),
  z.object({
    template: z.literal('booking_rescheduled'),
    appointmentId: z.uuid(),
    accessCode: z.string(),
    manageToken: z.string(),
  }),
  z.object({ template: z.literal('booking_cancelled'), appointmentId: z.uuid() }),
]);

export type EmailJobPayload = z.infer<typeof emailJobPayload>;
