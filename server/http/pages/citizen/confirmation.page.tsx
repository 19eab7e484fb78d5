/** Step 4: booked. Reference and access code to keep, what happens next, links to manage. */
import type { BookingResult } from '../../../modules/booking/book-appointment.js';
import { formatAccessCode } from '../../../modules/booking/secrets.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { AppointmentSummary, DocumentChecklist } from './appointment-summary.js';

export function ConfirmationPage({ ctx, result, email }: { ctx: PageCtx; result: BookingResult; email: string | null }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('booking.confirmed_title')}>
      <p class="step">{t('booking.step', { step: 4, total: 4 })}</p>
      <div class="success" role="status">
        <h1 tabindex={-1} data-focus>
          {t('booking.confirmed_title')}
        </h1>
        <p>{email ? t('booking.confirmed_email', { email }) : t('booking.confirmed_no_email')}</p>
      </div>
      <AppointmentSummary ctx={ctx} reference={result.reference} procedure={result.procedure} channel={result.channel} startsAt={result.startsAt} />
      {result.accessCode ? (
        <div class="code-box">
          <h2>{t('booking.access_code')}</h2>
          <p class="code">{formatAccessCode(result.accessCode)}</p>
          <p>{t('booking.access_code_hint')}</p>
        </div>
      ) : (
        <p class="notice">{t('booking.replayed')}</p>
      )}
      <h2>{t('booking.next_title')}</h2>
      <p>{result.kind === 'asap' ? t('booking.asap_next') : t(`email.how.${result.channel}`, { address: ctx.tenant.address ?? ctx.tenant.name })}</p>
      <DocumentChecklist ctx={ctx} procedure={result.procedure} />
      {result.manageToken ? (
        <p class="actions">
          {result.startsAt ? (
            <a class="button secondary" href={tenantPath(ctx, 'manage', result.manageToken, 'calendar.ics')} download>
              {t('booking.add_to_calendar')}
            </a>
          ) : null}
          <a href={tenantPath(ctx, 'manage', result.manageToken)}>{t('booking.manage_link')}</a>
        </p>
      ) : null}
      <p>
        <a href={tenantPath(ctx)}>{t('booking.back_home')}</a>
      </p>
    </Layout>
  );
}
