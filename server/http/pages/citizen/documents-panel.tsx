/**
 * The citizen's documents panel on the room page (usable from the join link
 * days before the call, and during it): the procedure's required documents
 * with the state of what was sent, "Choose a file" and "Take a photo" (the
 * phone's camera), a progress bar, what was sent with the agent's decision,
 * and the documents the town hall handed over. Drawn here with its labels;
 * documents-citizen.js lists, uploads (tus) and refreshes. Outside the call's
 * stages, so it stays on screen before, during and after the call.
 */
import type { Language } from '../../../../shared/domain.js';
import { ERROR_CODES } from '../../../../shared/errors.js';
import { loadCatalogue } from '../../../i18n/i18n.js';
import type { PageCtx } from '../page-context.js';
import { scriptJson } from '../script-json.js';

const cache = new Map<Language, Record<string, unknown>>();

/** The `documents.*` strings of a language, for the browser scripts. */
export function documentsStrings(lang: Language): Record<string, unknown> {
  let s = cache.get(lang);
  if (!s) cache.set(lang, (s = loadCatalogue(lang).documents as Record<string, unknown>));
  return s;
}

export function DocumentsPanel({ ctx, roomPath }: { ctx: PageCtx; roomPath: string }) {
  const { t, lang, tenant } = ctx;
  const config = {
    lang,
    timeZone: tenant.timeZone,
    list: `${roomPath}/documents`,
    uploads: `${roomPath}/uploads`,
    strings: { documents: documentsStrings(lang), errors: Object.fromEntries(ERROR_CODES.map((c) => [c, t(`errors.${c}`)])) },
  };
  return (
    <section id="documents" class="documents" aria-labelledby="documents-title">
      <link rel="stylesheet" href="/assets/documents.css" />
      <script type="application/json" id="documents-config" dangerouslySetInnerHTML={{ __html: scriptJson(config) }} />
      <h2 id="documents-title">{t('documents.title')}</h2>
      <p>{t('documents.intro')}</p>
      <p id="documents-window" class="notice" hidden></p>
      <div id="documents-status" class="sr-only" role="status"></div>
      <div id="documents-error" class="error" role="alert"></div>

      <h3 id="documents-required-title">{t('documents.required')}</h3>
      <ul id="documents-required" class="documents-required" aria-labelledby="documents-required-title"></ul>
      <p id="documents-none-required" class="hint" hidden>
        {t('documents.none_required')}
      </p>

      <div id="documents-upload" class="documents-upload" hidden>
        <div class="field">
          <label for="documents-requirement">{t('documents.for_requirement')}</label>
          <select id="documents-requirement"></select>
        </div>
        <p class="hint" id="documents-formats"></p>
        <div class="documents-pickers">
          <div class="field">
            <label for="documents-file" class="documents-pick">
              {t('documents.choose_file')}
            </label>
            <input type="file" id="documents-file" aria-describedby="documents-formats" />
          </div>
          <div class="field">
            <label for="documents-camera" class="documents-pick">
              {t('documents.take_photo')}
            </label>
            <input type="file" id="documents-camera" accept="image/*" capture="environment" aria-describedby="documents-formats" />
          </div>
        </div>
        <div id="documents-progress" class="documents-progress" hidden>
          <label for="documents-progress-bar">{t('documents.progress_label')}</label>
          <progress id="documents-progress-bar" max={100} value={0}></progress>
          <p id="documents-progress-text" aria-live="polite"></p>
        </div>
      </div>

      <h3 id="documents-mine-title">{t('documents.your_files')}</h3>
      <ul id="documents-mine" class="documents-list" aria-labelledby="documents-mine-title"></ul>
      <p id="documents-mine-empty" class="hint">
        {t('documents.no_files')}
      </p>

      <h3 id="documents-handouts-title">{t('documents.handouts')}</h3>
      <ul id="documents-handouts" class="documents-list" aria-labelledby="documents-handouts-title"></ul>
      <p id="documents-handouts-empty" class="hint">
        {t('documents.no_handouts')}
      </p>
      <script src="/assets/fin-client.js"></script>
      <script src="/assets/vendor/tus.min.js"></script>
      <script src="/assets/documents-citizen.js"></script>
    </section>
  );
}
