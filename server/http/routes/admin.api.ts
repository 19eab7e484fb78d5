/** Admin JSON API: office hours, holidays, staff, live attention settings and consultation types of a town hall. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CHANNELS, LANGUAGES, ROLES } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import { liveSettingsInput, liveSettingsView, saveLiveSettings, viewLiveSettings } from '../../modules/attention/save-live-settings.js';
import { addTypology, changeTypology, listTypologies, typologyChange, typologyInput, type Typology } from '../../modules/attention/typologies.js';
import { saveStaff, staffInput } from '../../modules/staff/save-staff.js';
import { listSchedules, listStaff, type Staff } from '../../modules/staff/staff.repository.js';
import { addHoliday, deleteHoliday, holidayInput, replaceOfficeHours } from '../../modules/tenants/manage-calendar.js';
import { listHolidays, listOfficeHours } from '../../modules/tenants/tenants.repository.js';
import { parseDayHours } from '../../modules/tenants/weekly-hours.js';
import type { AppContext } from '../context.js';
import { staffApiAccess } from '../staff-auth.js';
import { errorBody } from './api-schemas.js';

const slugParams = z.object({ slug: z.string().max(40) });
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const weekly = z.array(z.object({ weekday: z.number().int().min(1).max(7), startsAt: hhmm, endsAt: hhmm })).max(50);
const staffView = z.object({
  id: z.uuid(),
  fullName: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  channels: z.array(z.enum(CHANNELS)),
  procedureIds: z.array(z.string()),
  active: z.boolean(),
  schedule: weekly,
});
const typologyView = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.partialRecord(z.enum(LANGUAGES), z.string()),
  position: z.number(),
  active: z.boolean(),
});
const typologyOut = (t: Typology) => ({ id: t.id, code: t.code, name: t.name, position: t.position, active: t.active });
const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };

export async function adminApi(app: FastifyInstance, ctx: AppContext) {
  app.register(async (root) => {
    const r = root.withTypeProvider<ZodTypeProvider>();
    r.addHook('onRequest', staffApiAccess(ctx, ['admin']));
    const tags = ['admin'];
    const view = async (tenantId: string, people: Staff[]) => {
      const rows = await listSchedules(ctx.database.db, tenantId);
      return people.map((p) => ({
        id: p.id,
        fullName: p.fullName,
        email: p.email,
        role: p.role,
        channels: p.channels,
        procedureIds: p.procedureIds,
        active: p.active,
        schedule: rows.filter((x) => x.staffId === p.id).map((x) => ({ weekday: x.weekday, startsAt: x.startsAt.slice(0, 5), endsAt: x.endsAt.slice(0, 5) })),
      }));
    };

    r.get('/api/v1/tenants/:slug/admin/office-hours', { schema: { tags, params: slugParams, response: { 200: weekly, ...errors } } }, async (req) =>
      (await listOfficeHours(ctx.database.db, req.tenant!.id)).map((x) => ({ weekday: x.weekday, startsAt: x.opensAt.slice(0, 5), endsAt: x.closesAt.slice(0, 5) })),
    );

    r.put('/api/v1/tenants/:slug/admin/office-hours', { schema: { tags, summary: 'Replace the week of office hours', params: slugParams, body: weekly, response: { 204: z.null(), ...errors } } }, async (req, reply) => {
      for (const w of [1, 2, 3, 4, 5, 6, 7]) {
        const text = req.body.filter((x) => x.weekday === w).map((x) => `${x.startsAt}-${x.endsAt}`).join(',');
        if (!parseDayHours(w, text)) throw new AppError('validation_failed', { fields: [{ path: `weekday.${w}`, code: 'invalid' }] });
      }
      await replaceOfficeHours(ctx.database.db, req.tenant!.id, req.body);
      ctx.calendars.invalidate(req.tenant!.id);
      return reply.status(204).send(null);
    });

    r.get('/api/v1/tenants/:slug/admin/holidays', { schema: { tags, params: slugParams, response: { 200: z.array(holidayInput), ...errors } } }, async (req) =>
      (await listHolidays(ctx.database.db, req.tenant!.id, '1900-01-01')).map((x) => ({ day: x.day, name: x.name })),
    );

    r.post('/api/v1/tenants/:slug/admin/holidays', { schema: { tags, params: slugParams, body: holidayInput, response: { 201: holidayInput, ...errors } } }, async (req, reply) => {
      const row = await addHoliday(ctx.database.db, req.tenant!.id, req.body);
      ctx.calendars.invalidate(req.tenant!.id);
      return reply.status(201).send({ day: row.day, name: row.name });
    });

    r.delete('/api/v1/tenants/:slug/admin/holidays/:day', { schema: { tags, params: slugParams.extend({ day: z.iso.date() }), response: { 204: z.null(), ...errors } } }, async (req, reply) => {
      await deleteHoliday(ctx.database.db, req.tenant!.id, req.params.day);
      ctx.calendars.invalidate(req.tenant!.id);
      return reply.status(204).send(null);
    });

    r.get('/api/v1/tenants/:slug/admin/staff', { schema: { tags, params: slugParams, response: { 200: z.array(staffView), ...errors } } }, async (req) =>
      view(req.tenant!.id, await listStaff(ctx.database.db, req.tenant!.id)),
    );

    r.post('/api/v1/tenants/:slug/admin/staff', { schema: { tags, summary: 'Add a person (password required)', params: slugParams, body: staffInput, response: { 201: staffView, ...errors } } }, async (req, reply) => {
      const person = await saveStaff({ db: ctx.database.db, tenantId: req.tenant!.id, input: req.body });
      ctx.calendars.invalidate(req.tenant!.id);
      return reply.status(201).send((await view(req.tenant!.id, [person]))[0]);
    });

    r.put('/api/v1/tenants/:slug/admin/staff/:id', { schema: { tags, summary: 'Change a person (password ignored)', params: slugParams.extend({ id: z.uuid() }), body: staffInput, response: { 200: staffView, ...errors } } }, async (req) => {
      const person = await saveStaff({ db: ctx.database.db, tenantId: req.tenant!.id, staffId: req.params.id, input: req.body });
      ctx.calendars.invalidate(req.tenant!.id);
      return (await view(req.tenant!.id, [person]))[0];
    });

    r.get('/api/v1/tenants/:slug/admin/live-settings', { schema: { tags, summary: 'Live attention settings (defaults filled in)', params: slugParams, response: { 200: liveSettingsView, ...errors } } }, async (req) =>
      viewLiveSettings(req.tenant!),
    );

    r.put('/api/v1/tenants/:slug/admin/live-settings', { schema: { tags, summary: 'Replace the live attention settings; they apply at once', params: slugParams, body: liveSettingsInput, response: { 200: liveSettingsView, ...errors } } }, async (req) => {
      const saved = await saveLiveSettings({ db: ctx.database.db, tenantId: req.tenant!.id, input: req.body });
      ctx.tenants.invalidate(req.tenant!.slug);
      return saved;
    });

    r.get('/api/v1/tenants/:slug/admin/typologies', { schema: { tags, summary: 'Consultation types, active and inactive, in order', params: slugParams, response: { 200: z.array(typologyView), ...errors } } }, async (req) =>
      (await listTypologies(ctx.database.db, req.tenant!.id, { activeOnly: false })).map(typologyOut),
    );

    r.post('/api/v1/tenants/:slug/admin/typologies', { schema: { tags, summary: 'Add a consultation type (name in every tenant language)', params: slugParams, body: typologyInput, response: { 201: typologyView, ...errors } } }, async (req, reply) =>
      reply.status(201).send(typologyOut(await addTypology({ db: ctx.database.db, tenant: req.tenant!, input: req.body }))),
    );

    r.put('/api/v1/tenants/:slug/admin/typologies/:id', { schema: { tags, summary: 'Rename, move, deactivate or reactivate a consultation type (never deleted)', params: slugParams.extend({ id: z.uuid() }), body: typologyChange, response: { 200: typologyView, ...errors } } }, async (req) =>
      typologyOut(await changeTypology({ db: ctx.database.db, tenant: req.tenant!, typologyId: req.params.id, input: req.body })),
    );
  });
}
