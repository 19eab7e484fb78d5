/** The people of the office: roles, channels and weekly schedules (admins). */
import { CHANNELS, ROLES } from '../../../../shared/domain.js';
import type { Staff } from '../../../modules/staff/staff.repository.js';
import { Choices, ErrorSummary, Select, TextField, type FieldErrors } from '../form-parts.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { WEEKDAYS } from './calendar.page.js';

export function PeoplePage({ ctx, people, schedules, notice }: { ctx: PageCtx; people: Staff[]; schedules: Record<string, string>; notice?: string }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('staff.people.title')} staffArea>
      <h1>{t('staff.people.title')}</h1>
      {notice ? (
        <p class="success" role="status">
          {notice}
        </p>
      ) : null}
      <p>
        <a class="button" href={tenantPath(ctx, 'staff', 'people', 'new')}>
          {t('staff.people.new')}
        </a>
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('fields.name')}</th>
            <th scope="col">{t('staff.people.role')}</th>
            <th scope="col">{t('home.channels')}</th>
            <th scope="col">{t('staff.people.schedule')}</th>
            <th scope="col">{t('staff.procedures.active')}</th>
          </tr>
        </thead>
        <tbody>
          {people.map((s) => (
            <tr>
              <td>
                <a href={tenantPath(ctx, 'staff', 'people', s.id)}>{s.fullName}</a>
                <br />
                {s.email}
              </td>
              <td>{t(`role.${s.role}`)}</td>
              <td>{s.channels.map((c) => t(`channel.${c}.name`)).join(', ')}</td>
              <td>{schedules[s.id] ?? ''}</td>
              <td>{s.active ? t('form.yes') : t('form.no')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

export function PersonFormPage(p: { ctx: PageCtx; staffId?: string; values: Record<string, string | string[] | undefined>; errors?: FieldErrors; message?: string }) {
  const { ctx, values } = p;
  const { t } = ctx;
  const v = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : '');
  const list = (k: string) => (Array.isArray(values[k]) ? (values[k] as string[]) : values[k] ? [values[k] as string] : []);
  const title = p.staffId ? t('staff.people.edit') : t('staff.people.new');
  return (
    <Layout ctx={ctx} title={title} staffArea>
      <h1>{title}</h1>
      <ErrorSummary ctx={ctx} errors={p.errors ?? {}} message={p.message} />
      <form method="post" action={tenantPath(ctx, 'staff', 'people', p.staffId ?? 'new')} novalidate>
        <input type="hidden" name="_csrf" value={ctx.csrf} />
        <TextField name="fullName" label={t('fields.name')} value={v('fullName')} errors={p.errors} required maxlength={120} autocomplete="off" />
        <TextField name="email" type="email" label={t('fields.email')} value={v('email')} errors={p.errors} required maxlength={254} autocomplete="off" />
        {p.staffId ? null : (
          <TextField name="password" type="password" label={t('staff.people.password')} hint={t('staff.people.password_hint')} errors={p.errors} required maxlength={200} autocomplete="new-password" />
        )}
        <Select name="role" label={t('staff.people.role')} value={v('role') || 'agent'} options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
        <Choices name="channels" type="checkbox" legend={t('home.channels')} options={CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}.name`), checked: list('channels').includes(c) }))} />
        <fieldset class="field">
          <legend>{t('staff.people.schedule')}</legend>
          <p class="hint">{t('staff.calendar.hours_hint')}</p>
          {WEEKDAYS.map((w) => (
            <TextField name={`day${w}`} label={t(`weekday.${w}`)} value={v(`day${w}`)} errors={p.errors} maxlength={100} />
          ))}
        </fieldset>
        <Choices name="active" type="checkbox" legend={t('staff.procedures.active')} options={[{ value: 'yes', label: t('staff.people.active_label'), checked: v('active') === 'yes' }]} />
        <div class="actions">
          <button type="submit">{t('form.save')}</button>
          <a href={tenantPath(ctx, 'staff', 'people')}>{t('form.back')}</a>
        </div>
      </form>
    </Layout>
  );
}
