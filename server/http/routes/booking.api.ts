/** Public JSON API for the catalogue, free slots and bookings of a town hall. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CHANNELS, LANGUAGES, pickText } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import { bookAppointment } from '../../modules/booking/book-appointment.js';
import { appointmentView, bookedView, bookingInput, rescheduleInput, slotView } from '../../modules/booking/booking.schemas.js';
import { cancelAppointment, getManagedAppointment, rescheduleAppointment, type ManagedAppointment } from '../../modules/booking/manage-appointment.js';
import { findProcedureByCode, listProcedures, type Procedure } from '../../modules/catalogue/catalogue.repository.js';
import { procedureView } from '../../modules/catalogue/catalogue.schemas.js';
import { activeProcedure } from '../../modules/scheduling/calendar-cache.js';
import { findFreeSlots } from '../../modules/scheduling/find-free-slots.js';
import type { AppContext } from '../context.js';
import { resolveTenant } from '../request-tenant.js';
import { errorBody } from './api-schemas.js';

const slugParams = z.object({ slug: z.string().max(40) });
const codeParams = slugParams.extend({ code: z.string().regex(/^[a-z0-9-]{1,64}$/) });
const tokenParams = slugParams.extend({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) });

export function toProcedureView(p: Procedure): z.infer<typeof procedureView> {
  return {
    id: p.id,
    code: p.code,
    name: p.name,
    help: p.help,
    departmentId: p.departmentId,
    channels: p.channels,
    durationMinutes: p.durationMinutes,
    bufferMinutes: p.bufferMinutes,
    minNoticeMinutes: p.minNoticeMinutes,
    horizonDays: p.horizonDays,
    documents: p.documents,
    active: p.active,
    position: p.position,
  };
}

function managedView(m: ManagedAppointment, lang: (typeof LANGUAGES)[number]): z.infer<typeof appointmentView> {
  const a = m.appointment;
  return {
    reference: a.reference,
    procedure: { code: m.procedure.code, name: pickText(m.procedure.name, lang) },
    channel: a.channel,
    kind: a.kind,
    start: a.startsAt?.toISOString() ?? null,
    end: a.endsAt?.toISOString() ?? null,
    status: a.status,
    language: a.language,
    canChange: m.canChange,
  };
}

export async function bookingApi(app: FastifyInstance, ctx: AppContext) {
  const deps = ctx.booking;
  app.register(async (root) => {
    const r = root.withTypeProvider<ZodTypeProvider>();
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
    });
    const tags = ['booking'];

    r.get('/api/v1/tenants/:slug/procedures', {
      schema: { tags, summary: 'Active procedures of a town hall', params: slugParams, response: { 200: z.array(procedureView), 404: errorBody } },
    }, async (req) => (await listProcedures(ctx.database.db, req.tenant!.id, { activeOnly: true })).map(toProcedureView));

    r.get('/api/v1/tenants/:slug/procedures/:code', {
      schema: { tags, summary: 'One procedure', params: codeParams, response: { 200: procedureView, 404: errorBody } },
    }, async (req) => {
      const p = await findProcedureByCode(ctx.database.db, req.tenant!.id, req.params.code);
      if (!p || !p.active) throw new AppError('procedure_not_found');
      return toProcedureView(p);
    });

    r.get('/api/v1/tenants/:slug/procedures/:code/slots', {
      schema: {
        tags,
        summary: 'Free slots of a procedure on a channel',
        params: codeParams,
        querystring: z.object({
          channel: z.enum(CHANNELS),
          from: z.iso.date().optional(),
          days: z.coerce.number().int().min(1).max(366).default(30),
        }),
        response: { 200: z.array(slotView), 400: errorBody, 404: errorBody, 422: errorBody },
      },
    }, async (req) => {
      const p = activeProcedure(await ctx.calendars.get(req.tenant!), req.params.code);
      if (!p) throw new AppError('procedure_not_found');
      const slots = await findFreeSlots({
        calendars: ctx.calendars,
        tenant: req.tenant!,
        procedure: p,
        channel: req.query.channel,
        now: Date.now(),
        fromDay: req.query.from,
        days: req.query.days,
      });
      return slots.map((s) => ({ start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString(), day: s.day, time: s.time, capacity: s.capacity }));
    });

    r.post('/api/v1/tenants/:slug/appointments', {
      config: { rateLimit: { max: ctx.config.RATE_LIMIT_BOOKING_PER_MINUTE, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: 'Book an appointment (or a call-me-back as soon as possible)',
        params: slugParams,
        body: bookingInput,
        response: { 201: bookedView, 200: bookedView, 400: errorBody, 404: errorBody, 409: errorBody, 422: errorBody, 429: errorBody },
      },
    }, async (req, reply) => {
      const res = await bookAppointment(deps, { tenant: req.tenant!, input: req.body });
      const base = `${ctx.config.PUBLIC_URL}/${req.tenant!.slug}`;
      return reply.status(res.accessCode ? 201 : 200).send({
        reference: res.reference,
        procedure: { code: res.procedure.code, name: pickText(res.procedure.name, req.body.language) },
        channel: res.channel,
        kind: res.kind,
        start: res.startsAt?.toISOString() ?? null,
        end: res.endsAt?.toISOString() ?? null,
        status: 'booked' as const,
        language: req.body.language,
        canChange: true,
        accessCode: res.accessCode,
        manageUrl: res.manageToken ? `${base}/manage/${res.manageToken}` : null,
      });
    });

    r.get('/api/v1/tenants/:slug/appointments/manage/:token', {
      schema: { tags, summary: 'An appointment by its manage token', params: tokenParams, response: { 200: appointmentView, 404: errorBody } },
    }, async (req) => managedView(await getManagedAppointment(deps, { tenant: req.tenant!, manageToken: req.params.token }), req.lang));

    r.post('/api/v1/tenants/:slug/appointments/manage/:token/cancel', {
      config: { rateLimit: { max: ctx.config.RATE_LIMIT_BOOKING_PER_MINUTE, timeWindow: '1 minute' } },
      schema: { tags, summary: 'Cancel; frees the slot at once', params: tokenParams, response: { 200: appointmentView, 404: errorBody, 409: errorBody } },
    }, async (req) => managedView(await cancelAppointment(deps, { tenant: req.tenant!, manageToken: req.params.token }), req.lang));

    r.post('/api/v1/tenants/:slug/appointments/manage/:token/reschedule', {
      config: { rateLimit: { max: ctx.config.RATE_LIMIT_BOOKING_PER_MINUTE, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: 'Move to another slot; a new access code is issued',
        params: tokenParams,
        body: rescheduleInput,
        response: { 200: appointmentView.extend({ accessCode: z.string() }), 400: errorBody, 404: errorBody, 409: errorBody, 422: errorBody },
      },
    }, async (req) => {
      const m = await rescheduleAppointment(deps, { tenant: req.tenant!, manageToken: req.params.token, start: Date.parse(req.body.start) });
      return { ...managedView(m, req.lang), accessCode: m.accessCode };
    });
  });
}
