/**
 * The citizen's side of the formal procedure in the call room: the request form as the agent fills
 * it (read-only, live), the consent dialog (consent text, the form, "I consent", an optional one-time
 * code) and, once filed, the register number with the sealed receipt to download. Drawn here with
 * every label; formal-citizen.js shows each part when its time comes. Outside the call stage, so
 * that the receipt stays on screen after the call ends.
 */
import { ERROR_CODES } from '../../../../shared/errors.js';
import type { PageCtx } from '../page-context.js';
import { scriptJson } from '../script-json.js';
import { formalStrings } from '../staff/formal-panel.js';

export function FormalPanel({ ctx, roomPath }: { ctx: PageCtx; roomPath: string }) {
  const { t, lang, tenant } = ctx;
  const all = formalStrings(lang);
  const config = {
    lang,
    timeZone: tenant.timeZone,
    room: roomPath,
    // the citizen's page needs neither the agent's strings nor every error text
    strings: { formal: { citizen: all.citizen, form: all.form }, errors: Object.fromEntries(ERROR_CODES.map((c) => [c, t(`errors.${c}`)])) },
  };
  return (
    <div id="formal-citizen" class="formal formal-citizen">
      <link rel="stylesheet" href="/assets/formal.css" />
      <div id="formal-announcer" class="sr-only" role="status"></div>

      <section id="formal-view" class="formal-box" aria-labelledby="formal-view-title" hidden>
        <h2 id="formal-view-title">{t('formal.citizen.form_title')}</h2>
        <p class="hint">{t('formal.citizen.form_intro')}</p>
        <div id="formal-view-form"></div>
      </section>

      <div id="formal-consent-pending" class="notice" hidden>
        <p>{t('formal.citizen.consent_pending')}</p>
        <button type="button" id="formal-consent-reopen">
          {t('formal.citizen.consent_reopen')}
        </button>
      </div>
      <p id="formal-consent-done" class="ok" hidden>
        {t('formal.citizen.consent_done')}
      </p>

      <section id="formal-filed" class="formal-box success" aria-labelledby="formal-filed-title" hidden>
        <h2 id="formal-filed-title" tabindex={-1}>
          {t('formal.citizen.filed_title')}
        </h2>
        <p id="formal-filed-text"></p>
        <p id="formal-receipt-status" role="status"></p>
        <p>
          <a id="formal-receipt" class="button" hidden>
            {t('formal.citizen.receipt_download')}
          </a>
        </p>
        <p class="hint">{t('formal.citizen.receipt_hint')}</p>
      </section>

      <dialog id="formal-consent" class="consent-dialog formal-dialog" aria-labelledby="formal-consent-title" aria-describedby="formal-consent-text">
        <h2 id="formal-consent-title" tabindex={-1}>
          {t('formal.citizen.consent_title')}
        </h2>
        <p id="formal-consent-text"></p>
        <h3 id="formal-consent-form-title">{t('formal.citizen.consent_form')}</h3>
        <div id="formal-consent-form"></div>
        <div id="formal-consent-error" class="error" role="alert"></div>
        <p id="formal-consent-status" role="status"></p>
        <div class="actions" id="formal-consent-actions">
          <button type="button" id="formal-consent-yes">
            {t('formal.citizen.consent_yes')}
          </button>
          <button type="button" class="secondary" id="formal-consent-later">
            {t('formal.citizen.consent_later')}
          </button>
        </div>
        <form id="formal-otp" novalidate hidden>
          <div class="field">
            <label for="formal-otp-code">{t('formal.citizen.otp_label')}</label>
            <p class="hint" id="formal-otp-hint">
              {t('formal.citizen.otp_hint')}
            </p>
            <p class="error" id="formal-otp-error" hidden></p>
            <input type="text" id="formal-otp-code" inputmode="numeric" autocomplete="one-time-code" maxlength={12} aria-describedby="formal-otp-hint formal-otp-error" />
          </div>
          <button type="submit">{t('formal.citizen.otp_submit')}</button>
        </form>
      </dialog>

      <script type="application/json" id="formal-config" dangerouslySetInnerHTML={{ __html: scriptJson(config) }}></script>
      <script src="/assets/fin-client.js" defer></script>
      <script src="/assets/form-render.js" defer></script>
      <script src="/assets/formal-citizen.js" defer></script>
    </div>
  );
}
