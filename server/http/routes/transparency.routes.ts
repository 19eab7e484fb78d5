/**
 * The public transparency panel (embeddable in any site), the open-data API
 * (public, readable from any origin, rate-limited and cached) and the
 * operator's cross-tenant view. The figures come from modules/transparency,
 * which applies the small-cell suppression and serves settled months only,
 * from their stored publication.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import { z } from 'zod';
import type { Language } from '../../../shared/domain.js';
import { AppError, isAppError } from '../../../shared/errors.js';
import { formatDate } from '../../i18n/format.js';
import { negotiateLanguage, translator } from '../../i18n/i18n.js';
import { indicatorSettings } from '../../modules/indicators/indicator-settings.js';
import { assertOperator, compareTenants } from '../../modules/transparency/compare-tenants.js';
import { openDataCsv, openDataDaily } from '../../modules/transparency/open-data.js';
import { publicIndicators } from '../../modules/transparency/public-indicators.js';
import {
  last12Months,
  lastSettledMonth,
  lastWholeMonth,
  monthChoices,
  NOT_YET_PUBLISHED,
  parseMonthChoice,
  parseOpenDataRange,
  parsePublicPeriod,
  type PublicPeriod,
} from '../../modules/transparency/public-period.js';
import { PublicationStore } from '../../modules/transparency/publication-store.js';
import { comparisonView, compareQuery, dailyQuery, openDataDailyView, publicIndicatorsView, summaryQuery } from '../../modules/transparency/transparency.schemas.js';
import { TtlCache } from '../../modules/transparency/ttl-cache.js';
import type { Tenant } from '../../modules/tenants/tenants.repository.js';
import type { AppContext } from '../context.js';
import { answerErrorsAsJson } from '../error-handler.js';
import { pageCtx, redirectUnauthenticatedToLogin, sendHtml } from '../page-helpers.js';
import { monthLabel, TransparencyPage, type TransparencyView } from '../pages/citizen/transparency.page.js';
import { renderPage } from '../pages/layout.js';
import { ComparePage, type CompareView } from '../pages/staff/compare.page.js';
import { resolveStaff, resolveTenant } from '../request-tenant.js';
import { requireStaff } from '../staff-auth.js';
import { errorBody } from './api-schemas.js';

/** How long a computed answer is kept in this process, and how much memory the kept answers may take. */
const ANSWER_TTL_MS = 60_000;
const ANSWER_MAX_BYTES = 20 * 1024 * 1024;
/** How long clients and proxies may keep an answer. */
const CACHE_CONTROL = 'public, max-age=300';
const OPEN_METHODS = 'GET, HEAD, OPTIONS';
const SLUG = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
/** Months offered by the choosers. */
const MONTHS_OFFERED = 24;

const slugParams = z.object({ slug: z.string().max(40) });
const openErrors = { 400: errorBody, 404: errorBody, 405: errorBody, 422: errorBody, 429: errorBody };

type Answer = { body: string; type: string; etag: string; filename?: string };

function answer(body: string, type: string, filename?: string): Answer {
  return { body, type, filename, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` };
}

/** Whether If-None-Match names this ETag (weak or strong, or `*`). */
function notModified(req: FastifyRequest, etag: string): boolean {
  const sent = req.headers['if-none-match'];
  if (typeof sent !== 'string') return false;
  return sent.split(',').some((tag) => {
    const v = tag.trim().replace(/^W\//, '');
    return v === '*' || v === etag;
  });
}

function sendAnswer(req: FastifyRequest, reply: FastifyReply, a: Answer) {
  reply.header('cache-control', CACHE_CONTROL).header('etag', a.etag).header('vary', 'Accept-Language');
  if (notModified(req, a.etag)) return reply.status(304).send();
  if (a.filename) reply.header('content-disposition', `attachment; filename="${a.filename}"`);
  return reply.type(a.type).send(a.body);
}

/** A `period_invalid` for a month that is not settled yet: its day of publication, said in the reader's language. */
function notYetPublishedMessage(err: unknown, lang: Language, timeZone: string): string | undefined {
  if (!isAppError(err) || err.code !== 'period_invalid' || err.details?.reason !== NOT_YET_PUBLISHED) return undefined;
  const { month, publishedOn } = err.details as { month: string; publishedOn: string };
  return translator(lang)('transparency.not_yet_published', { month: monthLabel(month, lang), day: formatDate(publishedOn, timeZone, lang) });
}

/** Runs an open-data handler; a month not published yet answers its code with a message that says when it will be. */
async function explained<T>(reply: FastifyReply, lang: () => Language, timeZone: () => string, run: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await run();
  } catch (e) {
    const message = notYetPublishedMessage(e, lang(), timeZone());
    if (!message) throw e;
    const err = e as AppError;
    return reply.status(err.status).send({ code: err.code, message, details: err.details });
  }
}

/** Any origin may read the open data; no credentials are involved, so `*` it is. */
function openHeaders(reply: FastifyReply) {
  reply
    .header('access-control-allow-origin', '*')
    .header('access-control-expose-headers', 'ETag, Content-Disposition')
    .header('cross-origin-resource-policy', 'cross-origin');
}

/**
 * This page only may be framed by any site: the CSP's frame-ancestors becomes
 * `*` and X-Frame-Options goes (both set by helmet for every route).
 */
async function embeddable(_req: FastifyRequest, reply: FastifyReply, payload: unknown) {
  const csp = reply.raw.getHeader('content-security-policy');
  if (typeof csp === 'string') {
    reply.raw.setHeader('content-security-policy', /frame-ancestors[^;]*/.test(csp) ? csp.replace(/frame-ancestors[^;]*/, 'frame-ancestors *') : `${csp};frame-ancestors *`);
  }
  reply.raw.removeHeader('x-frame-options');
  reply.raw.setHeader('cross-origin-resource-policy', 'cross-origin');
  return payload;
}

export async function transparencyRoutes(app: FastifyInstance, ctx: AppContext) {
  const source = new PublicationStore(ctx.database);
  const deps = { database: ctx.database, source };
  const answers = new TtlCache<Answer>({ ttlMs: ANSWER_TTL_MS, maxBytes: ANSWER_MAX_BYTES, sizeOf: (a) => 2 * a.body.length + 256 });
  const limit = { rateLimit: { max: ctx.config.RATE_LIMIT_OPEN_DATA_PER_MINUTE, timeWindow: '1 minute' } };

  /** The open data's tenant, read without any cookie; off when the town hall does not publish. */
  async function publishingTenant(req: FastifyRequest, slug: string, lang: string | undefined): Promise<Tenant & { lang: Language }> {
    const tenant = SLUG.test(slug) ? await ctx.tenants.bySlug(slug) : undefined;
    if (!tenant) throw new AppError('tenant_not_found');
    req.lang = negotiateLanguage(tenant.languages, tenant.defaultLanguage, [lang], req.headers['accept-language']);
    if (!indicatorSettings(tenant).publishTransparency) throw new AppError('transparency_off');
    return { ...tenant, lang: req.lang };
  }

  // ---- open data: public, any origin, GET/HEAD/OPTIONS only
  app.register(async (root) => {
    const r = root.withTypeProvider<ZodTypeProvider>();
    r.addHook('onRequest', async (req, reply) => {
      answerErrorsAsJson(req);
      openHeaders(reply);
    });
    const tags = ['open-data'];

    r.options('/api/v1/open-data/:slug/:dataset', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .status(204)
        .header('access-control-allow-methods', OPEN_METHODS)
        .header('access-control-allow-headers', 'Accept, Accept-Language, If-None-Match')
        .header('access-control-max-age', '86400')
        .send(),
    );
    for (const dataset of ['daily', 'summary']) {
      r.route({
        method: ['POST', 'PUT', 'PATCH', 'DELETE'],
        url: `/api/v1/open-data/:slug/${dataset}`,
        schema: { hide: true },
        handler: async (_req, reply) => {
          reply.header('allow', OPEN_METHODS);
          throw new AppError('method_not_allowed');
        },
      });
    }

    r.get('/api/v1/open-data/:slug/daily', {
      config: limit,
      schema: {
        tags,
        summary: 'Daily aggregates by procedure, channel and consultation type',
        description:
          'Attentions and average waiting time per day, procedure and channel, split by consultation type (`_none`: ended without one), for days of published months (366 at most; a month is published 15 days after it ends and never changes). ' +
          'Counts of 1–4 and figures that would let them be worked out are null with `suppressed: true`. CSV: one `_all` line per day, procedure and channel, then one line per type. ' +
          'Readable from any origin; cached (Cache-Control, ETag).',
        params: slugParams,
        querystring: dailyQuery,
        response: {
          200: {
            description: 'The daily rows (JSON), or the same as CSV with a header row (UTF-8).',
            content: { 'application/json': { schema: openDataDailyView }, 'text/csv': { schema: z.string() } },
          },
          ...openErrors,
        },
      },
    }, async (req, reply) => {
      const tenant = await publishingTenant(req, req.params.slug, req.query.lang);
      return explained(reply, () => tenant.lang, () => tenant.timeZone, async () => {
        const range = parseOpenDataRange(req.query, tenant.timeZone);
        const format = req.query.format;
        const a = await answers.get(`${tenant.id}|daily|${range.from}|${range.to}|${format}|${tenant.lang}`, async () => {
          const data = await openDataDaily(source, tenant, range, tenant.lang);
          return format === 'csv'
            ? answer(openDataCsv(data), 'text/csv; charset=utf-8', `${tenant.slug}-${range.from}-${range.to}.csv`)
            : answer(JSON.stringify(data), 'application/json; charset=utf-8');
        });
        return sendAnswer(req, reply, a);
      });
    });

    r.get('/api/v1/open-data/:slug/summary', {
      config: limit,
      schema: {
        tags,
        summary: "The transparency panel's indicators",
        description:
          'One published month (`month=YYYY-MM`; a month is published 15 days after it ends and never changes) or, without `month`, the last 12 published months; suppressed figures are null with `suppressed: true`.',
        params: slugParams,
        querystring: summaryQuery,
        response: { 200: publicIndicatorsView, ...openErrors },
      },
    }, async (req, reply) => {
      const tenant = await publishingTenant(req, req.params.slug, req.query.lang);
      return explained(reply, () => tenant.lang, () => tenant.timeZone, async () => {
        const period = parsePublicPeriod(req.query.month, tenant.timeZone, new Date(), 'month');
        const a = await answers.get(`${tenant.id}|summary|${period.from}|${period.to}|${tenant.lang}`, async () =>
          answer(JSON.stringify(await publicIndicators(source, tenant, period, tenant.lang)), 'application/json; charset=utf-8'),
        );
        return sendAnswer(req, reply, a);
      });
    });
  });

  // ---- the public panel
  app.register(async (r) => {
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
    });

    r.get('/:slug/transparency', { config: limit, onSend: embeddable }, async (req, reply) => {
      const tenant = req.tenant!;
      if (!indicatorSettings(tenant).publishTransparency) throw new AppError('transparency_off');
      const q = req.query as Record<string, unknown>;
      const now = new Date();
      const last12 = last12Months(tenant.timeZone, now);
      const latest = lastSettledMonth(tenant.timeZone, now);
      const view: TransparencyView = {
        period: 'last12',
        months: monthChoices(latest, MONTHS_OFFERED),
        last12: { first: last12.months[0], last: last12.months[11] },
        embed: q.embed === '1',
      };
      let period: PublicPeriod;
      try {
        period = parsePublicPeriod(q.period, tenant.timeZone, now);
      } catch (e) {
        if (!isAppError(e) || e.code !== 'period_invalid') throw e;
        view.errors = { period: notYetPublishedMessage(e, req.lang, tenant.timeZone) ?? translator(req.lang)('errors.period_invalid') };
        return sendHtml(reply, renderPage(h(TransparencyPage, { ctx: pageCtx(req), view })), 422);
      }
      if (period.kind === 'month') {
        view.period = period.months[0];
        view.months = monthChoices(latest, MONTHS_OFFERED, view.period);
      }
      view.ind = await publicIndicators(source, tenant, period, req.lang, now);
      return sendHtml(reply, renderPage(h(TransparencyPage, { ctx: pageCtx(req), view })));
    });
  });

  // ---- the operator's comparison: the page
  app.register(async (r) => {
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
      await resolveStaff(ctx, req);
    });
    redirectUnauthenticatedToLogin(r);

    r.get('/:slug/staff/compare', async (req, reply) => {
      assertOperator(ctx.config.OPERATOR_TENANT, req.tenant!);
      assertOperator(ctx.config.OPERATOR_TENANT, req.tenant!, await requireStaff(ctx, req));
      const tz = req.tenant!.timeZone;
      const now = new Date();
      const raw = (req.query as Record<string, unknown>).month;
      // finished months are offered; each town hall shows one once settled in its own zone
      const latest = lastWholeMonth(tz, now);
      let month: string;
      try {
        month = parseMonthChoice(raw, tz, now);
      } catch (e) {
        if (!isAppError(e) || e.code !== 'period_invalid') throw e;
        const message = notYetPublishedMessage(e, req.lang, tz) ?? translator(req.lang)('errors.period_invalid');
        const view: CompareView = { month: parseMonthChoice(undefined, tz, now), months: monthChoices(latest, MONTHS_OFFERED), errors: { month: message } };
        return sendHtml(reply, renderPage(h(ComparePage, { ctx: pageCtx(req), view })), 422);
      }
      const view: CompareView = { month, months: monthChoices(latest, MONTHS_OFFERED, month), comparison: await compareTenants(deps, month, req.lang, now) };
      return sendHtml(reply, renderPage(h(ComparePage, { ctx: pageCtx(req), view })));
    });
  });

  // ---- the operator's comparison: JSON
  app.register(async (root) => {
    const r = root.withTypeProvider<ZodTypeProvider>();
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
      await resolveStaff(ctx, req);
    });

    r.get('/api/v1/tenants/:slug/compare', {
      schema: {
        tags: ['operator'],
        summary: 'The public indicators of every town hall that shares them with the operator, for one month',
        description:
          "Only for supervisors and admins of the operator's tenant (setting OPERATOR_TENANT); others get `operator_only`. " +
          'A town hall whose month is not published yet in its own time zone (15 days after the month ends) has `published: false` and `indicators: null`.',
        params: slugParams,
        querystring: compareQuery,
        response: { 200: comparisonView, 401: errorBody, 403: errorBody, 404: errorBody, 422: errorBody },
      },
    }, async (req, reply) => {
      assertOperator(ctx.config.OPERATOR_TENANT, req.tenant!);
      assertOperator(ctx.config.OPERATOR_TENANT, req.tenant!, await requireStaff(ctx, req));
      reply.header('cache-control', 'no-store');
      return explained(reply, () => req.lang, () => req.tenant!.timeZone, async () => {
        const now = new Date();
        return compareTenants(deps, parseMonthChoice(req.query.month, req.tenant!.timeZone, now), req.lang, now);
      });
    });
  });
}
