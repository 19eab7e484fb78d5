/**
 * Monthly reports (supervisors, admins): the page that lists them and asks for
 * one (POST, then redirect; the report is made by a job), the PDF download,
 * and the same under the JSON API.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import { z } from 'zod';
import { LANGUAGES, type Role } from '../../../shared/domain.js';
import { AppError, isAppError } from '../../../shared/errors.js';
import { translator, type T } from '../../i18n/i18n.js';
import { indicatorSettings } from '../../modules/indicators/indicator-settings.js';
import { reportFileName } from '../../modules/reports/report-format.js';
import { onDemandMonths } from '../../modules/reports/report-month.js';
import { findReport, findReportId, listReportJobs, listReports, type ReportSummary } from '../../modules/reports/reports.repository.js';
import { requestMonthlyReport } from '../../modules/reports/request-monthly-report.js';
import type { Tenant } from '../../modules/tenants/tenants.repository.js';
import type { AppContext } from '../context.js';
import type { FieldErrors } from '../pages/form-parts.js';
import { pageCtx, redirectUnauthenticatedToLogin, sendHtml } from '../page-helpers.js';
import { renderPage } from '../pages/layout.js';
import { tenantPath } from '../pages/page-context.js';
import { ReportsPage, type ReportNotice } from '../pages/staff/reports.page.js';
import { resolveStaff, resolveTenant } from '../request-tenant.js';
import { checkCsrf, requireStaff, staffApiAccess } from '../staff-auth.js';
import { errorBody } from './api-schemas.js';

const ROLES: Role[] = ['supervisor', 'admin'];
const PDF_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.pdf$/;

/** The field a month or language problem names (`details.fields[0]`), with its code. */
function fieldProblem(e: unknown): { path: 'month' | 'language'; code: string } | undefined {
  if (!isAppError(e) || (e.code !== 'period_invalid' && e.code !== 'validation_failed')) return undefined;
  const f = (e.details?.fields as Array<{ path: string; code?: string }> | undefined)?.[0];
  return f && (f.path === 'month' || f.path === 'language') && f.code ? { path: f.path, code: f.code } : undefined;
}

/** The stored PDF as a download; another tenant's report (or none) is not found. */
async function sendPdf(ctx: AppContext, reply: FastifyReply, tenant: Tenant, id: string) {
  const report = await findReport(ctx.database.db, tenant.id, id);
  if (!report) throw new AppError('report_not_found');
  return reply
    .header('cache-control', 'no-store')
    .header('content-disposition', `attachment; filename="${reportFileName(tenant, report.month, report.language)}"`)
    .type('application/pdf')
    .send(report.pdf);
}

export async function reportRoutes(app: FastifyInstance, ctx: AppContext) {
  const deps = { database: ctx.database, jobMaxAttempts: ctx.config.JOB_MAX_ATTEMPTS };
  const kick = () => ctx.booking.kickJobs?.();

  app.register(async (r) => {
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
      await resolveStaff(ctx, req);
    });
    redirectUnauthenticatedToLogin(r);

    async function page(req: FastifyRequest, reply: FastifyReply, o: { values?: { month: string; language: string }; errors?: FieldErrors; status?: number } = {}) {
      const tenant = req.tenant!;
      const query = req.query as Record<string, unknown>;
      const jobId = z.uuid().safeParse(query.job).success ? (query.job as string) : undefined;
      const [reports, jobs] = await Promise.all([listReports(ctx.database, tenant.id), listReportJobs(ctx.database, tenant.id, jobId)]);
      const scheduledLanguage = indicatorSettings(tenant).reportLanguage ?? tenant.defaultLanguage;
      let notice: ReportNotice | undefined;
      const asked = jobId ? jobs.find((j) => j.id === jobId) : undefined;
      if (asked) {
        const language = asked.language ?? scheduledLanguage;
        const base = { jobId: asked.id, month: asked.month, language };
        if (asked.status === 'done') notice = { ...base, state: 'ready', reportId: await findReportId(ctx.database.db, tenant.id, asked.month, language) };
        else if (asked.status === 'failed') notice = { ...base, state: 'failed' };
        else notice = { ...base, state: 'preparing' };
      }
      const months = onDemandMonths(tenant.timeZone);
      const values = o.values ?? { month: months[1] ?? months[0], language: req.lang };
      return sendHtml(
        reply,
        renderPage(h(ReportsPage, { ctx: pageCtx(req), reports, jobs, months, values, errors: o.errors, notice, scheduledLanguage })),
        o.status,
      );
    }

    r.get('/:slug/staff/reports', async (req, reply) => {
      await requireStaff(ctx, req, ROLES);
      return page(req, reply);
    });

    r.post('/:slug/staff/reports', async (req, reply) => {
      await requireStaff(ctx, req, ROLES);
      checkCsrf(req);
      const form = (req.body ?? {}) as Record<string, unknown>;
      try {
        const { jobId } = await requestMonthlyReport(deps, { tenant: req.tenant!, month: form.month, language: form.language });
        kick();
        return reply.redirect(`${tenantPath({ tenant: req.tenant! }, 'staff', 'reports')}?lang=${req.lang}&job=${jobId}`, 303);
      } catch (e) {
        const problem = fieldProblem(e);
        if (!problem) throw e;
        const t = translator(req.lang);
        const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 20) : '');
        return page(req, reply, {
          values: { month: text(form.month), language: text(form.language) },
          errors: { [problem.path]: t(`report.errors.${problem.code}`) },
          status: 422,
        });
      }
    });

    r.get('/:slug/staff/reports/:file', async (req, reply) => {
      await requireStaff(ctx, req, ROLES);
      const file = PDF_FILE.exec((req.params as { file: string }).file);
      if (!file) throw new AppError('report_not_found');
      return sendPdf(ctx, reply, req.tenant!, file[1]);
    });
  });

  app.register(async (root) => {
    const r = root.withTypeProvider<ZodTypeProvider>();
    r.addHook('onRequest', staffApiAccess(ctx, ROLES));
    const tags = ['reports'];
    const slugParams = z.object({ slug: z.string().max(40) });
    const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 422: errorBody };
    const reportView = z.object({
      id: z.uuid(),
      month: z.string().describe('YYYY-MM'),
      language: z.enum(LANGUAGES),
      trigger: z.enum(['schedule', 'manual']),
      generatedAt: z.string(),
      bytes: z.number().int(),
      pdf: z.string().describe('Path of the PDF'),
    });
    const jobView = z.object({
      id: z.uuid(),
      month: z.string(),
      language: z.enum(LANGUAGES).nullable().describe('null: the automatic report, in the report language of the settings'),
      trigger: z.enum(['schedule', 'manual']),
      status: z.enum(['pending', 'running', 'done', 'failed', 'held']),
    });
    const view = (slug: string, x: ReportSummary) => ({
      id: x.id,
      month: x.month,
      language: x.language,
      trigger: x.trigger,
      generatedAt: x.generatedAt.toISOString(),
      bytes: x.bytes,
      pdf: `/api/v1/tenants/${slug}/reports/${x.id}/pdf`,
    });

    r.get(
      '/api/v1/tenants/:slug/reports',
      { schema: { tags, summary: 'Stored monthly reports, newest month first, and the report jobs still to run', params: slugParams, response: { 200: z.object({ reports: z.array(reportView), jobs: z.array(jobView) }), ...errors } } },
      async (req) => {
        const [reports, jobs] = await Promise.all([listReports(ctx.database, req.tenant!.id), listReportJobs(ctx.database, req.tenant!.id)]);
        return { reports: reports.map((x) => view(req.tenant!.slug, x)), jobs };
      },
    );

    r.post(
      '/api/v1/tenants/:slug/reports',
      {
        schema: {
          tags,
          summary: 'Ask for a month\'s report (made by a job; it replaces a stored report of the same month and language)',
          params: slugParams,
          body: z.object({ month: z.string().max(20).describe('YYYY-MM: the current month or one of the 23 before'), language: z.enum(LANGUAGES).optional() }),
          response: { 202: z.object({ jobId: z.uuid(), month: z.string(), language: z.enum(LANGUAGES), status: z.literal('pending') }), ...errors },
        },
      },
      async (req, reply) => {
        try {
          const queued = await requestMonthlyReport(deps, { tenant: req.tenant!, month: req.body.month, language: req.body.language });
          kick();
          return reply.status(202).send({ ...queued, status: 'pending' as const });
        } catch (e) {
          const problem = fieldProblem(e);
          if (!problem || !isAppError(e)) throw e;
          return reply.status(e.status as 422).send(apiProblem(translator(req.lang), e, problem.code));
        }
      },
    );

    r.get(
      '/api/v1/tenants/:slug/reports/:id/pdf',
      { schema: { tags, summary: 'Download a stored report (application/pdf)', params: slugParams.extend({ id: z.uuid() }), response: errors } },
      async (req, reply) => sendPdf(ctx, reply, req.tenant!, req.params.id),
    );
  });
}

/** The error body with the message of the specific problem (a future month, a malformed one…). */
function apiProblem(t: T, e: AppError, code: string) {
  return { code: e.code, message: t(`report.errors.${code}`), details: e.details };
}
