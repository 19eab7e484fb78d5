/** The shapes of the open-data and comparison answers, as the OpenAPI document describes them. */
import { z } from 'zod';
import { LANGUAGES } from '../../../shared/domain.js';

const cell = z
  .object({
    value: z.number().nullable().describe('The figure; null when suppressed or without data'),
    suppressed: z.boolean().describe('Hidden: built from fewer than 5 attentions (5 answers), or hidden so that such a figure cannot be worked out from a total'),
  })
  .describe('A published figure');

const item = cell.extend({ key: z.string().describe('Channel, procedure code or consultation type code (`_none`: ended without a type)'), label: z.string() });

const period = z.object({
  kind: z.enum(['month', 'last12']),
  from: z.iso.date(),
  to: z.iso.date(),
  months: z.array(z.string().regex(/^\d{4}-\d{2}$/)),
});

export const publicIndicatorsView = z.object({
  tenant: z.object({ slug: z.string(), name: z.string() }),
  period,
  minimumCell: z.number().int().describe('The smallest count published'),
  attentions: cell.describe('Attentions that ended in the period, attended or not'),
  byChannel: z.array(item),
  byProcedure: z.array(item),
  byType: z.array(item),
  waitingAverageSeconds: cell.describe('Average wait from joining the queue (or the appointment time) to being attended, in whole seconds'),
  satisfaction: z.object({
    answers: cell.describe('Survey answers'),
    likedAverage: cell.describe('"Did you like it?", average 0–10, to one decimal'),
    easyAverage: cell.describe('"Was it easy?", average 0–10, to one decimal'),
    againShare: cell.describe('Share answering yes to "Would you use it again?", 0–1, to whole percent'),
  }),
  targets: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      goalPercent: z.number(),
      share: cell.describe('Share of attentions (or availability samples) within the target, 0–1, to whole percent; suppressed with the count it is taken from'),
      met: z.boolean().nullable().describe('Whether the goal was reached (on the exact figures); null without data or when suppressed'),
    }),
  ),
});

export const openDataDailyView = z.object({
  tenant: z.object({ slug: z.string(), name: z.string() }),
  from: z.iso.date(),
  to: z.iso.date(),
  language: z.enum(LANGUAGES),
  minimumCell: z.number().int(),
  rows: z.array(
    z.object({
      date: z.iso.date(),
      procedure: z.object({ code: z.string(), name: z.string() }),
      channel: z.string(),
      attentions: z.number().int().nullable(),
      suppressed: z.boolean(),
      averageWaitSeconds: z.number().int().nullable(),
      averageWaitSuppressed: z.boolean(),
      types: z.array(z.object({ code: z.string(), name: z.string(), attentions: z.number().int().nullable(), suppressed: z.boolean() })),
    }),
  ),
});

export const comparisonView = z.object({
  month: z.string(),
  from: z.iso.date(),
  to: z.iso.date(),
  tenants: z.array(
    z.object({
      slug: z.string(),
      name: z.string(),
      published: z.boolean().describe("Whether the month is settled in the town hall's time zone (15 days after it ended)"),
      publicationDay: z.iso.date().describe("The town hall's local day from which the month is published"),
      indicators: publicIndicatorsView.nullable().describe('Null until the month is published'),
    }),
  ),
});

const text = (max: number) => z.string().max(max).optional();

export const dailyQuery = z.object({
  from: text(32).describe('First day, YYYY-MM-DD (default: the first day of the last published month)'),
  to: text(32).describe('Last day, included, YYYY-MM-DD, in a published month (a month is published 15 days after it ends); at most 366 days after `from`'),
  format: z.enum(['json', 'csv']).default('json'),
  lang: text(10).describe('Language of the names: ca, es or en (default: negotiated)'),
});

export const summaryQuery = z.object({
  month: text(32).describe('A published month, YYYY-MM (a month is published 15 days after it ends); absent: the last 12 published months'),
  lang: text(10),
});

export const compareQuery = z.object({
  month: text(32).describe("A finished month, YYYY-MM (default: the last one published in the operator's zone); each town hall shows it once published in its own zone"),
  lang: text(10),
});
