/**
 * Staff area pages: sign in, the agenda, and for admins the catalogue and the
 * email outbox. An unauthenticated visit is sent to the sign-in page.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { h } from 'preact';
import { z } from 'zod';
import { APPOINTMENT_STATES, CHANNELS, pickText } from '../../../shared/domain.js';
import { AppError, isAppError } from '../../../shared/errors.js';
import { translator } from '../../i18n/i18n.js';
import { findEmailJob, listEmailJobs } from '../../jobs/outbox.repository.js';
import { renderEmailJob } from '../../jobs/send-email.job.js';
import { listAgenda } from '../../modules/agenda/list-agenda.js';
import { findProcedureById, listDepartments, listProcedures } from '../../modules/catalogue/catalogue.repository.js';
import { formToProcedureInput, procedureToForm, type ProcedureForm } from '../../modules/catalogue/procedure-form.js';
import { saveProcedure } from '../../modules/catalogue/save-procedure.js';
import { login, logout } from '../../modules/staff/login.js';
import type { AppContext } from '../context.js';
import { pageCtx, redirectUnauthenticatedToLogin, sendHtml } from '../page-helpers.js';
import { appErrorFieldErrors } from '../form-errors.js';
import { renderPage } from '../pages/layout.js';
import { tenantPath } from '../pages/page-context.js';
import { AgendaPage, type AgendaRow } from '../pages/staff/agenda.page.js';
import { LoginPage } from '../pages/staff/login.page.js';
import { OutboxMessagePage, OutboxPage } from '../pages/staff/outbox.page.js';
import { ProcedureFormPage, ProceduresPage, requestSchemaMessage } from '../pages/staff/procedures.page.js';
import { resolveStaff, resolveTenant, SESSION_COOKIE } from '../request-tenant.js';
import { checkCsrf, requireStaff } from '../staff-auth.js';



const agendaQuery = z.object({
  period: z.enum(['today', 'week', 'month']).catch('today'),
  procedure: z.uuid().optional().catch(undefined),
  channel: z.enum(CHANNELS).optional().catch(undefined),
  status: z.enum(APPOINTMENT_STATES).optional().catch(undefined),
});

export async function staffPages(app: FastifyInstance, ctx: AppContext) {
  const secure = ctx.config.PUBLIC_URL.startsWith('https:');
  app.register(async (r) => {
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
      await resolveStaff(ctx, req);
    });
    redirectUnauthenticatedToLogin(r);

    r.get('/:slug/staff/login', async (req, reply) => {
      if (req.staff) return reply.redirect(tenantPath({ tenant: req.tenant! }, 'staff'), 303);
      return sendHtml(reply, renderPage(h(LoginPage, { ctx: pageCtx(req) })));
    });

    r.post('/:slug/staff/login', { config: { rateLimit: { max: ctx.config.RATE_LIMIT_LOGIN_PER_MINUTE, timeWindow: '1 minute' } } }, async (req, reply) => {
      const body = z.object({ email: z.string().max(254).default(''), password: z.string().max(200).default('') }).safeParse(req.body ?? {});
      const email = body.success ? body.data.email.trim() : '';
      try {
        const s = await login({
          db: ctx.database.db,
          tenant: req.tenant!,
          email,
          password: body.success ? body.data.password : '',
          policy: { maxFailures: ctx.config.LOGIN_MAX_FAILURES, lockMinutes: ctx.config.ACCOUNT_LOCK_MINUTES, sessionHours: ctx.config.SESSION_TTL_HOURS },
        });
        reply.setCookie(SESSION_COOKIE, s.token, { path: `/${req.tenant!.slug}`, httpOnly: true, sameSite: 'lax', secure, expires: s.expiresAt });
        req.log.info({ staffId: s.staff.id }, 'staff signed in');
        return reply.redirect(tenantPath({ tenant: req.tenant! }, 'staff'), 303);
      } catch (e) {
        if (!isAppError(e) || (e.code !== 'invalid_credentials' && e.code !== 'account_locked')) throw e;
        return sendHtml(reply, renderPage(h(LoginPage, { ctx: pageCtx(req), email, message: translator(req.lang)(`errors.${e.code}`) })), e.status);
      }
    });

    r.post('/:slug/staff/logout', async (req, reply) => {
      if (req.staff) {
        checkCsrf(req);
        await logout(ctx.database.db, req.tenant!, req.cookies[SESSION_COOKIE]);
      }
      reply.clearCookie(SESSION_COOKIE, { path: `/${req.tenant!.slug}` });
      return reply.redirect(tenantPath({ tenant: req.tenant! }, 'staff', 'login'), 303);
    });

    r.get('/:slug/staff', async (req, reply) => {
      const actor = await requireStaff(ctx, req);
      const q = agendaQuery.parse(req.query ?? {});
      const tenant = req.tenant!;
      const start = DateTime.now().setZone(tenant.timeZone).startOf('day');
      const end = start.plus(q.period === 'today' ? { days: 1 } : q.period === 'week' ? { days: 7 } : { days: 31 });
      const rows = await listAgenda({
        db: ctx.database.db,
        tenantId: tenant.id,
        actor,
        filter: { from: start.toJSDate(), to: end.toJSDate(), procedureId: q.procedure, channel: q.channel, status: q.status },
      });
      const procedures = await listProcedures(ctx.database.db, tenant.id, { activeOnly: false });
      return sendHtml(reply, renderPage(h(AgendaPage, { ctx: pageCtx(req), rows: rows as AgendaRow[], procedures, query: q })));
    });

    r.get('/:slug/staff/procedures', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      const procedures = await listProcedures(ctx.database.db, req.tenant!.id, { activeOnly: false });
      const saved = (req.query as Record<string, unknown>).saved === '1';
      return sendHtml(reply, renderPage(h(ProceduresPage, { ctx: pageCtx(req), procedures, notice: saved ? translator(req.lang)('staff.procedures.saved') : undefined })));
    });

    async function departmentsOf(req: FastifyRequest) {
      return (await listDepartments(ctx.database.db, req.tenant!.id)).map((d) => ({ id: d.id, name: pickText(d.name, req.lang) }));
    }

    r.get('/:slug/staff/procedures/:id', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      const { id } = req.params as { id: string };
      const tenant = req.tenant!;
      let procedure;
      if (id !== 'new') {
        if (!z.uuid().safeParse(id).success) throw new AppError('procedure_not_found');
        procedure = await findProcedureById(ctx.database.db, tenant.id, id);
        if (!procedure) throw new AppError('procedure_not_found');
      }
      const values = procedureToForm(procedure, tenant.languages);
      return sendHtml(reply, renderPage(h(ProcedureFormPage, { ctx: pageCtx(req), procedureId: procedure?.id, values, departments: await departmentsOf(req) })));
    });

    r.post('/:slug/staff/procedures/:id', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      checkCsrf(req);
      const { id } = req.params as { id: string };
      if (id !== 'new' && !z.uuid().safeParse(id).success) throw new AppError('procedure_not_found');
      const tenant = req.tenant!;
      const values = (req.body ?? {}) as ProcedureForm;
      try {
        await saveProcedure({ db: ctx.database.db, tenant, procedureId: id === 'new' ? undefined : id, input: formToProcedureInput(values, tenant.languages) });
        ctx.calendars.invalidate(tenant.id);
        return reply.redirect(`${tenantPath({ tenant }, 'staff', 'procedures')}?saved=1`, 303);
      } catch (e) {
        if (!isAppError(e) || !e.details?.fields) throw e;
        const t = translator(req.lang);
        const raw = appErrorFieldErrors(t, e);
        // name.ca → name_ca: the form has one box per language
        const errors = Object.fromEntries(
          ((e.details.fields as Array<{ path: string }>) ?? []).map((f) => [f.path.replace('.', '_').replace(/\..*$/, ''), t('staff.procedures.invalid_field')]),
        );
        if (e.code === 'request_schema_invalid') errors.requestSchema = requestSchemaMessage(t, e.details);
        return sendHtml(reply,
          renderPage(h(ProcedureFormPage, { ctx: pageCtx(req), procedureId: id === 'new' ? undefined : id, values, departments: await departmentsOf(req), errors: { ...errors }, message: Object.keys(raw).length ? t(`errors.${e.code}`) : undefined })),
          e.status,
        );
      }
    });

    r.get('/:slug/staff/outbox', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      const jobs = await listEmailJobs(ctx.database.db, req.tenant!.id);
      const rows = await Promise.all(
        jobs.map(async (j) => ({
          id: j.id,
          status: j.status,
          attempts: j.attempts,
          createdAt: j.createdAt,
          lastError: j.lastError,
          email: await renderEmailJob(ctx.database, ctx.config.PUBLIC_URL, { tenant_id: j.tenantId, payload: j.payload }, ctx.files).catch(() => null),
        })),
      );
      return sendHtml(reply, renderPage(h(OutboxPage, { ctx: pageCtx(req), rows, smtpConfigured: ctx.smtpConfigured })));
    });

    async function outboxEmail(req: FastifyRequest) {
      await requireStaff(ctx, req, ['admin']);
      const { id } = req.params as { id: string };
      if (!z.uuid().safeParse(id).success) throw new AppError('not_found');
      const job = await findEmailJob(ctx.database.db, req.tenant!.id, id);
      const email = job && (await renderEmailJob(ctx.database, ctx.config.PUBLIC_URL, { tenant_id: job.tenantId, payload: job.payload }, ctx.files));
      if (!email) throw new AppError('not_found');
      return { id, email };
    }

    r.get('/:slug/staff/outbox/:id', async (req, reply) => {
      const { id, email } = await outboxEmail(req);
      return sendHtml(reply, renderPage(h(OutboxMessagePage, { ctx: pageCtx(req), id, email })));
    });

    r.get('/:slug/staff/outbox/:id/:n', async (req, reply) => {
      const { email } = await outboxEmail(req);
      const a = email.attachments[Number((req.params as { n: string }).n)];
      if (!a) throw new AppError('not_found');
      return reply.header('cache-control', 'no-store').header('content-disposition', `attachment; filename="${a.filename.replace(/[^\w.-]/g, '_')}"`).type(a.contentType).send(a.content);
    });
  });
}
