/** Shapes of procedures (tràmits) as the API and admin pages accept and return them. */
import { z } from 'zod';
import { CHANNELS, LANGUAGES } from '../../../shared/domain.js';

export const localizedText = (max: number) =>
  z.partialRecord(z.enum(LANGUAGES), z.string().trim().max(max));

export const procedureInput = z.object({
  code: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/),
  name: localizedText(200),
  help: localizedText(4000),
  departmentId: z.uuid().nullable().optional(),
  channels: z.array(z.enum(CHANNELS)).min(1).max(4),
  durationMinutes: z.number().int().min(5).max(480),
  bufferMinutes: z.number().int().min(0).max(240).default(0),
  minNoticeMinutes: z.number().int().min(0).max(43_200).default(60),
  horizonDays: z.number().int().min(1).max(366).default(30),
  documents: z.array(z.object({ description: localizedText(500) })).max(30).default([]),
  active: z.boolean().default(true),
  position: z.number().int().min(0).max(10_000).default(0),
  requestSchema: z
    .record(z.string(), z.unknown())
    .nullable()
    .default(null)
    .describe('The request form an agent fills in during a formal attention: a JSON Schema in the subset of docs/FILING.md; null = no form.'),
  retentionDays: z
    .number()
    .int()
    .min(0)
    .max(3650)
    .default(7)
    .describe('Days after the hand-off is acknowledged before documents, identity images and the recording are deleted.'),
});

export type ProcedureInput = z.input<typeof procedureInput>;

export const procedureView = z.object({
  id: z.uuid(),
  code: z.string(),
  name: localizedText(200),
  help: localizedText(4000),
  departmentId: z.uuid().nullable(),
  channels: z.array(z.enum(CHANNELS)),
  durationMinutes: z.number(),
  bufferMinutes: z.number(),
  minNoticeMinutes: z.number(),
  horizonDays: z.number(),
  documents: z.array(z.object({ description: localizedText(500) })),
  active: z.boolean(),
  position: z.number(),
});

/** What admins see of a procedure: the public view plus the request form and the retention period. */
export const adminProcedureView = procedureView.extend({
  requestSchema: z.record(z.string(), z.unknown()).nullable(),
  retentionDays: z.number(),
});
