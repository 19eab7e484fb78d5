/** Step 3: who you are and how to reach you, accessibility needs, privacy notice. */
import { ACCESSIBILITY_NEEDS, type Channel } from '../../../../shared/domain.js';
import { formatDateTime } from '../../../i18n/format.js';
import type { Procedure } from '../../../modules/catalogue/catalogue.repository.js';
import { Choices, ErrorSummary, Select, TextField, type FieldErrors, PrivacyConsent } from '../form-parts.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { StepHeader } from './steps.js';

export type DetailsValues = {
  name?: string;
  email?: string;
  phone?: string;
  taxId?: string;
  language?: string;
  needs?: string[];
  interpreterLanguage?: string;
  privacyAccepted?: boolean;
  idempotencyKey: string;
};

const LANGUAGE_NAMES: Record<string, string> = { ca: 'Català', es: 'Español', en: 'English' };

export function DetailsPage(p: {
  ctx: PageCtx;
  procedure: Procedure;
  channel: Channel;
  start: string;
  values: DetailsValues;
  errors?: FieldErrors;
  message?: string;
}) {
  const { ctx, values } = p;
  const { t, tenant } = ctx;
  const errors = p.errors ?? {};
  const when = p.start === 'asap' ? t('booking.asap') : formatDateTime(Date.parse(p.start), tenant.timeZone, ctx.lang);
  const optional = (label: string) => `${label} ${t('form.optional')}`;
  return (
    <Layout ctx={ctx} title={t('booking.details_title')}>
      <StepHeader ctx={ctx} step={3} title={t('booking.details_title')} procedure={p.procedure} />
      <p>
        {t('booking.channel')}: <strong>{t(`channel.${p.channel}.name`)}</strong>
        <br />
        {t('booking.when')}: <strong>{when}</strong>
      </p>
      <ErrorSummary ctx={ctx} errors={errors} message={p.message} />
      <form method="post" action={tenantPath(ctx, 'book', p.procedure.code, 'details')} novalidate>
        <input type="hidden" name="channel" value={p.channel} />
        <input type="hidden" name="start" value={p.start} />
        <input type="hidden" name="idempotencyKey" value={values.idempotencyKey} />
        <input type="hidden" name="lang" value={ctx.lang} />
        <TextField name="name" label={t('fields.name')} value={values.name} errors={errors} required autocomplete="name" maxlength={120} />
        <p class="hint" id="contact-hint">
          {p.channel === 'phone' || p.channel === 'callback' ? t('fields.contact_hint_phone') : t('fields.contact_hint')}
        </p>
        <TextField name="email" type="email" label={t('fields.email')} value={values.email} errors={errors} autocomplete="email" inputmode="email" maxlength={254} />
        <TextField name="phone" type="tel" label={t('fields.phone')} value={values.phone} errors={errors} autocomplete="tel" inputmode="tel" maxlength={30} />
        <TextField name="taxId" label={optional(t('fields.tax_id'))} hint={t('fields.tax_id_hint')} value={values.taxId} errors={errors} maxlength={20} />
        <Select
          name="language"
          label={t('fields.language')}
          value={values.language ?? ctx.lang}
          errors={errors}
          options={tenant.languages.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] ?? l }))}
        />
        <Choices
          name="needs"
          type="checkbox"
          legend={optional(t('fields.accessibility'))}
          hint={t('fields.accessibility_hint')}
          options={ACCESSIBILITY_NEEDS.map((n) => ({ value: n, label: t(`accessibility.${n}`), checked: values.needs?.includes(n) }))}
        >
          <TextField name="interpreterLanguage" label={t('fields.interpreter_language')} value={values.interpreterLanguage} errors={errors} maxlength={60} />
        </Choices>
        <PrivacyConsent
          ctx={ctx}
          errors={errors}
          summary={t('privacy.summary')}
          text={t('privacy.text', { town: tenant.name })}
          accept={t('fields.privacy_accept')}
          checked={values.privacyAccepted}
        />
        <div class="actions">
          <button type="submit">{t('booking.confirm')}</button>
          <a href={tenantPath(ctx, 'book', p.procedure.code, 'slots') + `?channel=${p.channel}`}>{t('form.back')}</a>
        </div>
      </form>
    </Layout>
  );
}
