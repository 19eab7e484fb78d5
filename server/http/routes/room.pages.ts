/**
 * The citizen's side of live attention: the call room behind a pass link, the
 * one-time guest invitation, and the virtual queue (be attended now, without an
 * appointment). The room itself talks over the room socket (realtime/room-gateway.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import { z } from 'zod';
import { AppError, isAppError, type ErrorCode } from '../../../shared/errors.js';
import { isLanguage, translator, type T } from '../../i18n/i18n.js';
import { findAttention } from '../../modules/attention/attention.repository.js';
import { roomOpensAt } from '../../modules/attention/enter-waiting-room.js';
import { joinQueue, queueEntryInput } from '../../modules/attention/join-queue.js';
import { liveSettings } from '../../modules/attention/live-settings.js';
import { findPass, redeemInvite } from '../../modules/attention/room-passes.js';
import { findAppointmentById } from '../../modules/booking/booking.repository.js';
import { validateContact } from '../../modules/booking/validate-contact.js';
import { findProcedureById, listProcedures, type Procedure } from '../../modules/catalogue/catalogue.repository.js';
import type { AppContext } from '../context.js';
import { pageCtx, sendHtml } from '../page-helpers.js';
import type { FieldErrors } from '../pages/form-parts.js';
import { renderPage } from '../pages/layout.js';
import { tenantPath } from '../pages/page-context.js';
import { QueueClosedPage, QueuePage, type QueueValues } from '../pages/citizen/queue.page.js';
import { InvitePage, InviteUsedPage, RoomPage, type RoomView } from '../pages/citizen/room.page.js';
import { resolveTenant } from '../request-tenant.js';

const tokenParam = z.object({ slug: z.string(), token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) });

/** The order of the queue form, so that the error summary reads top to bottom. */
const FIELD_ORDER = ['procedure', 'channel', 'name', 'email', 'phone', 'priority', 'privacyAccepted', 'language'];

const queueForm = z.object({
  procedure: z.string().max(80).default(''),
  channel: z.string().max(20).default(''),
  name: z.string().max(500).default(''),
  email: z.string().max(500).default(''),
  phone: z.string().max(100).default(''),
  priority: z.union([z.string().max(40), z.array(z.string().max(40)).max(10)]).optional(),
  privacyAccepted: z.string().max(10).optional(),
  lang: z.string().max(10).optional(),
});

function tokenOf(req: FastifyRequest): string {
  const r = tokenParam.safeParse(req.params);
  if (!r.success) throw new AppError('not_found');
  return r.data.token;
}

/** The message for one problem of the queue form, in plain words for that field. */
function queueFieldMessage(t: T, field: string, code?: ErrorCode | string): string {
  if (field === 'email' && code === 'contact_required') return t('queue.invalid.contact');
  if (field === 'phone' && code === 'phone_required') return t('queue.invalid.phone_required');
  if (field === 'channel' && code === 'channel_not_offered') return t('queue.invalid.channel_not_offered');
  if (field === 'language' && code === 'language_not_offered') return t('errors.language_not_offered');
  switch (field) {
    case 'procedure':
    case 'channel':
    case 'name':
    case 'email':
    case 'phone':
    case 'priority':
    case 'privacyAccepted':
    case 'language':
      return t(`queue.invalid.${field}`);
    default:
      return t('errors.validation_failed');
  }
}

function ordered(errors: FieldErrors): FieldErrors {
  const rank = (k: string) => (FIELD_ORDER.includes(k) ? FIELD_ORDER.indexOf(k) : FIELD_ORDER.length);
  return Object.fromEntries(Object.entries(errors).sort(([a], [b]) => rank(a) - rank(b)));
}

/** Active procedures a citizen can be attended for without an appointment (video or call-back). */
async function queueProcedures(ctx: AppContext, tenantId: string): Promise<Procedure[]> {
  const all = await listProcedures(ctx.database.db, tenantId, { activeOnly: true });
  return all.filter((p) => p.channels.includes('video') || p.channels.includes('callback'));
}

/** Registers the room, guest-invitation and virtual-queue pages (before the catch-all citizen pages). */
export async function roomPages(app: FastifyInstance, ctx: AppContext) {
  const deps = { database: ctx.database };
  const queueLimit = { rateLimit: { max: ctx.config.RATE_LIMIT_QUEUE_PER_MINUTE, timeWindow: '1 minute' } };

  app.register(async (r) => {
    r.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      await resolveTenant(ctx, req, reply);
    });

    r.get('/:slug/room/:token', async (req, reply) => {
      const token = tokenOf(req);
      const tenant = req.tenant!;
      const pass = await findPass(deps, tenant.id, token);
      // an invitation is exchanged at /guest/{token}; it never opens the room itself
      if (!pass || pass.role === 'invite') throw new AppError('not_found');
      const settings = liveSettings(tenant);
      const view: RoomView = {
        role: pass.role === 'guest' ? 'guest' : 'citizen',
        mode: 'video',
        queueEntry: false,
        opensAt: null,
        waitingRoomOpensMinutes: settings.waitingRoomOpensMinutes,
        wsPath: `${tenantPath({ tenant }, 'room', token)}/live`,
        now: Date.now(),
        surveyPath: pass.role === 'citizen' ? tenantPath({ tenant }, 'survey', 'room', token) : undefined,
      };
      if (pass.appointmentId) {
        const appointment = await findAppointmentById(ctx.database, tenant.id, pass.appointmentId);
        if (!appointment) throw new AppError('not_found');
        if (appointment.status !== 'booked' && appointment.status !== 'attended') throw new AppError('appointment_not_active');
        view.procedure = await findProcedureById(ctx.database.db, tenant.id, appointment.procedureId);
        view.appointment = { reference: appointment.reference, channel: appointment.channel, startsAt: appointment.startsAt };
        view.opensAt = roomOpensAt(tenant, appointment);
      } else if (pass.attentionId) {
        const attention = await findAttention(ctx.database, tenant.id, pass.attentionId);
        if (!attention) throw new AppError('not_found');
        view.procedure = await findProcedureById(ctx.database.db, tenant.id, attention.procedure_id);
        if (view.role === 'citizen') {
          view.queueEntry = !attention.appointment_id;
          view.mode = attention.channel === 'callback' ? 'callback' : 'video';
        }
      }
      return sendHtml(reply, renderPage(h(RoomPage, { ctx: pageCtx(req), view })));
    });

    // Opening the link only shows a button: mail scanners and link previews fetch links, and must not use up the invitation.
    r.get('/:slug/guest/:token', async (req, reply) => {
      const parsed = tokenParam.safeParse(req.params);
      const pass = parsed.success ? await findPass(deps, req.tenant!.id, parsed.data.token) : undefined;
      if (!pass || pass.role !== 'invite' || pass.usedAt) return sendHtml(reply, renderPage(h(InviteUsedPage, { ctx: pageCtx(req) })), 410);
      return sendHtml(reply, renderPage(h(InvitePage, { ctx: pageCtx(req), label: pass.label ?? '' })));
    });

    r.post('/:slug/guest/:token', async (req, reply) => {
      const parsed = tokenParam.safeParse(req.params);
      const guestToken = parsed.success ? await redeemInvite(deps, req.tenant!.id, parsed.data.token) : undefined;
      // Used, expired or unknown look the same: nobody learns which invitations exist.
      if (!guestToken) return sendHtml(reply, renderPage(h(InviteUsedPage, { ctx: pageCtx(req) })), 410);
      return reply.header('cache-control', 'no-store').redirect(tenantPath({ tenant: req.tenant! }, 'room', guestToken), 303);
    });

    r.get('/:slug/queue', async (req, reply) => {
      const tenant = req.tenant!;
      if (!liveSettings(tenant).queueOpen) return sendHtml(reply, renderPage(h(QueueClosedPage, { ctx: pageCtx(req) })));
      const procedures = await queueProcedures(ctx, tenant.id);
      const code = (req.query as Record<string, unknown>).procedure;
      const values: QueueValues = { procedure: typeof code === 'string' && procedures.some((p) => p.code === code) ? code : undefined };
      return sendHtml(reply, renderPage(h(QueuePage, { ctx: pageCtx(req), procedures, values })));
    });

    r.post('/:slug/queue', { config: queueLimit }, async (req, reply) => {
      const tenant = req.tenant!;
      const t = translator(req.lang);
      if (!liveSettings(tenant).queueOpen) return sendHtml(reply, renderPage(h(QueueClosedPage, { ctx: pageCtx(req) })), 409);
      const form = queueForm.safeParse(req.body ?? {});
      if (!form.success) throw new AppError('malformed_body');
      const f = form.data;
      const priority = f.priority === undefined ? [] : Array.isArray(f.priority) ? f.priority : [f.priority];
      const values: QueueValues = {
        procedure: f.procedure,
        channel: f.channel,
        name: f.name,
        email: f.email,
        phone: f.phone,
        priority,
        privacyAccepted: f.privacyAccepted === 'yes',
      };
      const procedures = await queueProcedures(ctx, tenant.id);
      const rerender = (errors: FieldErrors, status: number) =>
        sendHtml(reply, renderPage(h(QueuePage, { ctx: pageCtx(req), procedures, values, errors: ordered(errors) })), status);

      // Every problem at once: the choice of procedure and channel, the contact, the form's shape.
      const errors: FieldErrors = {};
      const procedure = procedures.find((p) => p.code === f.procedure);
      if (!procedure) errors.procedure = queueFieldMessage(t, 'procedure');
      const channel = f.channel === 'video' || f.channel === 'callback' ? f.channel : undefined;
      if (!channel) errors.channel = queueFieldMessage(t, 'channel');
      else if (procedure && !procedure.channels.includes(channel)) errors.channel = queueFieldMessage(t, 'channel', 'channel_not_offered');
      const language = isLanguage(f.lang) && tenant.languages.includes(f.lang) ? f.lang : req.lang;
      const input = queueEntryInput.safeParse({
        procedure: procedure?.code ?? 'none',
        channel: channel ?? 'video',
        name: f.name,
        email: f.email.trim() || undefined,
        phone: f.phone.trim() || undefined,
        language,
        privacyAccepted: f.privacyAccepted === 'yes',
        priority,
      });
      try {
        validateContact(tenant, {
          channel: channel ?? 'video',
          name: f.name,
          email: f.email.trim() || undefined,
          phone: f.phone.trim() || undefined,
          language,
          accessibility: { needs: [] },
          privacyAccepted: f.privacyAccepted === 'yes',
        });
      } catch (e) {
        if (!isAppError(e)) throw e;
        for (const p of (e.details?.fields as Array<{ path: string; code?: string }> | undefined) ?? []) {
          errors[p.path] ??= queueFieldMessage(t, p.path, p.code);
        }
      }
      if (!input.success) {
        for (const issue of input.error.issues) {
          const field = String(issue.path[0] ?? 'form');
          errors[field] ??= queueFieldMessage(t, field);
        }
      }
      if (Object.keys(errors).length || !input.success) return rerender(errors, 422);

      try {
        const { token } = await joinQueue(deps, { tenant, input: input.data });
        return reply.header('cache-control', 'no-store').redirect(tenantPath({ tenant }, 'room', token), 303);
      } catch (e) {
        if (!isAppError(e)) throw e;
        if (e.code === 'queue_closed') return sendHtml(reply, renderPage(h(QueueClosedPage, { ctx: pageCtx(req) })), 409);
        if (e.code === 'procedure_not_found') return rerender({ procedure: queueFieldMessage(t, 'procedure') }, 422);
        if (e.code === 'channel_not_offered') return rerender({ channel: queueFieldMessage(t, 'channel', 'channel_not_offered') }, 422);
        throw e;
      }
    });
  });
}
