/** The agent's agenda: today and upcoming appointments, filterable. */
import { APPOINTMENT_STATES, CHANNELS, pickText, type LocalizedText } from '../../../../shared/domain.js';
import { formatDate, formatTime } from '../../../i18n/format.js';
import type { Procedure } from '../../../modules/catalogue/catalogue.repository.js';
import { Select } from '../form-parts.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';

export type AgendaRow = {
  reference: string;
  startsAt: Date | null;
  kind: string;
  channel: string;
  status: string;
  citizenName: string;
  email: string | null;
  phone: string | null;
  language: string;
  accessibility: { needs: string[]; interpreterLanguage?: string };
  procedureName: LocalizedText;
  agentName: string | null;
};

export type AgendaQuery = { period: string; procedure?: string; channel?: string; status?: string };

export function AgendaPage({ ctx, rows, procedures, query }: { ctx: PageCtx; rows: AgendaRow[]; procedures: Procedure[]; query: AgendaQuery }) {
  const { t, lang, tenant } = ctx;
  const all = { value: '', label: t('staff.agenda.all') };
  let lastDay = '';
  return (
    <Layout ctx={ctx} title={t('staff.agenda.title')} staffArea scripts={['/assets/agenda-live.js']}>
      <h1>{t('staff.agenda.title')}</h1>
      <div id="agenda-live" role="status" aria-live="polite" data-ws={tenantPath(ctx, 'staff', 'live')} data-changed={t('staff.agenda.changed')} data-reload={t('staff.agenda.reload')}></div>
      <form method="get" action={tenantPath(ctx, 'staff')} class="filters" aria-label={t('staff.agenda.filters')}>
        <Select
          name="period"
          label={t('staff.agenda.period')}
          value={query.period}
          options={['today', 'week', 'month'].map((p) => ({ value: p, label: t(`staff.agenda.period_${p}`) }))}
        />
        <Select name="procedure" label={t('booking.procedure')} value={query.procedure ?? ''} options={[all, ...procedures.map((p) => ({ value: p.id, label: pickText(p.name, lang) }))]} />
        <Select name="channel" label={t('booking.channel')} value={query.channel ?? ''} options={[all, ...CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}.name`) }))]} />
        <Select name="status" label={t('booking.status')} value={query.status ?? ''} options={[all, ...APPOINTMENT_STATES.map((s) => ({ value: s, label: t(`status.${s}`) }))]} />
        <button type="submit">{t('staff.agenda.apply')}</button>
      </form>
      <p role="status">{t('staff.agenda.count', { count: rows.length })}</p>
      {rows.length ? (
        <table class="agenda">
          <caption class="sr-only">{t('staff.agenda.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('staff.agenda.time')}</th>
              <th scope="col">{t('booking.reference')}</th>
              <th scope="col">{t('booking.procedure')}</th>
              <th scope="col">{t('booking.channel')}</th>
              <th scope="col">{t('staff.agenda.citizen')}</th>
              <th scope="col">{t('staff.agenda.needs')}</th>
              <th scope="col">{t('staff.agenda.agent')}</th>
              <th scope="col">{t('booking.status')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.flatMap((r) => {
              const day = r.startsAt ? formatDate(r.startsAt, tenant.timeZone, lang) : t('booking.asap');
              const header =
                day !== lastDay ? (
                  <tr class="day">
                    <th scope="rowgroup" colSpan={8}>
                      {day}
                    </th>
                  </tr>
                ) : null;
              lastDay = day;
              return [
                header,
                <tr>
                  <td>{r.startsAt ? formatTime(r.startsAt, tenant.timeZone, lang) : '—'}</td>
                  <td class="reference">{r.reference}</td>
                  <td>{pickText(r.procedureName, lang)}</td>
                  <td>{t(`channel.${r.channel}.name`)}</td>
                  <td>
                    {r.citizenName}
                    <br />
                    {r.phone ? <a href={`tel:${r.phone}`}>{r.phone}</a> : null} {r.email ?? ''} <span lang={r.language}>({r.language})</span>
                  </td>
                  <td>
                    {r.accessibility.needs.map((n) => t(`accessibility.${n}`)).join(', ')}
                    {r.accessibility.interpreterLanguage ? `: ${r.accessibility.interpreterLanguage}` : ''}
                  </td>
                  <td>{r.agentName ?? '—'}</td>
                  <td>{t(`status.${r.status}`)}</td>
                </tr>,
              ];
            })}
          </tbody>
        </table>
      ) : (
        <p>{t('staff.agenda.empty')}</p>
      )}
    </Layout>
  );
}
