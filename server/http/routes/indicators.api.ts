/**
 * The indicators JSON API for supervisors and admins: a period's indicators,
 * the live picture, and any indicator table as CSV. Served, like the console's,
 * under /api/v1/tenants/{slug}/indicators (documented, API session cookie) and
 * under /{slug}/staff/console/api/indicators (hidden, for the dashboard in the
 * browser with the page session cookie).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import { PRESENCE_STATES } from '../../db/schema.js';
import { translator } from '../../i18n/i18n.js';
import { computeIndicators } from '../../modules/indicators/compute-indicators.js';
import { indicatorQuery, validateIndicatorFilter } from '../../modules/indicators/indicator-filter.js';
import { INDICATOR_TABLE_IDS, indicatorTables, tableToCsv } from '../../modules/indicators/indicator-tables.js';
import { nowSnapshot } from '../../modules/indicators/now-snapshot.js';
import type { AppContext } from '../context.js';
import { CONSOLE_PREFIXES, registerConsoleRoutes } from '../console-routes.js';
import { requireStaff } from '../staff-auth.js';
import { errorBody } from './api-schemas.js';

/** Where the dashboard in the browser reaches this API (the page session cookie's path is /{slug}). */
export function indicatorsBrowserPath(slug: string): string {
  return `${CONSOLE_PREFIXES[1].prefix.replace(':slug', slug)}/indicators`;
}

const slugParams = z.object({ slug: z.string().max(40) });
const query = indicatorQuery.extend({ lang: z.string().max(8).optional().describe('ca, es or en (labels and titles)') });
const liveChannel = z.enum(['video', 'phone', 'callback']);
const breakdown = z.array(z.object({ key: z.string(), label: z.string(), count: z.number() }));
const duration = z.object({ count: z.number(), averageSeconds: z.number().nullable(), p90Seconds: z.number().nullable() });

const indicatorsView = z.object({
  filter: z.object({
    from: z.string(),
    to: z.string(),
    procedureId: z.string().optional(),
    channel: liveChannel.optional(),
    departmentId: z.string().optional(),
    agentId: z.string().optional(),
  }),
  timeZone: z.string(),
  totals: z.object({
    attentions: z.number(),
    closed: z.number(),
    noShow: z.number(),
    notReached: z.number(),
    abandoned: z.number(),
    appointments: z.number(),
  }),
  volume: z.object({
    byType: breakdown,
    byChannel: breakdown,
    byProcedure: breakdown,
    byOutcome: breakdown,
    byHour: z.array(z.number()).describe('24 counts, local hour 0–23'),
    byWeekday: z.array(z.number()).describe('7 counts, Monday first'),
    byDay: z.array(z.object({ day: z.string(), count: z.number() })),
  }),
  waiting: duration,
  handling: duration,
  rates: z.object({
    noShow: z.number().nullable(),
    callbacksNotReached: z.number(),
    callbacksNotReachedRate: z.number().nullable(),
    missingDocuments: z.number(),
    firstContactResolution: z.number().nullable(),
  }),
  firstFree: z.object({ samples: z.number(), averageWorkingDays: z.number().nullable(), p90WorkingDays: z.number().nullable(), none: z.number() }),
  satisfaction: z.object({
    responses: z.number(),
    likedAverage: z.number().nullable(),
    easyAverage: z.number().nullable(),
    likedDistribution: z.array(z.number()),
    easyDistribution: z.array(z.number()),
    againShare: z.number().nullable(),
    againAnswers: z.number(),
    custom: z.array(
      z.object({
        id: z.string(),
        label: z.string(),
        kind: z.enum(['scale', 'yes_no']),
        responses: z.number(),
        average: z.number().nullable(),
        distribution: z.array(z.number()),
        yesShare: z.number().nullable(),
      }),
    ),
  }),
  targets: z.array(
    z.object({
      id: z.string(),
      metric: z.enum(['wait', 'handling', 'first_free']),
      channel: liveChannel.optional(),
      threshold: z.number(),
      goalPercent: z.number(),
      label: z.string(),
      measured: z.number(),
      share: z.number().nullable(),
      met: z.boolean().nullable(),
    }),
  ),
});

const nowView = z.object({
  at: z.string(),
  waiting: z.array(z.object({ channel: liveChannel, count: z.number(), longestWaitSeconds: z.number().nullable() })),
  longestWaitSeconds: z.number().nullable(),
  agents: z.array(z.object({ state: z.enum(PRESENCE_STATES), count: z.number() })),
  inProgress: z.number(),
});

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 422: errorBody };
const ROLES: ['supervisor', 'admin'] = ['supervisor', 'admin'];

export async function indicatorsApi(app: FastifyInstance, ctx: AppContext) {
  registerConsoleRoutes(app, ctx, (r, prefix, hide) => {
    const tags = ['indicators'];

    r.get(`${prefix}/indicators`, {
      schema: {
        hide,
        tags,
        summary: 'Indicators of a period (default: the last 30 days), filterable by procedure, channel, department and agent (supervisors, admins)',
        params: slugParams,
        querystring: query,
        response: { 200: indicatorsView, ...errors },
      },
    }, async (req, reply) => {
      await requireStaff(ctx, req, ROLES);
      const filter = await validateIndicatorFilter(ctx.database, req.tenant!, req.query);
      reply.header('cache-control', 'no-store');
      return computeIndicators(ctx.database, req.tenant!, filter, req.lang);
    });

    r.get(`${prefix}/indicators/now`, {
      schema: {
        hide,
        tags,
        summary: 'Now: citizens waiting by channel and the longest wait, agents by presence, attentions in course (supervisors, admins)',
        params: slugParams,
        response: { 200: nowView, 401: errorBody, 403: errorBody, 404: errorBody },
      },
    }, async (req, reply) => {
      await requireStaff(ctx, req, ROLES);
      reply.header('cache-control', 'no-store');
      return nowSnapshot(ctx.database, req.tenant!.id);
    });

    r.get(`${prefix}/indicators/:table.csv`, {
      schema: {
        hide,
        tags,
        summary: 'One indicator table as CSV (UTF-8 with a byte-order mark, CRLF lines) for the period and filter (supervisors, admins)',
        params: slugParams.extend({ table: z.string().max(40).describe(`One of ${INDICATOR_TABLE_IDS.join(', ')}`) }),
        querystring: query,
        response: { 200: { description: 'The table as CSV', content: { 'text/csv': { schema: z.string() } } }, ...errors },
      },
    }, async (req, reply) => {
      await requireStaff(ctx, req, ROLES);
      const filter = await validateIndicatorFilter(ctx.database, req.tenant!, req.query);
      const t = translator(req.lang);
      const indicators = await computeIndicators(ctx.database, req.tenant!, filter, req.lang);
      const table = indicatorTables(indicators, t).find((x) => x.id === req.params.table);
      if (!table) throw new AppError('not_found');
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${table.id}-${filter.from}-${filter.to}.csv"`)
        .type('text/csv; charset=utf-8')
        .send(tableToCsv(table));
    });
  });
}
