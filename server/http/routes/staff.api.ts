/** Staff JSON API: sign in/out, the agenda, and the catalogue and outbox for admins. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { APPOINTMENT_STATES, CHANNELS, LANGUAGES, ROLES } from '../../../shared/domain.js';
import { listEmailJobs } from '../../jobs/outbox.repository.js';
import { listAgenda } from '../../modules/agenda/list-agenda.js';
import { listProcedures } from '../../modules/catalogue/catalogue.repository.js';
import { adminProcedureView, procedureInput } from '../../modules/catalogue/catalogue.schemas.js';
import { saveProcedure } from '../../modules/catalogue/save-procedure.js';
import { login, logout } from '../../modules/staff/login.js';
import type { AppContext } from '../context.js';
import { resolveStaff, resolveTenant, SESSION_COOKIE } from '../request-tenant.js';
import { checkCsrf, requireStaff } from '../staff-auth.js';
import { errorBody } from './api-schemas.js';
import { toProcedureView } from './booking.api.js';
import type { Procedure } from '../../modules/catalogue/catalogue.repository.js';

/** The admin's view of a procedure: the public one plus the request form and the retention period. */
function toAdminProcedureView(p: Procedure): z.infer<typeof adminProcedureView> {
  return { ...toProcedureView(p), requestSchema: p.requestSchema ?? null, retentionDays: p.retentionDays };
}

const slugParams = z.object({ slug: z.string().max(40) });
const staffView = z.object({ id: z.uuid(), email: z.string(), fullName: z.string(), role: z.enum(ROLES) });
const maxRange = 92 * 86_400_000;

export async function staffApi(app: FastifyInstance, ctx: AppContext) {
  const secure = ctx.config.PUBLIC_URL.startsWith('https:');
  app.register(async (root) => {
    const r = root.withTypeProvider<ZodTypeProvider>();
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
      await resolveStaff(ctx, req);
    });
    const tags = ['staff'];

    r.post('/api/v1/tenants/:slug/auth/login', {
      config: { rateLimit: { max: ctx.config.RATE_LIMIT_LOGIN_PER_MINUTE, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: 'Sign in; sets the session cookie and returns the CSRF token for later changes',
        params: slugParams,
        body: z.object({ email: z.string().max(254), password: z.string().max(200) }),
        response: { 200: z.object({ staff: staffView, csrfToken: z.string() }), 401: errorBody, 423: errorBody, 429: errorBody },
      },
    }, async (req, reply) => {
      const s = await login({
        db: ctx.database.db,
        tenant: req.tenant!,
        email: req.body.email,
        password: req.body.password,
        policy: { maxFailures: ctx.config.LOGIN_MAX_FAILURES, lockMinutes: ctx.config.ACCOUNT_LOCK_MINUTES, sessionHours: ctx.config.SESSION_TTL_HOURS },
      });
      reply.setCookie(SESSION_COOKIE, s.token, { path: `/api/v1/tenants/${req.tenant!.slug}`, httpOnly: true, sameSite: 'lax', secure, expires: s.expiresAt });
      return { staff: { id: s.staff.id, email: s.staff.email, fullName: s.staff.fullName, role: s.staff.role }, csrfToken: s.csrfToken };
    });

    r.post('/api/v1/tenants/:slug/auth/logout', { schema: { tags, params: slugParams, response: { 204: z.null(), 403: errorBody } } }, async (req, reply) => {
      if (req.staff) {
        checkCsrf(req);
        await logout(ctx.database.db, req.tenant!, req.cookies[SESSION_COOKIE]);
      }
      reply.clearCookie(SESSION_COOKIE, { path: `/api/v1/tenants/${req.tenant!.slug}` });
      return reply.status(204).send(null);
    });

    r.get('/api/v1/tenants/:slug/auth/me', { schema: { tags, params: slugParams, response: { 200: staffView, 401: errorBody } } }, async (req) => {
      const s = await requireStaff(ctx, req);
      return { id: s.id, email: s.email, fullName: s.fullName, role: s.role };
    });

    r.get('/api/v1/tenants/:slug/agenda', {
      schema: {
        tags,
        summary: "Appointments of the signed-in agent (everyone's for supervisors and admins)",
        params: slugParams,
        querystring: z
          .object({
            from: z.iso.datetime({ offset: true }),
            to: z.iso.datetime({ offset: true }),
            procedure: z.uuid().optional(),
            channel: z.enum(CHANNELS).optional(),
            status: z.enum(APPOINTMENT_STATES).optional(),
          })
          .refine((q) => Date.parse(q.to) > Date.parse(q.from) && Date.parse(q.to) - Date.parse(q.from) <= maxRange, { message: 'range', path: ['to'] }),
        response: {
          200: z.array(
            z.object({
              reference: z.string(),
              start: z.string().nullable(),
              end: z.string().nullable(),
              kind: z.enum(['slot', 'asap']),
              channel: z.enum(CHANNELS),
              status: z.enum(APPOINTMENT_STATES),
              procedureCode: z.string(),
              citizenName: z.string(),
              email: z.string().nullable(),
              phone: z.string().nullable(),
              language: z.enum(LANGUAGES),
              agentName: z.string().nullable(),
            }),
          ),
          400: errorBody,
          401: errorBody,
        },
      },
    }, async (req) => {
      const actor = await requireStaff(ctx, req);
      const rows = await listAgenda({
        db: ctx.database.db,
        tenantId: req.tenant!.id,
        actor,
        filter: { from: new Date(req.query.from), to: new Date(req.query.to), procedureId: req.query.procedure, channel: req.query.channel, status: req.query.status },
      });
      return rows.map((a) => ({
        reference: a.reference,
        start: a.startsAt?.toISOString() ?? null,
        end: a.endsAt?.toISOString() ?? null,
        kind: a.kind,
        channel: a.channel,
        status: a.status,
        procedureCode: a.procedureCode,
        citizenName: a.citizenName,
        email: a.email,
        phone: a.phone,
        language: a.language,
        agentName: a.agentName,
      }));
    });

    r.get('/api/v1/tenants/:slug/admin/procedures', {
      schema: { tags, summary: 'Every procedure, active or not (admins)', params: slugParams, response: { 200: z.array(adminProcedureView), 401: errorBody, 403: errorBody } },
    }, async (req) => {
      await requireStaff(ctx, req, ['admin']);
      return (await listProcedures(ctx.database.db, req.tenant!.id, { activeOnly: false })).map(toAdminProcedureView);
    });

    r.post('/api/v1/tenants/:slug/admin/procedures', {
      schema: { tags, summary: 'Create a procedure (admins)', params: slugParams, body: procedureInput, response: { 201: adminProcedureView, 400: errorBody, 401: errorBody, 403: errorBody, 409: errorBody, 422: errorBody } },
    }, async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      checkCsrf(req);
      const p = await saveProcedure({ db: ctx.database.db, tenant: req.tenant!, input: req.body });
      ctx.calendars.invalidate(req.tenant!.id);
      return reply.status(201).send(toAdminProcedureView(p));
    });

    r.put('/api/v1/tenants/:slug/admin/procedures/:id', {
      schema: {
        tags,
        summary: 'Replace a procedure (admins)',
        params: slugParams.extend({ id: z.uuid() }),
        body: procedureInput,
        response: { 200: adminProcedureView, 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 422: errorBody },
      },
    }, async (req) => {
      await requireStaff(ctx, req, ['admin']);
      checkCsrf(req);
      const p = await saveProcedure({ db: ctx.database.db, tenant: req.tenant!, procedureId: req.params.id, input: req.body });
      ctx.calendars.invalidate(req.tenant!.id);
      return toAdminProcedureView(p);
    });

    r.get('/api/v1/tenants/:slug/admin/outbox', {
      schema: {
        tags,
        summary: 'Email outbox (admins)',
        params: slugParams,
        response: {
          200: z.object({
            smtpConfigured: z.boolean(),
            jobs: z.array(z.object({ id: z.uuid(), status: z.string(), attempts: z.number(), createdAt: z.string(), lastError: z.string().nullable(), template: z.string() })),
          }),
          401: errorBody,
          403: errorBody,
        },
      },
    }, async (req) => {
      await requireStaff(ctx, req, ['admin']);
      const jobs = await listEmailJobs(ctx.database.db, req.tenant!.id);
      return {
        smtpConfigured: ctx.smtpConfigured,
        jobs: jobs.map((j) => ({
          id: j.id,
          status: j.status,
          attempts: j.attempts,
          createdAt: j.createdAt.toISOString(),
          lastError: j.lastError,
          template: String((j.payload as { template?: string }).template ?? ''),
        })),
      };
    });
  });
}
