/** Admin pages for the office calendar (hours, holidays) and the people who attend. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import { z } from 'zod';
import { LANGUAGES } from '../../../shared/domain.js';
import { AppError, isAppError } from '../../../shared/errors.js';
import { translator } from '../../i18n/i18n.js';
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
import { PeoplePage, PersonFormPage } from '../pages/staff/people.page.js';
import { resolveStaff, resolveTenant } from '../request-tenant.js';
import { checkCsrf, requireStaff } from '../staff-auth.js';

type Form = Record<string, string | string[] | undefined>;



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
  });
}
