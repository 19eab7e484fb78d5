/** What a citizen sends to book, cancel or reschedule, and what the API returns. */
import { z } from 'zod';
import { ACCESSIBILITY_NEEDS, CHANNELS, LANGUAGES } from '../../../shared/domain.js';

export const contactInput = z.object({
  name: z.string().trim().min(2).max(120),
  email: z.email().max(254).optional(),
  phone: z.string().trim().max(30).optional(),
  taxId: z.string().trim().max(20).optional(),
  language: z.enum(LANGUAGES),
  accessibility: z
    .object({
      needs: z.array(z.enum(ACCESSIBILITY_NEEDS)).max(ACCESSIBILITY_NEEDS.length).default([]),
      interpreterLanguage: z.string().trim().max(60).optional(),
    })
    .default({ needs: [] }),
  privacyAccepted: z.boolean(),
});

export const bookingInput = contactInput.extend({
  procedure: z.string().regex(/^[a-z0-9-]{1,64}$/),
  channel: z.enum(CHANNELS),
  /** Slot start as an ISO instant; absent with `asap`. */
  start: z.iso.datetime({ offset: true }).optional(),
  /** Call me back as soon as possible (channel `callback` only). */
  asap: z.boolean().optional(),
  /** Makes a repeated submission return the first booking instead of a second one. */
  idempotencyKey: z.uuid().optional(),
});

export type BookingInput = z.infer<typeof bookingInput>;

export const rescheduleInput = z.object({ start: z.iso.datetime({ offset: true }) });

export const slotView = z.object({ start: z.string(), end: z.string(), day: z.string(), time: z.string(), capacity: z.number() });

export const appointmentView = z.object({
  reference: z.string(),
  procedure: z.object({ code: z.string(), name: z.string() }),
  channel: z.enum(CHANNELS),
  kind: z.enum(['slot', 'asap']),
  start: z.string().nullable(),
  end: z.string().nullable(),
  status: z.enum(['booked', 'cancelled', 'attended', 'no_show']),
  language: z.enum(LANGUAGES),
  canChange: z.boolean(),
});

export const bookedView = appointmentView.extend({
  accessCode: z.string().nullable(),
  manageUrl: z.string().nullable(),
});
