/** From the email link: see the appointment, cancel it or move it until the cut-off. */
import type { ManagedAppointment } from '../../../modules/booking/manage-appointment.js';
import { formatAccessCode } from '../../../modules/booking/secrets.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { AppointmentSummary, DocumentChecklist } from './appointment-summary.js';

export function ManagePage(p: { ctx: PageCtx; managed: ManagedAppointment; token: string; notice?: string; newAccessCode?: string }) {
  const { ctx, managed } = p;
  const { t } = ctx;
  const a = managed.appointment;
  const hours = Math.round(ctx.tenant.settings.cancelCutoffMinutes / 60);
  return (
    <Layout ctx={ctx} title={t('manage.title')}>
      <h1>{t('manage.title')}</h1>
      {p.notice ? (
        <div class="success" role="status" tabindex={-1} data-focus>
          {p.notice}
        </div>
      ) : null}
      <AppointmentSummary ctx={ctx} reference={a.reference} procedure={managed.procedure} channel={a.channel} startsAt={a.startsAt} status={a.status} />
      {p.newAccessCode ? (
        <div class="code-box">
          <h2>{t('manage.new_access_code')}</h2>
          <p class="code">{formatAccessCode(p.newAccessCode)}</p>
        </div>
      ) : null}
      {a.status === 'booked' ? <DocumentChecklist ctx={ctx} procedure={managed.procedure} /> : null}
      {managed.canChange ? (
        <div class="actions">
          {a.kind === 'slot' ? (
            <a class="button" href={tenantPath(ctx, 'manage', p.token, 'reschedule')}>
              {t('manage.reschedule')}
            </a>
          ) : null}
          <a class="button danger" href={tenantPath(ctx, 'manage', p.token, 'cancel')}>
            {t('manage.cancel')}
          </a>
        </div>
      ) : a.status === 'booked' ? (
        <p class="notice">{t('manage.cutoff_passed', { count: hours })}</p>
      ) : (
        <p>
          <a class="button" href={tenantPath(ctx)}>
            {t('email.book_again')}
          </a>
        </p>
      )}
      {a.status === 'booked' && a.startsAt ? (
        <p>
          <a href={tenantPath(ctx, 'manage', p.token, 'calendar.ics')} download>
            {t('booking.add_to_calendar')}
          </a>
        </p>
      ) : null}
    </Layout>
  );
}

export function CancelConfirmPage({ ctx, managed, token }: { ctx: PageCtx; managed: ManagedAppointment; token: string }) {
  const { t } = ctx;
  const a = managed.appointment;
  return (
    <Layout ctx={ctx} title={t('manage.cancel_title')}>
      <h1>{t('manage.cancel_title')}</h1>
      <AppointmentSummary ctx={ctx} reference={a.reference} procedure={managed.procedure} channel={a.channel} startsAt={a.startsAt} />
      <p>{t('manage.cancel_question')}</p>
      <form method="post" action={tenantPath(ctx, 'manage', token, 'cancel')}>
        <input type="hidden" name="lang" value={ctx.lang} />
        <div class="actions">
          <button type="submit" class="danger">
            {t('manage.cancel_confirm')}
          </button>
          <a href={tenantPath(ctx, 'manage', token)}>{t('manage.keep')}</a>
        </div>
      </form>
    </Layout>
  );
}
