/** Office hours per weekday and the holidays of the town hall (admins). */
import { formatDate } from '../../../i18n/format.js';
import { pickText, type LocalizedText } from '../../../../shared/domain.js';
import { TextField, type FieldErrors } from '../form-parts.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { StaffFormPage } from './staff-form-page.js';

export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

export function CalendarPage(p: {
  ctx: PageCtx;
  hours: Record<string, string>;
  holidays: Array<{ day: string; name: LocalizedText }>;
  errors?: FieldErrors;
  notice?: string;
}) {
  const { ctx } = p;
  const { t, tenant, lang } = ctx;
  return (
    <StaffFormPage ctx={ctx} title={t('staff.calendar.title')} notice={p.notice} errors={p.errors}>
      <h2>{t('staff.calendar.hours_title')}</h2>
      <form method="post" action={tenantPath(ctx, 'staff', 'calendar', 'hours')} novalidate>
        <input type="hidden" name="_csrf" value={ctx.csrf} />
        <p class="hint">{t('staff.calendar.hours_hint')}</p>
        {WEEKDAYS.map((w) => (
          <TextField name={`day${w}`} label={t(`weekday.${w}`)} value={p.hours[`day${w}`]} errors={p.errors} maxlength={100} />
        ))}
        <div class="actions">
          <button type="submit">{t('form.save')}</button>
        </div>
      </form>
      <h2>{t('staff.calendar.holidays_title')}</h2>
      {p.holidays.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('staff.calendar.date')}</th>
              <th scope="col">{t('staff.procedures.name')}</th>
              <th scope="col">
                <span class="sr-only">{t('staff.calendar.remove')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.holidays.map((h) => (
              <tr>
                <td>{formatDate(h.day, tenant.timeZone, lang)}</td>
                <td>{pickText(h.name, lang)}</td>
                <td>
                  <form method="post" action={tenantPath(ctx, 'staff', 'calendar', 'holidays', h.day, 'delete')}>
                    <input type="hidden" name="_csrf" value={ctx.csrf} />
                    <button type="submit" class="secondary" aria-label={`${t('staff.calendar.remove')}: ${formatDate(h.day, tenant.timeZone, lang)}`}>
                      {t('staff.calendar.remove')}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>{t('staff.calendar.no_holidays')}</p>
      )}
      <h3>{t('staff.calendar.add_holiday')}</h3>
      <form method="post" action={tenantPath(ctx, 'staff', 'calendar', 'holidays')} novalidate>
        <input type="hidden" name="_csrf" value={ctx.csrf} />
        <TextField name="day" type="date" label={t('staff.calendar.date')} errors={p.errors} required />
        {tenant.languages.map((l) => (
          <TextField name={`name_${l}`} label={t('staff.calendar.holiday_name', { language: l.toUpperCase() })} errors={p.errors} maxlength={200} lang={l} />
        ))}
        <div class="actions">
          <button type="submit">{t('staff.calendar.add_holiday')}</button>
        </div>
      </form>
    </StaffFormPage>
  );
}
