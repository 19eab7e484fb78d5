/**
 * The register of authorised officials (admins only): the page
 * `/:slug/staff/officials` (one POST whose `action` is `grant` or `revoke`,
 * answered 303 after a change) and the JSON API
 * `/api/v1/tenants/:slug/officials`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import { z } from 'zod';
import { isAppError } from '../../../shared/errors.js';
import { translator } from '../../i18n/i18n.js';
import { grantOfficial, listOfficials, officialInput, officialState, revokeOfficial, type FieldProblem, type Official } from '../../modules/officials/officials.js';
import { localToday } from '../../modules/reports/report-month.js';
import { listStaff } from '../../modules/staff/staff.repository.js';
import type { AppContext } from '../context.js';
import { pageCtx, redirectUnauthenticatedToLogin, sendHtml } from '../page-helpers.js';
import type { FieldErrors } from '../pages/form-parts.js';
import { renderPage } from '../pages/layout.js';
import { tenantPath } from '../pages/page-context.js';
import { OfficialsPage, type OfficialForm } from '../pages/staff/officials.page.js';
import { resolveStaff, resolveTenant } from '../request-tenant.js';
import { checkCsrf, requireStaff, staffApiAccess } from '../staff-auth.js';
import { errorBody } from './api-schemas.js';

const slugParams = z.object({ slug: z.string().max(40) });
const officialParams = slugParams.extend({ id: z.string().max(64) });
const officialView = z.object({
  id: z.uuid(),
  staffId: z.uuid(),
  fullName: z.string(),
  staffActive: z.boolean().describe('Still active staff; an inactive one cannot file even with a current grant.'),
  appointmentAct: z.string(),
  validFrom: z.string().describe('YYYY-MM-DD, local.'),
  validUntil: z.string().nullable().describe('YYYY-MM-DD, local; null means until revoked.'),
  state: z.enum(['active', 'pending', 'expired', 'revoked']).describe('On the town hall\'s local date today.'),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
const apiErrors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };

function view(o: Official, today: string): z.infer<typeof officialView> {
  return {
    id: o.id,
    staffId: o.staffId,
    fullName: o.fullName,
    staffActive: o.staffActive,
    appointmentAct: o.appointmentAct,
    validFrom: o.validFrom,
    validUntil: o.validUntil,
    state: officialState(o, today),
    createdAt: o.createdAt.toISOString(),
    revokedAt: o.revokedAt ? o.revokedAt.toISOString() : null,
  };
}

const PROBLEM_CODES = new Set(['staff_unknown', 'act_required', 'act_too_long', 'date_required', 'date_invalid', 'until_before_from', 'already_authorised']);
const FORM_FIELDS = ['staffId', 'appointmentAct', 'validFrom', 'validUntil'] as const;

export async function officialsRoutes(app: FastifyInstance, ctx: AppContext) {
  const today = (req: FastifyRequest) => localToday(req.tenant!.timeZone);

  app.register(async (r) => {
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
      await resolveStaff(ctx, req);
    });
    redirectUnauthenticatedToLogin(r);

    const page = async (req: FastifyRequest, reply: FastifyReply, o: { values?: OfficialForm; errors?: FieldErrors; notice?: string; status?: number } = {}) => {
      const db = ctx.database.db;
      const tenantId = req.tenant!.id;
      const [officials, people] = await Promise.all([listOfficials(db, tenantId), listStaff(db, tenantId)]);
      const staffOptions = people.filter((s) => s.active).map((s) => ({ id: s.id, fullName: s.fullName }));
      return sendHtml(reply, renderPage(h(OfficialsPage, { ctx: pageCtx(req), officials, staffOptions, today: today(req), ...o })), o.status);
    };

    r.get('/:slug/staff/officials', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      const done = (req.query as Record<string, unknown>).done;
      const notice = done === 'granted' || done === 'revoked' ? translator(req.lang)(`staff.officials.${done}`) : undefined;
      return page(req, reply, { notice });
    });

    r.post('/:slug/staff/officials', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      checkCsrf(req);
      const body = req.body;
      const form = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
      const field = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : '');
      const back = (done: string) => reply.redirect(`${tenantPath({ tenant: req.tenant! }, 'staff', 'officials')}?done=${done}`, 303);
      const t = translator(req.lang);
      if (field('action') === 'revoke') {
        try {
          await revokeOfficial({ db: ctx.database.db, tenantId: req.tenant!.id, id: field('id') });
        } catch (e) {
          if (!isAppError(e) || e.code !== 'not_found') throw e;
          // another admin revoked it meanwhile, or the id is not one of ours
          return page(req, reply, { errors: { register: t('staff.officials.errors.official_unknown') }, status: 404 });
        }
        return back('revoked');
      }
      const values: OfficialForm = Object.fromEntries(FORM_FIELDS.map((k) => [k, field(k)]));
      try {
        await grantOfficial({ db: ctx.database.db, tenantId: req.tenant!.id, input: values });
      } catch (e) {
        const fields = isAppError(e) && Array.isArray(e.details?.fields) ? (e.details.fields as FieldProblem[]) : undefined;
        if (!isAppError(e) || !fields || !fields.every((f) => PROBLEM_CODES.has(f.code))) throw e;
        const errors: FieldErrors = {};
        for (const f of fields) errors[f.path] ??= t(`staff.officials.errors.${f.code}`);
        return page(req, reply, { values, errors, status: e.status === 409 ? 409 : 422 });
      }
      return back('granted');
    });
  });

  app.register(async (root) => {
    const r = root.withTypeProvider<ZodTypeProvider>();
    r.addHook('onRequest', staffApiAccess(ctx, ['admin']));
    const tags = ['admin'];

    r.get(
      '/api/v1/tenants/:slug/officials',
      {
        schema: {
          tags,
          summary: 'The register of authorised officials (funcionaris habilitats), current grants first',
          params: slugParams,
          response: { 200: z.object({ officials: z.array(officialView) }), ...apiErrors },
        },
      },
      async (req) => {
        const d = today(req);
        return { officials: (await listOfficials(ctx.database.db, req.tenant!.id)).map((o) => view(o, d)) };
      },
    );

    r.post(
      '/api/v1/tenants/:slug/officials',
      {
        schema: {
          tags,
          summary: 'Grant a staff member the power to file on a citizen\'s behalf',
          description:
            'Problems answer 400 validation_failed with every `{ path, code }` (staff_unknown, act_required, act_too_long, date_invalid, until_before_from); a staff member who already has a grant not revoked answers 409 conflict with `already_authorised`.',
          params: slugParams,
          body: officialInput,
          response: { 201: officialView, ...apiErrors },
        },
      },
      async (req, reply) => {
        const official = await grantOfficial({ db: ctx.database.db, tenantId: req.tenant!.id, input: req.body });
        return reply.code(201).send(view(official, today(req)));
      },
    );

    r.post(
      '/api/v1/tenants/:slug/officials/:id/revoke',
      {
        schema: {
          tags,
          summary: 'Revoke a grant; the row stays in the register with its revocation time',
          description: 'An unknown id, another town hall\'s, or one already revoked answers 404 not_found.',
          params: officialParams,
          response: { 200: officialView, ...apiErrors },
        },
      },
      async (req) => view(await revokeOfficial({ db: ctx.database.db, tenantId: req.tenant!.id, id: req.params.id }), today(req)),
    );
  });
}
