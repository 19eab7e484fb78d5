/**
 * The agent console: presence, colleagues, the live queue, today's agenda and
 * the attention in course. The server draws the frame with every label; the
 * script `console.js` fills it and keeps it live (no inline script: its
 * configuration travels in a JSON block that the browser never executes).
 */
import { ATTENTION_OUTCOMES, CALL_OUTCOMES, type PresenceState } from '../../../db/schema.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { scriptJson } from '../script-json.js';
import { FormalPanel } from './formal-panel.js';
import { DocumentsConsole } from './documents-console.js';

/** What the browser script needs: where to talk to, the CSRF token, and its strings. */
export type ConsoleConfig = {
  lang: string;
  timeZone: string;
  api: string;
  staffSocket: string;
  /** The agent's room socket, with `{id}` for the attention. */
  roomSocket: string;
  csrf: string;
  meId: string;
  /** Failed calls after which a phone or call-back attention ends not reached. */
  maxCallAttempts: number;
  languageNames: Record<string, string>;
  strings: Record<string, unknown>;
};

const SETTABLE = ['available', 'pause', 'offline'] as const;

export function ConsolePage({
  ctx,
  config,
  myState,
  agendaCount,
  typologies,
}: {
  ctx: PageCtx;
  config: ConsoleConfig;
  myState: PresenceState;
  agendaCount: number;
  typologies: Array<{ id: string; name: string }>;
}) {
  const { t } = ctx;
  const busy = myState === 'busy';
  return (
    <Layout
      ctx={ctx}
      title={t('console.title')}
      staffArea
      styles={['/assets/console.css']}
      scripts={['/assets/call.js', '/assets/recorder.js', '/assets/console.js']}
    >
      <h1>{t('console.title')}</h1>
      <noscript>
        <p class="notice">{t('console.noscript')}</p>
      </noscript>
      <p id="console-live" class="live-lost" role="status"></p>
      <div id="queue-alert" class="queue-alert" role="alert"></div>
      <div class="console" id="console">
        <div class="console-side">
          <section aria-labelledby="presence-title" class="panel">
            <h2 id="presence-title">{t('console.presence_title')}</h2>
            <select id="presence" aria-labelledby="presence-title" aria-describedby="presence-hint" disabled={busy}>
              {busy ? (
                <option value="busy" selected>
                  {t('console.presence.busy')}
                </option>
              ) : null}
              {SETTABLE.map((s) => (
                <option value={s} selected={s === myState}>
                  {t(`console.presence.${s}`)}
                </option>
              ))}
            </select>
            <p class="hint" id="presence-hint">
              {t('console.presence_hint')}
            </p>
            <p id="my-state" class={`state state-${myState}`}>
              {t('console.my_state', { state: t(`console.presence.${myState}`) })}
            </p>
          </section>
          <section aria-labelledby="colleagues-title" class="panel">
            <h2 id="colleagues-title">{t('console.colleagues')}</h2>
            <ul id="colleagues" class="colleagues"></ul>
            <p id="colleagues-empty" class="hint" hidden>
              {t('console.no_colleagues')}
            </p>
          </section>
          <section aria-labelledby="agenda-title" class="panel">
            <h2 id="agenda-title">{t('console.agenda_title')}</h2>
            <p>{t('staff.agenda.count', { count: agendaCount })}</p>
            <p>
              <a href={tenantPath(ctx, 'staff')}>{t('console.agenda_link')}</a>
            </p>
          </section>
        </div>

        <div class="console-main">
          <section id="queue-section" aria-labelledby="queue-title">
            <h2 id="queue-title" tabindex={-1}>
              {t('console.queue_title')}
            </h2>
            <p id="queue-notice" role="status"></p>
            <div class="queue-head">
              <p id="queue-count"></p>
              <button type="button" id="take-next">
                {t('console.take_next')}
              </button>
            </div>
            <div id="queue-error" class="error" role="alert"></div>
            <div class="table-wrap">
              <table id="queue-table" class="queue" hidden>
                <caption class="sr-only">{t('console.queue_title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('console.col_citizen')}</th>
                    <th scope="col">{t('console.col_channel')}</th>
                    <th scope="col">{t('console.col_procedure')}</th>
                    <th scope="col">{t('console.col_waiting')}</th>
                    <th scope="col">{t('console.col_priority')}</th>
                    <th scope="col">{t('console.col_needs')}</th>
                    <th scope="col">{t('console.col_appointment')}</th>
                    <th scope="col">{t('console.col_assigned')}</th>
                    <th scope="col">{t('console.col_action')}</th>
                  </tr>
                </thead>
                <tbody id="queue-rows"></tbody>
              </table>
            </div>
            <p id="queue-empty" class="hint" hidden>
              {t('console.queue_empty')}
            </p>
            <h3 id="in-course-title">{t('console.in_course_title')}</h3>
            <ul id="in-course" class="in-course" aria-labelledby="in-course-title"></ul>
            <p id="in-course-empty" class="hint" hidden>
              {t('console.in_course_empty')}
            </p>
          </section>

          <section id="attention" class="attention" aria-labelledby="attention-title" hidden>
            <h2 id="attention-title" tabindex={-1}></h2>
            <div id="attention-error" class="error" role="alert"></div>
            <dl id="attention-details" class="summary"></dl>

            <section id="video-panel" aria-labelledby="video-title" hidden>
              <h3 id="video-title">{t('console.video_title')}</h3>
              <p>
                {t('console.connection_label')}: <span id="conn-state" role="status">{t('console.connection.idle')}</span>
              </p>
              <div class="stage">
                <div id="remote-videos" class="remote" role="group" aria-label={t('console.remote_video')}>
                  <p id="no-remote" class="hint">
                    {t('console.no_remote')}
                  </p>
                </div>
                <video id="local-video" class="local" autoplay muted playsinline aria-label={t('console.local_video')}></video>
              </div>
              <p id="call-notice" role="status"></p>
              <div class="controls" role="group" aria-label={t('console.controls')}>
                <button type="button" id="btn-mute" class="secondary" aria-pressed="false">
                  {t('console.mute')}
                </button>
                <button type="button" id="btn-camera" class="secondary" aria-pressed="false">
                  {t('console.camera_off')}
                </button>
                <button type="button" id="btn-screen" class="secondary" aria-pressed="false">
                  {t('console.share_screen')}
                </button>
                <button type="button" id="btn-hangup" class="danger">
                  {t('console.hang_up')}
                </button>
              </div>
              <div class="devices">
                <div class="field">
                  <label for="sel-camera">{t('console.camera_select')}</label>
                  <select id="sel-camera"></select>
                </div>
                <div class="field">
                  <label for="sel-mic">{t('console.microphone_select')}</label>
                  <select id="sel-mic"></select>
                </div>
              </div>

              <section aria-labelledby="chat-title" class="chat">
                <h4 id="chat-title">{t('console.chat_title')}</h4>
                <div id="chat-log" class="chat-log" role="log" aria-labelledby="chat-title" tabindex={0}></div>
                <form id="chat-form" class="chat-form">
                  <label for="chat-input">{t('console.chat_message')}</label>
                  <div class="row">
                    <input type="text" id="chat-input" maxlength={2000} autocomplete="off" />
                    <button type="submit">{t('console.chat_send')}</button>
                  </div>
                </form>
              </section>

              <section aria-labelledby="invite-title">
                <h4 id="invite-title">{t('console.invite_title')}</h4>
                <form id="invite-form">
                  <div class="field">
                    <label for="invite-label">{t('console.invite_label')}</label>
                    <input type="text" id="invite-label" maxlength={80} value={t('console.invite_default')} />
                  </div>
                  <button type="submit" class="secondary">
                    {t('console.invite_button')}
                  </button>
                </form>
                <div id="invite-result" hidden>
                  <div class="field">
                    <label for="invite-url">{t('console.invite_url')}</label>
                    <p class="hint" id="invite-hint">
                      {t('console.invite_hint')}
                    </p>
                    <input type="text" id="invite-url" readonly aria-describedby="invite-hint" />
                  </div>
                  <button type="button" id="btn-copy" class="secondary">
                    {t('console.copy')}
                  </button>
                  <p id="copy-status" role="status"></p>
                </div>
              </section>

              <section aria-labelledby="rec-title">
                <h4 id="rec-title">{t('console.recording_title')}</h4>
                <div class="actions">
                  <button type="button" id="btn-consent" class="secondary">
                    {t('console.ask_consent')}
                  </button>
                  <button type="button" id="btn-rec-stop" class="secondary" hidden>
                    {t('console.recording_stop')}
                  </button>
                </div>
                <p id="rec-status" role="status"></p>
              </section>
            </section>

            <FormalPanel ctx={ctx} />

            <section id="phone-panel" aria-labelledby="phone-title" hidden>
              <h3 id="phone-title">{t('console.phone_title')}</h3>
              <p>
                <a id="call-link" class="button" href="#" hidden></a>
                <span id="no-phone" hidden>
                  {t('console.no_phone')}
                </span>
              </p>
              <p id="attempts-count"></p>
              <fieldset class="attempts">
                <legend>{t('console.attempt_legend')}</legend>
                <div class="actions">
                  {CALL_OUTCOMES.map((o) => (
                    <button type="button" class="secondary" data-outcome={o}>
                      {t(`console.attempt.${o}`)}
                    </button>
                  ))}
                </div>
              </fieldset>
              <p id="attempt-status" role="status"></p>
            </section>

            <form id="close-form" class="close-form" aria-labelledby="close-title" novalidate>
              <h3 id="close-title">{t('console.close_title')}</h3>
              <div id="close-error" class="error" role="alert"></div>
              <div class="field" id="typology-field">
                <label for="close-typology">{t('console.typology')}</label>
                <p class="error" id="close-typology-error" hidden></p>
                <select id="close-typology" name="typology">
                  <option value="">{t('console.choose')}</option>
                  {typologies.map((ty) => (
                    <option value={ty.id}>{ty.name}</option>
                  ))}
                </select>
              </div>
              <fieldset class="field choices" id="close-outcome" tabindex={-1}>
                <legend>{t('console.outcome_legend')}</legend>
                <p class="error" id="close-outcome-error" hidden></p>
                {ATTENTION_OUTCOMES.map((o) => (
                  <div class="choice">
                    <input type="radio" name="outcome" id={`outcome-${o}`} value={o} />
                    <label for={`outcome-${o}`}>{t(`console.outcome.${o}`)}</label>
                  </div>
                ))}
              </fieldset>
              <div class="field">
                <label for="close-notes">{t('console.notes')}</label>
                <p class="hint" id="close-notes-hint">
                  {t('console.notes_hint')}
                </p>
                <textarea id="close-notes" name="notes" rows={4} maxlength={4000} aria-describedby="close-notes-hint"></textarea>
              </div>
              <button type="submit">{t('console.close_submit')}</button>
            </form>
          </section>

          <DocumentsConsole ctx={ctx} />
        </div>
      </div>
      <script type="application/json" id="console-config" dangerouslySetInnerHTML={{ __html: scriptJson(config) }}></script>
    </Layout>
  );
}
