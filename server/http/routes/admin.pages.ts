/** Admin pages for the office calendar (hours, holidays), the people who attend, live attention settings and consultation types. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import { z } from 'zod';
import { LANGUAGES } from '../../../shared/domain.js';
import { AppError, isAppError } from '../../../shared/errors.js';
import { translator, type T } from '../../i18n/i18n.js';
import { PRIORITY_REASONS } from '../../modules/attention/live-settings.js';
import { saveLiveSettings, viewLiveSettings, type LiveSettingsInput, type LiveSettingsView } from '../../modules/attention/save-live-settings.js';
import { addTypology, changeTypology, findTypology, listTypologies, setTypologyActive, type Typology } from '../../modules/attention/typologies.js';
import { saveStaff } from '../../modules/staff/save-staff.js';
import { findStaffById, listSchedules, listStaff } from '../../modules/staff/staff.repository.js';
import { addHoliday, deleteHoliday, holidayInput, replaceOfficeHours } from '../../modules/tenants/manage-calendar.js';
import { listHolidays, listOfficeHours } from '../../modules/tenants/tenants.repository.js';
import { formatDayHours, parseDayHours, type WeeklyRow } from '../../modules/tenants/weekly-hours.js';
import type { AppContext } from '../context.js';
import { pageCtx, redirectUnauthenticatedToLogin, sendHtml } from '../page-helpers.js';
import { renderPage } from '../pages/layout.js';
import { tenantPath } from '../pages/page-context.js';
import { CalendarPage, WEEKDAYS } from '../pages/staff/calendar.page.js';
import { LiveSettingsPage } from '../pages/staff/live-settings.page.js';
import { PeoplePage, PersonFormPage } from '../pages/staff/people.page.js';
import { TypologiesPage, TypologyFormPage } from '../pages/staff/typologies.page.js';
import { resolveStaff, resolveTenant } from '../request-tenant.js';
import { checkCsrf, requireStaff } from '../staff-auth.js';

type Form = Record<string, string | string[] | undefined>;

const text = (form: Form, k: string) => (typeof form[k] === 'string' ? (form[k] as string).trim() : '');
const whole = (form: Form, k: string) => (text(form, k) === '' ? NaN : Number(text(form, k)));
type FieldProblem = { path: string; code?: string };

/** The live settings as the form shows them: one box per number, `priority_<reason>` for the weights. */
function liveToForm(s: LiveSettingsView): Form {
  const form: Form = {
    waitingRoomOpensMinutes: String(s.waitingRoomOpensMinutes),
    noShowMinutes: String(s.noShowMinutes),
    maxCallAttempts: String(s.maxCallAttempts),
    callLinkTemplate: s.callLinkTemplate,
    queueOpen: s.queueOpen ? 'yes' : '',
  };
  for (const r of PRIORITY_REASONS) form[`priority_${r}`] = String(s.queuePriorities[r]);
  return form;
}

function formToLiveInput(form: Form): LiveSettingsInput {
  return {
    waitingRoomOpensMinutes: whole(form, 'waitingRoomOpensMinutes'),
    noShowMinutes: whole(form, 'noShowMinutes'),
    maxCallAttempts: whole(form, 'maxCallAttempts'),
    callLinkTemplate: text(form, 'callLinkTemplate'),
    queueOpen: form.queueOpen === 'yes',
    queuePriorities: { over_65: whole(form, 'priority_over_65'), disability: whole(form, 'priority_disability'), pregnancy: whole(form, 'priority_pregnancy') },
  };
}

/** One message next to each wrong box of the live settings form; a specific link problem wins over a generic one. */
function liveFieldErrors(t: T, fields: FieldProblem[]): Record<string, string> {
  const ranges: Record<string, [string, number, number]> = {
    waitingRoomOpensMinutes: ['staff.live_settings.minutes_range', 0, 120],
    noShowMinutes: ['staff.live_settings.minutes_range', 1, 120],
    maxCallAttempts: ['staff.live_settings.number_range', 1, 10],
  };
  const out: Record<string, string> = {};
  const specificFirst = [...fields].sort((a, b) => Number(!a.code?.startsWith('call_link_')) - Number(!b.code?.startsWith('call_link_')));
  for (const f of specificFirst) {
    const [head, reason] = f.path.split('.');
    if (head === 'queuePriorities') out[`priority_${reason}`] ??= t('staff.live_settings.number_range', { min: 0, max: 10 });
    else if (head === 'callLinkTemplate') out.callLinkTemplate ??= t(f.code?.startsWith('call_link_') ? `staff.live_settings.${f.code}` : 'staff.live_settings.call_link_invalid');
    else if (ranges[head]) out[head] ??= t(ranges[head][0], { min: ranges[head][1], max: ranges[head][2] });
    else out[head] ??= t('staff.procedures.invalid_field');
  }
  return out;
}

function typologyToForm(ty: Typology): Form {
  return { ...Object.fromEntries(Object.entries(ty.name).map(([l, v]) => [`name_${l}`, v])), position: String(ty.position), active: ty.active ? 'yes' : '' };
}

/** A consultation type's form problems: name.ca → name_ca; a duplicate code says so. */
function typologyFieldErrors(t: T, fields: FieldProblem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const [head, lang] = f.path.split('.');
    if (head === 'code') out.code ??= t(f.code === 'taken' ? 'staff.typologies.code_taken' : 'staff.typologies.code_invalid');
    else if (head === 'name' && lang) out[`name_${lang}`] ??= t('staff.typologies.name_invalid');
    else if (head === 'position') out.position ??= t('staff.live_settings.number_range', { min: 0, max: 10000 });
    else out[head] ??= t('staff.procedures.invalid_field');
  }
  return out;
}

const fieldsOf = (e: unknown): FieldProblem[] | undefined => (isAppError(e) && Array.isArray(e.details?.fields) ? (e.details.fields as FieldProblem[]) : undefined);

/** Reads day1…day7 boxes into rows; the boxes that do not parse are returned as errors. */
export function readWeek(form: Form, t: (k: string) => string): { rows: WeeklyRow[]; errors: Record<string, string> } {
  const rows: WeeklyRow[] = [];
  const errors: Record<string, string> = {};
  for (const w of WEEKDAYS) {
    const parsed = parseDayHours(w, typeof form[`day${w}`] === 'string' ? (form[`day${w}`] as string) : '');
    if (parsed) rows.push(...parsed);
    else errors[`day${w}`] = t('staff.calendar.hours_invalid');
  }
  return { rows, errors };
}

export async function adminPages(app: FastifyInstance, ctx: AppContext) {
  app.register(async (r) => {
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
      await resolveStaff(ctx, req);
    });
    redirectUnauthenticatedToLogin(r);

    async function calendarPage(req: FastifyRequest, reply: FastifyReply, o: { form?: Form; errors?: Record<string, string>; notice?: string; status?: number } = {}) {
      const tenant = req.tenant!;
      const stored = await listOfficeHours(ctx.database.db, tenant.id);
      const rows = stored.map((x) => ({ weekday: x.weekday, startsAt: x.opensAt, endsAt: x.closesAt }));
      const hours = Object.fromEntries(WEEKDAYS.map((w) => [`day${w}`, typeof o.form?.[`day${w}`] === 'string' ? (o.form[`day${w}`] as string) : formatDayHours(rows, w)]));
      const holidays = await listHolidays(ctx.database.db, tenant.id, '1900-01-01');
      return sendHtml(reply, renderPage(h(CalendarPage, { ctx: pageCtx(req), hours, holidays, errors: o.errors, notice: o.notice })), o.status);
    }

    r.get('/:slug/staff/calendar', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      return calendarPage(req, reply, { notice: (req.query as Record<string, unknown>).saved === '1' ? translator(req.lang)('staff.procedures.saved') : undefined });
    });

    r.post('/:slug/staff/calendar/hours', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      checkCsrf(req);
      const form = (req.body ?? {}) as Form;
      const { rows, errors } = readWeek(form, translator(req.lang));
      if (Object.keys(errors).length) return calendarPage(req, reply, { form, errors, status: 422 });
      await replaceOfficeHours(ctx.database.db, req.tenant!.id, rows);
      ctx.calendars.invalidate(req.tenant!.id);
      return reply.redirect(`${tenantPath({ tenant: req.tenant! }, 'staff', 'calendar')}?saved=1`, 303);
    });

    r.post('/:slug/staff/calendar/holidays', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      checkCsrf(req);
      const form = (req.body ?? {}) as Form;
      const t = translator(req.lang);
      const name = Object.fromEntries(LANGUAGES.map((l) => [l, typeof form[`name_${l}`] === 'string' ? (form[`name_${l}`] as string).trim() : '']).filter(([, v]) => v));
      const input = holidayInput.safeParse({ day: form.day, name });
      if (!input.success || Object.keys(name).length === 0) {
        const errors: Record<string, string> = {};
        if (!z.iso.date().safeParse(form.day).success) errors.day = t('staff.calendar.date_invalid');
        if (Object.keys(name).length === 0) errors[`name_${req.tenant!.defaultLanguage}`] = t('staff.procedures.invalid_field');
        return calendarPage(req, reply, { errors, status: 422 });
      }
      try {
        await addHoliday(ctx.database.db, req.tenant!.id, input.data);
      } catch (e) {
        if (isAppError(e) && e.code === 'conflict') return calendarPage(req, reply, { errors: { day: t('staff.calendar.date_taken') }, status: 409 });
        throw e;
      }
      ctx.calendars.invalidate(req.tenant!.id);
      return reply.redirect(`${tenantPath({ tenant: req.tenant! }, 'staff', 'calendar')}?saved=1`, 303);
    });

    r.post('/:slug/staff/calendar/holidays/:day/delete', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      checkCsrf(req);
      const day = z.iso.date().safeParse((req.params as { day: string }).day);
      if (!day.success) throw new AppError('not_found');
      await deleteHoliday(ctx.database.db, req.tenant!.id, day.data);
      ctx.calendars.invalidate(req.tenant!.id);
      return reply.redirect(`${tenantPath({ tenant: req.tenant! }, 'staff', 'calendar')}?saved=1`, 303);
    });

    r.get('/:slug/staff/people', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      const tenant = req.tenant!;
      const [people, rows] = await Promise.all([listStaff(ctx.database.db, tenant.id), listSchedules(ctx.database.db, tenant.id)]);
      const t = translator(req.lang);
      const schedules = Object.fromEntries(
        people.map((p) => {
          const mine = rows.filter((x) => x.staffId === p.id);
          return [p.id, WEEKDAYS.filter((w) => mine.some((x) => x.weekday === w)).map((w) => `${t(`weekday_short.${w}`)} ${formatDayHours(mine, w)}`).join('; ')];
        }),
      );
      people.sort((a, b) => a.fullName.localeCompare(b.fullName));
      const notice = (req.query as Record<string, unknown>).saved === '1' ? t('staff.procedures.saved') : undefined;
      return sendHtml(reply, renderPage(h(PeoplePage, { ctx: pageCtx(req), people, schedules, notice })));
    });

    r.get('/:slug/staff/people/:id', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      const { id } = req.params as { id: string };
      const values: Form = { role: 'agent', active: 'yes', channels: ['video', 'phone', 'callback'] };
      if (id !== 'new') {
        if (!z.uuid().safeParse(id).success) throw new AppError('not_found');
        const person = await findStaffById(ctx.database.db, req.tenant!.id, id);
        if (!person) throw new AppError('not_found');
        const rows = (await listSchedules(ctx.database.db, req.tenant!.id)).filter((x) => x.staffId === id);
        Object.assign(values, { fullName: person.fullName, email: person.email, role: person.role, channels: person.channels, active: person.active ? 'yes' : '' });
        for (const w of WEEKDAYS) values[`day${w}`] = formatDayHours(rows, w);
      }
      return sendHtml(reply, renderPage(h(PersonFormPage, { ctx: pageCtx(req), staffId: id === 'new' ? undefined : id, values })));
    });

    r.post('/:slug/staff/people/:id', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      checkCsrf(req);
      const { id } = req.params as { id: string };
      if (id !== 'new' && !z.uuid().safeParse(id).success) throw new AppError('not_found');
      const form = (req.body ?? {}) as Form;
      const t = translator(req.lang);
      const { rows, errors } = readWeek(form, t);
      const str = (k: string) => (typeof form[k] === 'string' ? (form[k] as string).trim() : '');
      const channels = Array.isArray(form.channels) ? form.channels : form.channels ? [form.channels] : [];
      const rerender = (errs: Record<string, string>, status: number) =>
        sendHtml(reply, renderPage(h(PersonFormPage, { ctx: pageCtx(req), staffId: id === 'new' ? undefined : id, values: form, errors: errs })), status);
      if (Object.keys(errors).length) return rerender(errors, 422);
      try {
        await saveStaff({
          db: ctx.database.db,
          tenantId: req.tenant!.id,
          staffId: id === 'new' ? undefined : id,
          input: {
            fullName: str('fullName'),
            email: str('email'),
            role: str('role') as 'agent',
            channels: channels as Array<'video'>,
            schedule: rows,
            active: form.active === 'yes',
            password: id === 'new' ? (typeof form.password === 'string' ? form.password : '') : undefined,
          },
        });
      } catch (e) {
        if (!isAppError(e) || !e.details?.fields) throw e;
        const fields = e.details.fields as Array<{ path: string }>;
        const map: Record<string, string> = { fullName: 'fields.invalid.name', email: e.code === 'conflict' ? 'staff.people.email_taken' : 'fields.invalid.email', password: 'staff.people.password_hint' };
        return rerender(Object.fromEntries(fields.map((f) => [f.path.split('.')[0], t(map[f.path.split('.')[0]] ?? 'staff.procedures.invalid_field')])), e.status);
      }
      ctx.calendars.invalidate(req.tenant!.id);
      return reply.redirect(`${tenantPath({ tenant: req.tenant! }, 'staff', 'people')}?saved=1`, 303);
    });

    r.get('/:slug/staff/live-settings', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      const notice = (req.query as Record<string, unknown>).saved === '1' ? translator(req.lang)('staff.live_settings.saved') : undefined;
      return sendHtml(reply, renderPage(h(LiveSettingsPage, { ctx: pageCtx(req), values: liveToForm(viewLiveSettings(req.tenant!)), notice })));
    });

    r.post('/:slug/staff/live-settings', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      checkCsrf(req);
      const form = (req.body ?? {}) as Form;
      try {
        await saveLiveSettings({ db: ctx.database.db, tenantId: req.tenant!.id, input: formToLiveInput(form) });
      } catch (e) {
        const fields = fieldsOf(e);
        if (!fields) throw e;
        const errors = liveFieldErrors(translator(req.lang), fields);
        return sendHtml(reply, renderPage(h(LiveSettingsPage, { ctx: pageCtx(req), values: form, errors })), 422);
      }
      ctx.tenants.invalidate(req.tenant!.slug);
      return reply.redirect(`${tenantPath({ tenant: req.tenant! }, 'staff', 'live-settings')}?saved=1`, 303);
    });

    async function typologiesPage(req: FastifyRequest, reply: FastifyReply, o: { form?: Form; errors?: Record<string, string>; notice?: string; status?: number } = {}) {
      const typologies = await listTypologies(ctx.database.db, req.tenant!.id, { activeOnly: false });
      return sendHtml(reply, renderPage(h(TypologiesPage, { ctx: pageCtx(req), typologies, values: o.form ?? {}, errors: o.errors, notice: o.notice })), o.status);
    }
    const typologiesPath = (req: FastifyRequest) => `${tenantPath({ tenant: req.tenant! }, 'staff', 'typologies')}?saved=1`;
    const typologyIn = (form: Form, languages: readonly string[]) => Object.fromEntries(languages.map((l) => [l, text(form, `name_${l}`)]).filter(([, v]) => v));
    async function ownTypology(req: FastifyRequest): Promise<Typology> {
      const { id } = req.params as { id: string };
      const found = z.uuid().safeParse(id).success ? await findTypology(ctx.database.db, req.tenant!.id, id) : undefined;
      if (!found) throw new AppError('not_found');
      return found;
    }

    r.get('/:slug/staff/typologies', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      return typologiesPage(req, reply, { notice: (req.query as Record<string, unknown>).saved === '1' ? translator(req.lang)('staff.typologies.saved') : undefined });
    });

    r.post('/:slug/staff/typologies', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      checkCsrf(req);
      const form = (req.body ?? {}) as Form;
      try {
        await addTypology({
          db: ctx.database.db,
          tenant: req.tenant!,
          input: { code: text(form, 'code'), name: typologyIn(form, req.tenant!.languages), position: text(form, 'position') === '' ? undefined : whole(form, 'position') },
        });
      } catch (e) {
        const fields = fieldsOf(e);
        if (!fields) throw e;
        return typologiesPage(req, reply, { form, errors: typologyFieldErrors(translator(req.lang), fields), status: isAppError(e) && e.code === 'conflict' ? 409 : 422 });
      }
      return reply.redirect(typologiesPath(req), 303);
    });

    r.get('/:slug/staff/typologies/:id', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      const typology = await ownTypology(req);
      return sendHtml(reply, renderPage(h(TypologyFormPage, { ctx: pageCtx(req), typology, values: typologyToForm(typology) })));
    });

    r.post('/:slug/staff/typologies/:id', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      checkCsrf(req);
      const typology = await ownTypology(req);
      const form = (req.body ?? {}) as Form;
      try {
        await changeTypology({
          db: ctx.database.db,
          tenant: req.tenant!,
          typologyId: typology.id,
          input: { name: typologyIn(form, req.tenant!.languages), position: whole(form, 'position'), active: form.active === 'yes' },
        });
      } catch (e) {
        const fields = fieldsOf(e);
        if (!fields) throw e;
        const errors = typologyFieldErrors(translator(req.lang), fields);
        return sendHtml(reply, renderPage(h(TypologyFormPage, { ctx: pageCtx(req), typology, values: form, errors })), 422);
      }
      return reply.redirect(typologiesPath(req), 303);
    });

    r.post('/:slug/staff/typologies/:id/active', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      checkCsrf(req);
      const typology = await ownTypology(req);
      await setTypologyActive({ db: ctx.database.db, tenantId: req.tenant!.id, typologyId: typology.id, active: ((req.body ?? {}) as Form).active === 'yes' });
      return reply.redirect(typologiesPath(req), 303);
    });
  });
}
