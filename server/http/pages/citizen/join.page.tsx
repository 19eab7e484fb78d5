/** Entering with the reference and access code from the email. */
import type { Appointment } from '../../../modules/booking/booking.repository.js';
import type { Procedure } from '../../../modules/catalogue/catalogue.repository.js';
import { ErrorSummary, TextField, type FieldErrors } from '../form-parts.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { AppointmentSummary, DocumentChecklist } from './appointment-summary.js';

export function JoinPage(p: { ctx: PageCtx; reference?: string; errors?: FieldErrors; message?: string }) {
  const { ctx } = p;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('join.title')}>
      <h1>{t('join.title')}</h1>
      <p>{t('join.intro')}</p>
      <ErrorSummary ctx={ctx} errors={p.errors ?? {}} message={p.message} />
      <form method="post" action={tenantPath(ctx, 'join')} novalidate>
        <input type="hidden" name="lang" value={ctx.lang} />
        <TextField name="reference" label={t('booking.reference')} hint={t('join.reference_hint')} value={p.reference} errors={p.errors} required maxlength={10} autocomplete="off" />
        <TextField name="code" label={t('booking.access_code')} value="" errors={p.errors} required maxlength={12} inputmode="numeric" autocomplete="one-time-code" />
        <div class="actions">
          <button type="submit">{t('join.submit')}</button>
        </div>
      </form>
    </Layout>
  );
}

export function JoinedPage(p: { ctx: PageCtx; appointment: Appointment; procedure: Procedure; opensAt: Date | null }) {
  const { ctx, appointment: a } = p;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('join.found_title')}>
      <h1 tabindex={-1} data-focus>
        {t('join.found_title')}
      </h1>
      <AppointmentSummary ctx={ctx} reference={a.reference} procedure={p.procedure} channel={a.channel} startsAt={a.startsAt} status={a.status} />
      {a.status === 'booked' ? (
        <p class="notice">{a.kind === 'asap' ? t('booking.asap_next') : t('join.room_opens', { minutes: 10 })}</p>
      ) : null}
      {a.status === 'booked' ? <DocumentChecklist ctx={ctx} procedure={p.procedure} /> : null}
      <p>
        <a href={tenantPath(ctx)}>{t('booking.back_home')}</a>
      </p>
    </Layout>
  );
}
