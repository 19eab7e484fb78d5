/**
 * The virtual queue: be attended now, without an appointment. A plain form
 * (works without JavaScript) with every problem listed at once; when the town
 * hall has closed the queue, it says so and offers to book instead.
 */
import { pickText } from '../../../../shared/domain.js';
import type { Procedure } from '../../../modules/catalogue/catalogue.repository.js';
import { PRIORITY_REASONS } from '../../../modules/attention/live-settings.js';
import { Choices, ErrorSummary, Select, TextField, type FieldErrors, PrivacyConsent } from '../form-parts.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';

/** What the citizen typed, kept when the form comes back with errors. */
export type QueueValues = {
  procedure?: string;
  channel?: string;
  name?: string;
  email?: string;
  phone?: string;
  priority?: string[];
  privacyAccepted?: boolean;
};

/** The queue form. */
export function QueuePage(p: { ctx: PageCtx; procedures: Procedure[]; values?: QueueValues; errors?: FieldErrors; message?: string }) {
  const { ctx } = p;
  const { t, tenant, lang } = ctx;
  const values = p.values ?? {};
  const errors = p.errors ?? {};
  return (
    <Layout ctx={ctx} title={t('queue.title')}>
      <h1>{t('queue.title')}</h1>
      <p class="lead">{t('queue.intro')}</p>
      <ErrorSummary ctx={ctx} errors={errors} message={p.message} />
      {p.procedures.length === 0 ? (
        <p class="notice">{t('queue.no_procedures')}</p>
      ) : (
        <form method="post" action={tenantPath(ctx, 'queue')} novalidate>
          <input type="hidden" name="lang" value={lang} />
          <Select
            name="procedure"
            label={t('queue.procedure')}
            value={values.procedure ?? ''}
            errors={errors}
            options={[{ value: '', label: t('queue.choose_procedure') }, ...p.procedures.map((pr) => ({ value: pr.code, label: pickText(pr.name, lang) }))]}
          />
          <Choices
            name="channel"
            type="radio"
            required
            legend={t('queue.channel_legend')}
            errors={errors}
            options={(['video', 'callback'] as const).map((c, i) => ({
              value: c,
              label: t(`channel.${c}.name`),
              hint: t(`queue.channel_${c}_hint`),
              checked: values.channel ? values.channel === c : i === 0,
            }))}
          />
          <TextField name="name" label={t('fields.name')} value={values.name} errors={errors} required autocomplete="name" maxlength={120} />
          <p class="hint" id="contact-hint">
            {t('queue.contact_hint')}
          </p>
          <TextField name="email" type="email" label={t('fields.email')} value={values.email} errors={errors} autocomplete="email" inputmode="email" maxlength={254} />
          <TextField name="phone" type="tel" label={t('fields.phone')} value={values.phone} errors={errors} autocomplete="tel" inputmode="tel" maxlength={30} />
          <Choices
            name="priority"
            type="checkbox"
            legend={t('queue.priority_legend')}
            hint={t('queue.priority_hint')}
            errors={errors}
            options={PRIORITY_REASONS.map((r) => ({ value: r, label: t(`queue.priority.${r}`), checked: values.priority?.includes(r) }))}
          />
          <PrivacyConsent
            ctx={ctx}
            errors={errors}
            summary={t('queue.privacy_summary')}
            text={t('queue.privacy_text', { town: tenant.name })}
            accept={t('queue.privacy_accept')}
            checked={values.privacyAccepted}
          />
          <div class="actions">
            <button type="submit">{t('queue.submit')}</button>
            <a href={tenantPath(ctx)}>{t('form.back')}</a>
          </div>
        </form>
      )}
    </Layout>
  );
}

/** The town hall has closed its queue for now. */
export function QueueClosedPage({ ctx }: { ctx: PageCtx }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('queue.closed_title')}>
      <h1>{t('queue.closed_title')}</h1>
      <p class="notice">{t('errors.queue_closed')}</p>
      <p class="actions">
        <a class="button" href={tenantPath(ctx)}>
          {t('queue.book_instead')}
        </a>
      </p>
    </Layout>
  );
}
