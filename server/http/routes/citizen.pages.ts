/**
 * The citizen's pages: catalogue → channel → day and time → details →
 * confirmation, and the manage / join links from the email. Plain HTML forms
 * that work without JavaScript, by keyboard and with a screen reader.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import { z } from 'zod';
import { CHANNELS, type Channel } from '../../../shared/domain.js';
import { AppError, isAppError, type ErrorCode } from '../../../shared/errors.js';
import { isLanguage, translator } from '../../i18n/i18n.js';
import { calendarFile } from '../../mail/calendar-file.js';
import { citizenLinks } from '../../mail/booking-emails.js';
import { bookAppointment } from '../../modules/booking/book-appointment.js';
import { bookingInput } from '../../modules/booking/booking.schemas.js';
import { cancelAppointment, getManagedAppointment, rescheduleAppointment } from '../../modules/booking/manage-appointment.js';
import { validateContact } from '../../modules/booking/validate-contact.js';
import { verifyAccess } from '../../modules/booking/verify-access.js';
import { issuePass } from '../../modules/attention/room-passes.js';
import { findProcedureByCode, listProcedures, type Procedure } from '../../modules/catalogue/catalogue.repository.js';
import { findFreeSlots } from '../../modules/scheduling/find-free-slots.js';
import { pickText } from '../../../shared/domain.js';
import type { AppContext } from '../context.js';
import { pageCtx, sendHtml } from '../page-helpers.js';
import { appErrorFieldErrors, zodFieldErrors } from '../form-errors.js';
import { ChannelPage } from '../pages/citizen/channel.page.js';
import { ConfirmationPage } from '../pages/citizen/confirmation.page.js';
import { DetailsPage, type DetailsValues } from '../pages/citizen/details.page.js';
import { HomePage } from '../pages/citizen/home.page.js';
import { PrivacyPage } from '../pages/citizen/info.page.js';
import { JoinedPage, JoinPage } from '../pages/citizen/join.page.js';
import { CancelConfirmPage, ManagePage } from '../pages/citizen/manage.page.js';
import { SlotsPage } from '../pages/citizen/slots.page.js';
import { renderPage } from '../pages/layout.js';
import { tenantPath } from '../pages/page-context.js';
import { resolveTenant } from '../request-tenant.js';

/** Slot problems send the citizen back to the time picker with an explanation. */
const SLOT_ERRORS = new Set<ErrorCode>(['slot_taken', 'slot_in_past', 'slot_too_soon', 'slot_out_of_hours', 'slot_holiday', 'slot_beyond_horizon', 'slot_invalid']);

/** The order of the details form, so that an error summary reads top to bottom. */
const FIELD_ORDER = ['name', 'email', 'phone', 'taxId', 'language', 'interpreterLanguage', 'privacyAccepted'];

const codeParam = z.object({ slug: z.string(), code: z.string().regex(/^[a-z0-9-]{1,64}$/) });
const tokenParam = z.object({ slug: z.string(), token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) });
const dayQuery = z.iso.date().optional().catch(undefined);



function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError('not_found');
  return r.data;
}

export async function citizenPages(app: FastifyInstance, ctx: AppContext) {
  const deps = ctx.booking;
  const tenantHook = async (req: FastifyRequest, reply: FastifyReply) => {
    await resolveTenant(ctx, req, reply);
  };
  const bookingLimit = { rateLimit: { max: ctx.config.RATE_LIMIT_BOOKING_PER_MINUTE, timeWindow: '1 minute' } };

  async function activeProcedure(req: FastifyRequest): Promise<Procedure> {
    const { code } = parse(codeParam, req.params);
    const p = await findProcedureByCode(ctx.database.db, req.tenant!.id, code);
    if (!p || !p.active) throw new AppError('procedure_not_found');
    return p;
  }

  function channelOf(procedure: Procedure, raw: unknown): Channel {
    const c = z.enum(CHANNELS).safeParse(raw);
    if (!c.success || !procedure.channels.includes(c.data)) throw new AppError('channel_not_offered');
    return c.data;
  }

  async function renderSlots(req: FastifyRequest, reply: FastifyReply, o: { procedure: Procedure; channel: Channel; day?: string; notice?: string; status?: number; token?: string }) {
    const page = pageCtx(req);
    const slots = await findFreeSlots({
      calendars: ctx.calendars,
      tenant: req.tenant!,
      procedure: o.procedure,
      channel: o.channel,
      now: Date.now(),
      days: o.procedure.horizonDays + 1,
    });
    const reschedule = !!o.token;
    const base = reschedule ? tenantPath(page, 'manage', o.token!, 'reschedule') : tenantPath(page, 'book', o.procedure.code, 'slots');
    return sendHtml(reply,
      renderPage(
        h(SlotsPage, {
          ctx: page,
          procedure: o.procedure,
          channel: o.channel,
          slots,
          selectedDay: o.day,
          dayHref: (d) => `${base}?${new URLSearchParams({ ...(reschedule ? {} : { channel: o.channel }), day: d, lang: page.lang })}`,
          form: reschedule
            ? { method: 'post', action: base, hidden: { lang: page.lang } }
            : { method: 'get', action: tenantPath(page, 'book', o.procedure.code, 'details'), hidden: { channel: o.channel, lang: page.lang } },
          allowAsap: !reschedule && o.channel === 'callback',
          notice: o.notice,
          title: reschedule ? page.t('manage.reschedule') : undefined,
          backHref: reschedule ? tenantPath(page, 'manage', o.token!) : tenantPath(page, 'book', o.procedure.code),
        }),
      ),
      o.status,
    );
  }

  function slotNotice(req: FastifyRequest, err: AppError): string {
    const t = translator(req.lang);
    const next = (err.details?.nextSlots as string[] | undefined) ?? [];
    return next.length ? `${t(`errors.${err.code}`)} ${t('booking.next_free_hint')}` : t(`errors.${err.code}`);
  }

  app.register(async (r) => {
    r.addHook('onRequest', tenantHook);

    r.get('/:slug', async (req, reply) => {
      const procedures = await listProcedures(ctx.database.db, req.tenant!.id, { activeOnly: true });
      return sendHtml(reply, renderPage(h(HomePage, { ctx: pageCtx(req), procedures })));
    });

    r.get('/:slug/theme.css', async (req, reply) => {
      return reply
        .header('cache-control', 'public, max-age=300')
        .type('text/css; charset=utf-8')
        .send(`:root{--brand:${req.tenant!.colour};}`);
    });

    r.get('/:slug/privacy', async (req, reply) => sendHtml(reply, renderPage(h(PrivacyPage, { ctx: pageCtx(req) }))));

    r.get('/:slug/book/:code', async (req, reply) => {
      const procedure = await activeProcedure(req);
      return sendHtml(reply, renderPage(h(ChannelPage, { ctx: pageCtx(req), procedure })));
    });

    r.get('/:slug/book/:code/slots', async (req, reply) => {
      const procedure = await activeProcedure(req);
      const q = req.query as Record<string, unknown>;
      const channel = channelOf(procedure, q.channel);
      return renderSlots(req, reply, { procedure, channel, day: dayQuery.parse(q.day) });
    });

    r.get('/:slug/book/:code/details', async (req, reply) => {
      const procedure = await activeProcedure(req);
      const q = req.query as Record<string, unknown>;
      const channel = channelOf(procedure, q.channel);
      const start = typeof q.start === 'string' ? q.start : '';
      if (!(start === 'asap' && channel === 'callback') && !z.iso.datetime({ offset: true }).safeParse(start).success) {
        return renderSlots(req, reply, { procedure, channel, notice: translator(req.lang)('errors.slot_invalid'), status: 422 });
      }
      const values: DetailsValues = { idempotencyKey: randomUUID(), language: req.lang };
      return sendHtml(reply, renderPage(h(DetailsPage, { ctx: pageCtx(req), procedure, channel, start, values })));
    });

    const detailsForm = z.object({
      channel: z.string().max(20).default(''),
      start: z.string().max(40).default(''),
      idempotencyKey: z.string().max(40).optional(),
      name: z.string().max(500).default(''),
      email: z.string().max(500).default(''),
      phone: z.string().max(100).default(''),
      taxId: z.string().max(100).default(''),
      language: z.string().max(10).default(''),
      needs: z.union([z.string().max(40), z.array(z.string().max(40)).max(10)]).optional(),
      interpreterLanguage: z.string().max(200).default(''),
      privacyAccepted: z.string().max(10).optional(),
    });

    r.post('/:slug/book/:code/details', { config: bookingLimit }, async (req, reply) => {
      const procedure = await activeProcedure(req);
      const t = translator(req.lang);
      const form = detailsForm.safeParse(req.body ?? {});
      if (!form.success) throw new AppError('malformed_body');
      const f = form.data;
      const channel = channelOf(procedure, f.channel);
      const needs = f.needs === undefined ? [] : Array.isArray(f.needs) ? f.needs : [f.needs];
      const values: DetailsValues = {
        name: f.name,
        email: f.email,
        phone: f.phone,
        taxId: f.taxId,
        language: f.language,
        needs,
        interpreterLanguage: f.interpreterLanguage,
        privacyAccepted: f.privacyAccepted === 'yes',
        idempotencyKey: z.uuid().safeParse(f.idempotencyKey).success ? f.idempotencyKey! : randomUUID(),
      };
      const rerender = (errors: Record<string, string>, status: number, message?: string) => {
        const ordered = Object.fromEntries(Object.entries(errors).sort(([a], [b]) => FIELD_ORDER.indexOf(a) - FIELD_ORDER.indexOf(b)));
        return sendHtml(reply, renderPage(h(DetailsPage, { ctx: pageCtx(req), procedure, channel, start: f.start, values, errors: ordered, message })), status);
      };
      const input = bookingInput.safeParse({
        procedure: procedure.code,
        channel,
        start: f.start === 'asap' ? undefined : f.start,
        asap: f.start === 'asap' || undefined,
        name: f.name,
        email: f.email.trim() || undefined,
        phone: f.phone.trim() || undefined,
        taxId: f.taxId.trim() || undefined,
        language: f.language,
        accessibility: { needs, interpreterLanguage: f.interpreterLanguage.trim() || undefined },
        privacyAccepted: f.privacyAccepted === 'yes',
        idempotencyKey: values.idempotencyKey,
      });
      if (!input.success) {
        // Report the contact problems too, so the citizen sees every problem at once.
        let contactErrors = {};
        try {
          validateContact(req.tenant!, {
            channel,
            name: f.name,
            email: f.email.trim() || undefined,
            phone: f.phone.trim() || undefined,
            taxId: f.taxId.trim() || undefined,
            language: isLanguage(f.language) ? f.language : req.lang,
            accessibility: { needs: [] },
            privacyAccepted: f.privacyAccepted === 'yes',
          });
        } catch (e) {
          if (isAppError(e)) contactErrors = appErrorFieldErrors(t, e);
        }
        return rerender({ ...contactErrors, ...zodFieldErrors(t, input.error.issues) }, 422);
      }
      try {
        const result = await bookAppointment(deps, { tenant: req.tenant!, input: input.data });
        const page = { ...pageCtx(req), lang: input.data.language, t: translator(input.data.language) };
        return sendHtml(reply, renderPage(h(ConfirmationPage, { ctx: page, result, email: input.data.email ?? null })));
      } catch (e) {
        if (!isAppError(e)) throw e;
        if (SLOT_ERRORS.has(e.code)) return renderSlots(req, reply, { procedure, channel, notice: slotNotice(req, e), status: e.status });
        if (e.details?.fields) return rerender(appErrorFieldErrors(t, e), e.status);
        throw e;
      }
    });

    r.get('/:slug/manage/:token', async (req, reply) => {
      const { token } = parse(tokenParam, req.params);
      const managed = await getManagedAppointment(deps, { tenant: req.tenant!, manageToken: token });
      return sendHtml(reply, renderPage(h(ManagePage, { ctx: pageCtx(req), managed, token })));
    });

    r.get('/:slug/manage/:token/calendar.ics', async (req, reply) => {
      const { token } = parse(tokenParam, req.params);
      const { appointment: a, procedure } = await getManagedAppointment(deps, { tenant: req.tenant!, manageToken: token });
      if (a.status !== 'booked' || !a.startsAt || !a.endsAt) throw new AppError('appointment_not_active');
      const tenant = req.tenant!;
      const t = translator(req.lang);
      const links = citizenLinks(ctx.config.PUBLIC_URL, tenant, { reference: a.reference, language: req.lang });
      const ics = calendarFile({
        uid: `${a.id}@finestreta`,
        sequence: a.sequence,
        cancelled: false,
        start: a.startsAt,
        end: a.endsAt,
        timeZone: tenant.timeZone,
        summary: t('calendar.summary', { procedure: pickText(procedure.name, req.lang), town: tenant.name }),
        description: [t(`email.how.${a.channel}`, { address: tenant.address ?? tenant.name }), `${t('booking.reference')}: ${a.reference}`].join('\n'),
        location: a.channel === 'in_person' ? (tenant.address ?? tenant.name) : links.join,
        url: links.join,
      });
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${t('email.calendar_filename')}.ics"`)
        .type('text/calendar; charset=utf-8')
        .send(ics);
    });

    r.get('/:slug/manage/:token/cancel', async (req, reply) => {
      const { token } = parse(tokenParam, req.params);
      const managed = await getManagedAppointment(deps, { tenant: req.tenant!, manageToken: token });
      if (!managed.canChange) return sendHtml(reply, renderPage(h(ManagePage, { ctx: pageCtx(req), managed, token })), 409);
      return sendHtml(reply, renderPage(h(CancelConfirmPage, { ctx: pageCtx(req), managed, token })));
    });

    r.post('/:slug/manage/:token/cancel', { config: bookingLimit }, async (req, reply) => {
      const { token } = parse(tokenParam, req.params);
      const managed = await cancelAppointment(deps, { tenant: req.tenant!, manageToken: token });
      const notice = translator(req.lang)('manage.cancelled');
      return sendHtml(reply, renderPage(h(ManagePage, { ctx: pageCtx(req), managed, token, notice })));
    });

    r.get('/:slug/manage/:token/reschedule', async (req, reply) => {
      const { token } = parse(tokenParam, req.params);
      const managed = await getManagedAppointment(deps, { tenant: req.tenant!, manageToken: token });
      if (!managed.canChange || managed.appointment.kind !== 'slot') {
        return sendHtml(reply, renderPage(h(ManagePage, { ctx: pageCtx(req), managed, token })), 409);
      }
      const day = dayQuery.parse((req.query as Record<string, unknown>).day);
      return renderSlots(req, reply, { procedure: managed.procedure, channel: managed.appointment.channel, day, token });
    });

    r.post('/:slug/manage/:token/reschedule', { config: bookingLimit }, async (req, reply) => {
      const { token } = parse(tokenParam, req.params);
      const body = z.object({ start: z.string().max(40) }).safeParse(req.body ?? {});
      const start = body.success ? Date.parse(body.data.start) : NaN;
      try {
        const moved = await rescheduleAppointment(deps, { tenant: req.tenant!, manageToken: token, start });
        const notice = translator(req.lang)('manage.rescheduled');
        return sendHtml(reply, renderPage(h(ManagePage, { ctx: pageCtx(req), managed: moved, token, notice, newAccessCode: moved.accessCode })));
      } catch (e) {
        if (!isAppError(e) || !SLOT_ERRORS.has(e.code)) throw e;
        const managed = await getManagedAppointment(deps, { tenant: req.tenant!, manageToken: token });
        return renderSlots(req, reply, { procedure: managed.procedure, channel: managed.appointment.channel, token, notice: slotNotice(req, e), status: e.status });
      }
    });

    r.get('/:slug/join', async (req, reply) => {
      const ref = (req.query as Record<string, unknown>).ref;
      const reference = typeof ref === 'string' ? ref.slice(0, 10) : undefined;
      return sendHtml(reply, renderPage(h(JoinPage, { ctx: pageCtx(req), reference })));
    });

    r.post('/:slug/join', { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (req, reply) => {
      const body = z.object({ reference: z.string().max(20).default(''), code: z.string().max(20).default('') }).safeParse(req.body ?? {});
      const reference = body.success ? body.data.reference : '';
      const code = body.success ? body.data.code : '';
      const t = translator(req.lang);
      try {
        const { appointment, procedure } = await verifyAccess(deps, { tenant: req.tenant!, reference, code });
        if (appointment.status === 'booked' && appointment.channel === 'video') {
          // The video room: a pass valid until about three hours after the slot ends.
          const until = (appointment.endsAt ?? appointment.startsAt)?.getTime() ?? Date.now();
          const ttlMinutes = Math.max(60, Math.ceil((until + 3 * 3_600_000 - Date.now()) / 60_000));
          const token = await issuePass({ database: ctx.database }, { tenantId: req.tenant!.id, role: 'citizen', appointmentId: appointment.id, ttlMinutes });
          return reply.header('cache-control', 'no-store').redirect(tenantPath({ tenant: req.tenant! }, 'room', token), 303);
        }
        const opensAt = appointment.startsAt ? new Date(appointment.startsAt.getTime() - 10 * 60_000) : null;
        return sendHtml(reply, renderPage(h(JoinedPage, { ctx: pageCtx(req), appointment, procedure, opensAt })));
      } catch (e) {
        if (!isAppError(e) || e.code !== 'access_denied') throw e;
        return sendHtml(reply, renderPage(h(JoinPage, { ctx: pageCtx(req), reference, message: t('errors.access_denied') })), 401);
      }
    });
  });
}
