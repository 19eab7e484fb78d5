/**
 * The case-management connection (admins): the webhook address, the signing
 * secret and the pull API token — a new secret or token is shown once, on the
 * page that generated it, and never again — and the formal procedure's
 * settings (upload deadline, consent code, personal-data retention).
 */
import type { FormalSettings } from '../../../db/schema.js';
import type { IntegrationView } from '../../../modules/handoff/integration-settings.js';
import { WEBHOOK_URL_MAX } from '../../../modules/handoff/integration-settings.js';
import { Choices, TextField, type FieldErrors } from '../form-parts.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { StaffFormPage } from './staff-form-page.js';

export function IntegrationPage(p: {
  ctx: PageCtx;
  integration: IntegrationView;
  formal: FormalSettings;
  pullBase: string;
  webhookUrl?: string;
  /** The formal settings as typed, shown again with their errors. */
  formalValues?: Record<string, string>;
  /** A secret or token just generated, shown this once. */
  revealed?: { kind: 'secret' | 'token'; value: string };
  errors?: FieldErrors;
  notice?: string;
}) {
  const { ctx } = p;
  const { t } = ctx;
  const action = tenantPath(ctx, 'staff', 'integration');
  const formal = (k: keyof FormalSettings) => p.formalValues?.[k] ?? String(p.formal[k]);
  const hidden = (name: string) => (
    <>
      <input type="hidden" name="_csrf" value={ctx.csrf} />
      <input type="hidden" name="action" value={name} />
    </>
  );
  return (
    <StaffFormPage ctx={ctx} title={t('handoff.integration.title')} notice={p.notice} errors={p.errors}>
      <p>{t('handoff.integration.intro')}</p>
      {p.revealed ? (
        <section aria-labelledby="revealed-title" class="notice">
          <h2 id="revealed-title" tabindex={-1} data-focus>
            {t('handoff.integration.shown_once_title')}
          </h2>
          <p>{t('handoff.integration.shown_once')}</p>
          <p>
            <label for="revealed-value">{t(p.revealed.kind === 'secret' ? 'handoff.integration.new_secret_value' : 'handoff.integration.new_token_value')}</label>
            <input id="revealed-value" type="text" readOnly value={p.revealed.value} autocomplete="off" spellcheck={false} size={60} />
          </p>
        </section>
      ) : null}
      <section aria-labelledby="webhook-title">
        <h2 id="webhook-title">{t('handoff.integration.webhook_title')}</h2>
        <form method="post" action={action} novalidate>
          {hidden('save_url')}
          <TextField
            name="webhookUrl"
            label={t('handoff.integration.webhook_url')}
            hint={t('handoff.integration.webhook_url_hint')}
            value={p.webhookUrl ?? p.integration.webhookUrl ?? ''}
            errors={p.errors}
            maxlength={WEBHOOK_URL_MAX}
            autocomplete="off"
            inputmode="text"
          />
          <div class="actions">
            <button type="submit">{t('handoff.integration.save_url')}</button>
          </div>
        </form>
      </section>
      <section aria-labelledby="secret-title">
        <h2 id="secret-title">{t('handoff.integration.secret_title')}</h2>
        <p>{t('handoff.integration.secret_intro')}</p>
        <p>{t(p.integration.webhookSecretSet ? 'handoff.integration.secret_set' : 'handoff.integration.secret_unset')}</p>
        <form method="post" action={action}>
          {hidden('new_secret')}
          <p class="hint" id="secret-replaces">
            {p.integration.webhookSecretSet ? t('handoff.integration.replaces') : null}
          </p>
          <button type="submit" class="secondary" aria-describedby={p.integration.webhookSecretSet ? 'secret-replaces' : undefined}>
            {t('handoff.integration.new_secret')}
          </button>
        </form>
      </section>
      <section aria-labelledby="pull-title">
        <h2 id="pull-title">{t('handoff.integration.pull_title')}</h2>
        <p>{t('handoff.integration.pull_intro')}</p>
        <p>
          {t('handoff.integration.pull_base')}: <code>{p.pullBase}</code>
        </p>
        <p>{t(p.integration.pullTokenSet ? 'handoff.integration.token_set' : 'handoff.integration.token_unset')}</p>
        <form method="post" action={action}>
          {hidden('new_token')}
          <p class="hint" id="token-replaces">
            {p.integration.pullTokenSet ? t('handoff.integration.replaces') : null}
          </p>
          <button type="submit" class="secondary" aria-describedby={p.integration.pullTokenSet ? 'token-replaces' : undefined}>
            {t('handoff.integration.new_token')}
          </button>
        </form>
      </section>
      <section aria-labelledby="formal-title">
        <h2 id="formal-title">{t('handoff.formal.title')}</h2>
        <form method="post" action={action} novalidate>
          {hidden('save_formal')}
          <fieldset>
            <legend>{t('handoff.formal.legend')}</legend>
            <TextField
              name="uploadDeadlineHours"
              type="number"
              inputmode="numeric"
              min={0}
              max={720}
              label={t('handoff.formal.upload_deadline')}
              hint={t('handoff.formal.upload_deadline_hint')}
              value={formal('uploadDeadlineHours')}
              errors={p.errors}
            />
            <Choices
              name="consentOtp"
              type="radio"
              legend={t('handoff.formal.consent_otp')}
              options={(['off', 'email'] as const).map((v) => ({ value: v, label: t(`handoff.formal.consent_otp_${v}`), checked: formal('consentOtp') === v }))}
              errors={p.errors}
            />
            <TextField
              name="personalDataRetentionDays"
              type="number"
              inputmode="numeric"
              min={1}
              max={3650}
              label={t('handoff.formal.retention_days')}
              hint={t('handoff.formal.retention_days_hint')}
              value={formal('personalDataRetentionDays')}
              errors={p.errors}
            />
          </fieldset>
          <div class="actions">
            <button type="submit">{t('handoff.formal.save')}</button>
          </div>
        </form>
      </section>
    </StaffFormPage>
  );
}
