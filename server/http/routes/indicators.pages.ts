/**
 * The supervisors' indicators dashboard (`/{slug}/staff/indicators`), the CSV
 * of each of its tables, and the charting library it draws with, served from
 * node_modules at `/assets/vendor/chart.umd.min.js` (same origin, so the CSP
 * needs nothing more). Supervisors and admins only.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { h } from 'preact';
import { pickText } from '../../../shared/domain.js';
import { AppError, isAppError } from '../../../shared/errors.js';
import type { T } from '../../i18n/i18n.js';
import type { Role } from '../../../shared/domain.js';
import { listDepartments, listProcedures } from '../../modules/catalogue/catalogue.repository.js';
import { computeIndicators } from '../../modules/indicators/compute-indicators.js';
import { INDICATOR_CHANNELS, validateIndicatorFilter } from '../../modules/indicators/indicator-filter.js';
import { indicatorTables, tableToCsv } from '../../modules/indicators/indicator-tables.js';
import type { IndicatorFilter } from '../../modules/indicators/indicators.types.js';
import { nowSnapshot } from '../../modules/indicators/now-snapshot.js';
import { listStaff } from '../../modules/staff/staff.repository.js';
import type { AppContext } from '../context.js';
import { pageCtx, redirectUnauthenticatedToLogin, sendHtml } from '../page-helpers.js';
import type { FieldErrors } from '../pages/form-parts.js';
import { renderPage } from '../pages/layout.js';
import { tenantPath, type PageCtx } from '../pages/page-context.js';
import type { FilterValues } from '../pages/staff/indicators/filter-form.js';
import type { LiveConfig } from '../pages/staff/indicators/now-panel.js';
import { QUICK_PERIODS, quickPeriod } from '../pages/staff/indicators/quick-periods.js';
import { IndicatorsPage } from '../pages/staff/indicators.page.js';
import { resolveStaff, resolveTenant } from '../request-tenant.js';
import { indicatorsBrowserPath } from './indicators.api.js';
import { requireStaff } from '../staff-auth.js';

const READERS: Role[] = ['supervisor', 'admin'];
/** The codes validateIndicatorFilter throws: shown on the form, never a failure page. */
const FILTER_ERRORS = new Set(['validation_failed', 'period_invalid', 'period_too_long', 'filter_unknown']);
const FILTER_KEYS = ['from', 'to', 'procedure', 'channel', 'department', 'agent'] as const;
const CSV_FILE = /^([a-z][a-z0-9-]{0,39})\.csv$/;

/** The filter as a query string (the names of the form), for links that keep it. */
function filterQuery(values: FilterValues): string {
  const q = new URLSearchParams();
  for (const k of FILTER_KEYS) if (values[k]) q.set(k, values[k]!);
  return q.toString();
}

const valuesOf = (f: IndicatorFilter): FilterValues => ({
  from: f.from,
  to: f.to,
  procedure: f.procedureId,
  channel: f.channel,
  department: f.departmentId,
  agent: f.agentId,
});

/** What the visitor typed, as strings only (a repeated parameter keeps its first value). */
function rawValues(query: unknown): FilterValues {
  const q = (query ?? {}) as Record<string, unknown>;
  const out: FilterValues = {};
  for (const k of FILTER_KEYS) {
    const v = Array.isArray(q[k]) ? (q[k] as unknown[])[0] : q[k];
    if (typeof v === 'string') out[k] = v.slice(0, 64);
  }
  return out;
}

/** One message per wrong field: the period's and the ids' own codes; a value not among the choices says so. */
function filterErrors(t: T, e: AppError): FieldErrors {
  const fields = (e.details?.fields as Array<{ path: string; code?: string }> | undefined) ?? [{ path: 'from', code: e.code }];
  const out: FieldErrors = {};
  for (const f of fields) {
    const field = (FILTER_KEYS as readonly string[]).includes(f.path) ? f.path : 'from';
    const code = f.code ?? e.code;
    if (code !== 'validation_failed') out[field] ??= t(`errors.${code}`);
    else out[field] ??= t(field === 'from' || field === 'to' ? 'errors.period_invalid' : 'dashboard.filter.invalid_choice');
  }
  return out;
}

/** What the live panel's script needs; i18next leaves {{…}} in place without values, so the templates reach the browser intact. */
function liveConfig(page: PageCtx): LiveConfig {
  const { t } = page;
  return {
    // under /{slug}: the page session cookie's path
    api: `${indicatorsBrowserPath(page.tenant.slug)}/now`,
    socket: tenantPath(page, 'staff', 'live'),
    lang: page.lang,
    timeZone: page.tenant.timeZone,
    pollSeconds: 15,
    strings: {
      seconds: t('dashboard.duration.seconds'),
      minutes: t('dashboard.duration.minutes'),
      wholeMinutes: t('dashboard.duration.whole_minutes'),
      hours: t('dashboard.duration.hours'),
      noData: t('dashboard.no_data'),
      changed: t('dashboard.now.changed'),
      liveLost: t('dashboard.now.live_lost'),
      readFailed: t('dashboard.now.read_failed'),
    },
  };
}

/** Chart.js's browser build, read once from node_modules. */
function chartLibrary(): { body: Buffer; etag: string } {
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('chart.js'));
  const version = (JSON.parse(readFileSync(path.join(dist, '..', 'package.json'), 'utf8')) as { version: string }).version;
  return { body: readFileSync(path.join(dist, 'chart.umd.min.js')), etag: `"chart.js-${version}"` };
}

export async function indicatorsPages(app: FastifyInstance, ctx: AppContext) {
  let chart: ReturnType<typeof chartLibrary> | undefined;
  app.get('/assets/vendor/chart.umd.min.js', { schema: { hide: true } }, async (req, reply) => {
    chart ??= chartLibrary();
    reply.header('cache-control', 'public, max-age=2592000').header('etag', chart.etag);
    if (req.headers['if-none-match'] === chart.etag) return reply.status(304).send();
    return reply.type('application/javascript; charset=utf-8').send(chart.body);
  });

  app.register(async (r) => {
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
      await resolveStaff(ctx, req);
    });
    redirectUnauthenticatedToLogin(r);

    /** The validated filter, or the field errors of what was typed (the status of its code). */
    async function readFilter(req: FastifyRequest): Promise<{ filter: IndicatorFilter } | { errors: FieldErrors; status: number }> {
      try {
        return { filter: await validateIndicatorFilter(ctx.database, req.tenant!, rawValues(req.query), { allowAgent: true }) };
      } catch (e) {
        if (!isAppError(e) || !FILTER_ERRORS.has(e.code)) throw e;
        return { errors: filterErrors(pageCtx(req).t, e), status: e.status };
      }
    }

    r.get('/:slug/staff/indicators', async (req, reply) => {
      await requireStaff(ctx, req, READERS);
      const tenant = req.tenant!;
      const page = pageCtx(req);
      const { t, lang } = page;
      const action = tenantPath(page, 'staff', 'indicators');
      const read = await readFilter(req);
      const [procedures, departments, people, now] = await Promise.all([
        listProcedures(ctx.database.db, tenant.id, { activeOnly: false }),
        listDepartments(ctx.database.db, tenant.id),
        listStaff(ctx.database.db, tenant.id),
        nowSnapshot(ctx.database, tenant.id),
      ]);
      const values = 'filter' in read ? valuesOf(read.filter) : rawValues(req.query);
      let period;
      if ('filter' in read) {
        const ind = await computeIndicators(ctx.database, tenant, read.filter, lang);
        const query = filterQuery(values);
        period = { ind, tables: indicatorTables(ind, t), csvHref: (id: string) => `${action}/${id}.csv${query ? `?${query}` : ''}` };
      }
      const byName = (a: { label: string }, b: { label: string }) => a.label.localeCompare(b.label, lang);
      const html = renderPage(
        h(IndicatorsPage, {
          ctx: page,
          action,
          values,
          errors: 'errors' in read ? read.errors : {},
          options: {
            procedures: procedures.map((p) => ({ value: p.id, label: pickText(p.name, lang) })).sort(byName),
            channels: INDICATOR_CHANNELS.map((c) => ({ value: c, label: t(`indicators.channel.${c}`) })),
            departments: departments.map((d) => ({ value: d.id, label: pickText(d.name, lang) })).sort(byName),
            agents: people.map((s) => ({ value: s.id, label: s.fullName })).sort(byName),
          },
          quick: QUICK_PERIODS.map((key) => {
            const q = quickPeriod(key, tenant.timeZone);
            // a quick period keeps the rest of the filter, but not a value that was just refused
            const kept = Object.fromEntries(Object.entries(values).filter(([k]) => !('errors' in read && k in read.errors)));
            return { key, href: `${action}?${filterQuery({ ...kept, ...q })}`, current: values.from === q.from && values.to === q.to };
          }),
          now,
          live: liveConfig(page),
          period,
        }),
      );
      return sendHtml(reply, html, 'status' in read ? read.status : 200);
    });

    r.get('/:slug/staff/indicators/:file', async (req, reply) => {
      await requireStaff(ctx, req, READERS);
      const tenant = req.tenant!;
      const m = CSV_FILE.exec((req.params as { file: string }).file);
      if (!m) throw new AppError('not_found');
      // a wrong filter answers its own code (422/400) with the error page
      const filter = await validateIndicatorFilter(ctx.database, tenant, rawValues(req.query), { allowAgent: true });
      const { t, lang } = pageCtx(req);
      const ind = await computeIndicators(ctx.database, tenant, filter, lang);
      const table = indicatorTables(ind, t).find((x) => x.id === m[1]);
      if (!table) throw new AppError('not_found');
      const name = `${tenant.slug}-${table.id}-${filter.from}-${filter.to}.csv`;
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${name}"`)
        .type('text/csv; charset=utf-8')
        .send(tableToCsv(table));
    });
  });
}
