/** Step 2: choose a day, then a time (or "as soon as possible" for call-me-back). Also used to reschedule. */
import type { Channel } from '../../../../shared/domain.js';
import { formatDate, formatShortDate } from '../../../i18n/format.js';
import type { Procedure } from '../../../modules/catalogue/catalogue.repository.js';
import type { FreeSlot } from '../../../modules/scheduling/slot-rules.js';
import { Choices } from '../form-parts.js';
import { Layout } from '../layout.js';
import type { PageCtx } from '../page-context.js';
import { StepHeader } from './steps.js';

export type SlotsPageProps = {
  ctx: PageCtx;
  procedure: Procedure;
  channel: Channel;
  slots: FreeSlot[];
  selectedDay?: string;
  /** Link to the same page for another day. */
  dayHref: (day: string) => string;
  form: { method: 'get' | 'post'; action: string; hidden: Record<string, string> };
  allowAsap: boolean;
  /** An alert to show first, e.g. "that time was just taken". */
  notice?: string;
  title?: string;
  backHref: string;
};

export function SlotsPage(p: SlotsPageProps) {
  const { ctx } = p;
  const { t, lang, tenant } = ctx;
  const days = [...new Set(p.slots.map((s) => s.day))];
  const day = p.selectedDay && days.includes(p.selectedDay) ? p.selectedDay : days[0];
  const times = p.slots.filter((s) => s.day === day);
  const title = p.title ?? t('booking.slots_title');
  const options = [
    ...(p.allowAsap ? [{ value: 'asap', label: t('booking.asap'), hint: t('booking.asap_hint') }] : []),
    ...times.map((s) => ({ value: new Date(s.start).toISOString(), label: s.time })),
  ].map((o, i) => ({ ...o, checked: i === 0 }));
  return (
    <Layout ctx={ctx} title={title}>
      <StepHeader ctx={ctx} step={2} title={title} procedure={p.procedure} />
      <p>
        {t('booking.channel')}: <strong>{t(`channel.${p.channel}.name`)}</strong>
      </p>
      {p.notice ? (
        <div class="notice" role="alert" tabindex={-1} data-focus>
          {p.notice}
        </div>
      ) : null}
      {days.length === 0 && !p.allowAsap ? (
        <p class="notice">{t('booking.no_slots', { days: p.procedure.horizonDays })}</p>
      ) : null}
      {days.length > 0 ? (
        <nav aria-labelledby="days-heading" class="days">
          <h2 id="days-heading">{t('booking.days_heading')}</h2>
          <ul>
            {days.map((d) => (
              <li>
                <a href={p.dayHref(d)} aria-current={d === day ? 'date' : undefined}>
                  {formatShortDate(d, tenant.timeZone, lang)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      {options.length > 0 ? (
        <form method={p.form.method} action={p.form.action}>
          {Object.entries(p.form.hidden).map(([k, v]) => (
            <input type="hidden" name={k} value={v} />
          ))}
          <Choices
            name="start"
            type="radio"
            required
            legend={day ? t('booking.times_legend', { day: formatDate(day, tenant.timeZone, lang) }) : t('booking.when')}
            hint={t('booking.time_zone_hint', { zone: tenant.timeZone })}
            options={options}
            variant="grid"
          />
          <div class="actions">
            <button type="submit">{t('form.continue')}</button>
            <a href={p.backHref}>{t('form.back')}</a>
          </div>
        </form>
      ) : (
        <p>
          <a href={p.backHref}>{t('form.back')}</a>
        </p>
      )}
    </Layout>
  );
}
