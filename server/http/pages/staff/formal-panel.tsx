/**
 * The console's "Formal procedure" panel inside the attention in course: identity (ID captured from
 * the citizen's video, name, number, face), the request form (drawn by form-render.js and shown live
 * to the citizen), consent and filing. The server draws the frame and the labels; formal-agent.js
 * fills it. Its strings travel in a JSON block, like the console's own.
 */
import { ERROR_CODES } from '../../../../shared/errors.js';
import { loadCatalogue } from '../../../i18n/i18n.js';
import type { Language } from '../../../../shared/domain.js';
import type { PageCtx } from '../page-context.js';
import { scriptJson } from '../script-json.js';

const cache = new Map<Language, Record<string, unknown>>();
/** The `formal.*` strings of a language as in the catalogue (the browser fills `{{…}}`). */
export function formalStrings(lang: Language): Record<string, unknown> {
  let s = cache.get(lang);
  if (!s) cache.set(lang, (s = loadCatalogue(lang).formal as Record<string, unknown>));
  return s;
}

export function FormalPanel({ ctx }: { ctx: PageCtx }) {
  const { t, lang, tenant } = ctx;
  const config = {
    lang,
    timeZone: tenant.timeZone,
    strings: { formal: formalStrings(lang), errors: Object.fromEntries(ERROR_CODES.map((c) => [c, t(`errors.${c}`)])) },
  };
  return (
    <section id="formal-panel" class="formal" aria-labelledby="formal-title" hidden>
      <link rel="stylesheet" href="/assets/formal.css" />
      <h3 id="formal-title">{t('formal.agent.title')}</h3>
      <button type="button" id="formal-toggle" class="secondary" aria-expanded="false" aria-controls="formal-body">
        {t('formal.agent.open')}
      </button>
      <div id="formal-body" hidden>
        <p class="hint">{t('formal.agent.intro')}</p>
        <p id="formal-procedure"></p>
        <p id="formal-status" class="formal-status" role="status"></p>
        <div id="formal-error" class="error" role="alert"></div>
        <p id="formal-not-official" class="notice" hidden>
          {t('formal.agent.not_official')}
        </p>

        <section class="formal-step" aria-labelledby="formal-id-title">
          <h4 id="formal-id-title">{t('formal.agent.identity_title')}</h4>
          <p class="hint" id="formal-id-intro">
            {t('formal.agent.identity_intro')}
          </p>
          <div class="formal-captures" role="group" aria-labelledby="formal-id-intro" aria-describedby="formal-captures-error">
            {(['front', 'back'] as const).map((side) => (
              <div class="formal-capture">
                <button type="button" class="secondary" id={`formal-capture-${side}`} data-side={side}>
                  {t(`formal.agent.capture_${side}`)}
                </button>
                <img id={`formal-thumb-${side}`} class="formal-thumb" alt={t(`formal.agent.thumb_${side}`)} hidden />
              </div>
            ))}
          </div>
          <p id="formal-captures-error" class="error" hidden></p>
          <form id="formal-identity" novalidate>
            <div class="field">
              <label for="formal-full-name">{t('formal.agent.full_name')}</label>
              <p id="formal-full-name-error" class="error" hidden></p>
              <input type="text" id="formal-full-name" name="fullName" maxlength={200} autocomplete="off" aria-describedby="formal-full-name-error" />
            </div>
            <div class="field">
              <label for="formal-id-number">{t('formal.agent.id_number')}</label>
              <p class="hint" id="formal-id-number-hint">
                {t('formal.agent.id_number_hint')}
              </p>
              <p id="formal-id-number-error" class="error" hidden></p>
              <input type="text" id="formal-id-number" name="idNumber" maxlength={20} autocomplete="off" spellcheck={false} aria-describedby="formal-id-number-hint formal-id-number-error" />
            </div>
            <div class="field">
              <div class="choice">
                <input type="checkbox" id="formal-face" name="faceConfirmed" aria-describedby="formal-face-error" />
                <label for="formal-face">{t('formal.agent.face')}</label>
              </div>
              <p id="formal-face-error" class="error" hidden></p>
            </div>
            <button type="submit" id="formal-confirm-identity">
              {t('formal.agent.confirm_identity')}
            </button>
          </form>
          <p id="formal-identity-done" class="ok" tabindex={-1} hidden></p>
        </section>

        <section class="formal-step" aria-labelledby="formal-form-title">
          <h4 id="formal-form-title">{t('formal.agent.form_title')}</h4>
          <p class="hint">{t('formal.agent.form_intro')}</p>
          <p id="formal-no-schema" class="notice" hidden>
            {t('formal.agent.no_schema')}
          </p>
          <form id="formal-form" novalidate aria-labelledby="formal-form-title">
            <div id="formal-fields"></div>
          </form>
        </section>

        <section class="formal-step" aria-labelledby="formal-consent-title">
          <h4 id="formal-consent-title">{t('formal.agent.consent_title')}</h4>
          <p class="hint">{t('formal.agent.consent_intro')}</p>
          <button type="button" id="formal-ask" class="secondary">
            {t('formal.agent.ask_consent')}
          </button>
          <p id="formal-consent-state" role="status"></p>
        </section>

        <section class="formal-step" aria-labelledby="formal-file-title">
          <h4 id="formal-file-title">{t('formal.agent.file_title')}</h4>
          <button type="button" id="formal-file">
            {t('formal.agent.file')}
          </button>
          <p id="formal-filed" class="ok" tabindex={-1} hidden></p>
          <p id="formal-receipt-state"></p>
          <p>
            <a id="formal-receipt" download="" hidden></a>
          </p>
        </section>
      </div>
      <script type="application/json" id="formal-config" dangerouslySetInnerHTML={{ __html: scriptJson(config) }}></script>
      <script src="/assets/fin-client.js" defer></script>
      <script src="/assets/form-render.js" defer></script>
      <script src="/assets/formal-agent.js" defer></script>
    </section>
  );
}
