/**
 * The agent's Documents panel in the console: before the calls, the coming
 * appointments whose documents can be looked at; for one of them, or for the
 * attention in course, the required documents and every upload with preview,
 * download, accept, reject with a reason, reopen uploads, and handing a
 * document to the citizen. Drawn here with its labels; documents-agent.js
 * fills it (console.js says when a call starts and ends).
 */
import { ERROR_CODES } from '../../../../shared/errors.js';
import { documentsStrings } from '../citizen/documents-panel.js';
import type { PageCtx } from '../page-context.js';
import { scriptJson } from '../script-json.js';

export function DocumentsConsole({ ctx }: { ctx: PageCtx }) {
  const { t, lang, tenant } = ctx;
  const config = {
    lang,
    timeZone: tenant.timeZone,
    strings: { documents: documentsStrings(lang), errors: Object.fromEntries(ERROR_CODES.map((c) => [c, t(`errors.${c}`)])) },
  };
  return (
    <section id="documents-agent" class="documents-agent documents" aria-labelledby="documents-agent-title">
      <link rel="stylesheet" href="/assets/documents.css" />
      <script type="application/json" id="documents-agent-config" dangerouslySetInnerHTML={{ __html: scriptJson(config) }} />
      <h2 id="documents-agent-title">{t('documents.agent.title')}</h2>
      <div id="documents-agent-status" class="sr-only" role="status"></div>
      <div id="documents-agent-error" class="error" role="alert"></div>

      <div id="documents-agent-upcoming">
        <h3 id="documents-agent-upcoming-title" tabindex={-1}>{t('documents.agent.upcoming_title')}</h3>
        <ul id="documents-agent-upcoming-list" class="documents-list documents-upcoming" aria-labelledby="documents-agent-upcoming-title"></ul>
        <p id="documents-agent-upcoming-empty" class="hint" hidden>
          {t('documents.agent.upcoming_empty')}
        </p>
      </div>

      <div id="documents-agent-space" hidden>
        <h3 id="documents-agent-space-title" tabindex={-1}></h3>
        <p id="documents-agent-window" class="hint"></p>
        <h4 id="documents-agent-required-title">{t('documents.agent.required')}</h4>
        <ul id="documents-agent-required" class="documents-required" aria-labelledby="documents-agent-required-title"></ul>
        <h4 id="documents-agent-citizen-title">{t('documents.agent.from_citizen')}</h4>
        <ul id="documents-agent-citizen" class="documents-list" aria-labelledby="documents-agent-citizen-title"></ul>
        <p id="documents-agent-citizen-empty" class="hint">
          {t('documents.agent.empty')}
        </p>
        <h4 id="documents-agent-handouts-title">{t('documents.agent.to_citizen')}</h4>
        <ul id="documents-agent-handouts" class="documents-list" aria-labelledby="documents-agent-handouts-title"></ul>
        <div class="field">
          <label for="documents-agent-handout">{t('documents.agent.handout')}</label>
          <input type="file" id="documents-agent-handout" />
        </div>
        <div id="documents-agent-progress" class="documents-progress" hidden>
          <label for="documents-agent-progress-bar">{t('documents.progress_label')}</label>
          <progress id="documents-agent-progress-bar" max={100} value={0}></progress>
          <p id="documents-agent-progress-text" aria-live="polite"></p>
        </div>
        <div class="actions">
          <button type="button" class="secondary" id="documents-agent-reopen" hidden>
            {t('documents.agent.reopen')}
          </button>
          <button type="button" class="secondary" id="documents-agent-refresh">
            {t('documents.agent.refresh')}
          </button>
          <button type="button" class="secondary" id="documents-agent-back">
            {t('documents.agent.back')}
          </button>
        </div>
      </div>
      <script src="/assets/fin-client.js"></script>
      <script src="/assets/vendor/tus.min.js"></script>
      <script src="/assets/documents-agent.js"></script>
    </section>
  );
}
