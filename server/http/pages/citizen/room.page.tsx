/**
 * The call room of a citizen or an invited guest, one page that room.js walks
 * through: lobby with the device check → waiting room → call → end. The server
 * renders every part (hidden until its turn) and the strings the script needs,
 * in a JSON block that the CSP never executes.
 */
import { pickText } from '../../../../shared/domain.js';
import { formatDateTime } from '../../../i18n/format.js';
import type { Procedure } from '../../../modules/catalogue/catalogue.repository.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { scriptJson } from '../script-json.js';
import { AppointmentSummary, DocumentChecklist } from './appointment-summary.js';
import { FormalPanel } from './formal-panel.js';
import { DocumentsPanel } from './documents-panel.js';

/** What the room page shows: who is entering, for what, and where the room socket is. */
export type RoomView = {
  role: 'citizen' | 'guest';
  /** `callback`: a queue entry that waits for our phone call (no video). */
  mode: 'video' | 'callback';
  /** A virtual-queue entry (may leave the queue). */
  queueEntry: boolean;
  procedure?: Procedure;
  appointment?: { reference: string; channel: string; startsAt: Date | null };
  opensAt: Date | null;
  waitingRoomOpensMinutes: number;
  wsPath: string;
  now: number;
  /** The citizen's link to the satisfaction survey, shown on the end screen after an attention. */
  surveyPath?: string;
};

/** Strings for room.js: `{name}` placeholders are filled in the browser. */
function clientStrings(t: PageCtx['t']) {
  const keys = {
    device: ['connection_checking', 'connection_failed', 'denied', 'not_found', 'in_use', 'unsupported', 'failed', 'heard', 'mode_audio', 'mode_chat', 'working'],
    room: ['agent_coming', 'callback_calling', 'auto_enter', 'entering', 'end_title', 'end_thanks', 'left_title', 'left_text', 'left_queue_title', 'left_queue_text', 'not_attended_title', 'not_attended_text', 'error_generic', 'error_access'],
    call: ['connecting', 'connected', 'reconnecting', 'failed', 'recording_started', 'recording_stopped', 'camera_is_off', 'mic_is_off', 'is_sharing', 'screen_failed', 'agent', 'you', 'citizen', 'guest', 'new_window', 'consent_given', 'consent_refused', 'consent_pending'],
  } as const;
  const out: Record<string, string> = {};
  for (const [ns, list] of Object.entries(keys)) for (const k of list) out[`${ns}.${k}`] = t(`${ns}.${k}`);
  Object.assign(out, {
    'device.connection_ok': t('device.connection_ok', { ms: '{ms}' }),
    'device.connection_slow': t('device.connection_slow', { ms: '{ms}' }),
    'device.camera_n': t('device.camera_n', { n: '{n}' }),
    'device.microphone_n': t('device.microphone_n', { n: '{n}' }),
    'room.position': t('room.position', { position: '{position}' }),
    'room.estimate': t('room.estimate', { minutes: '{minutes}' }),
    'room.too_early': t('room.too_early', { time: '{time}' }),
    'room.time_left': t('room.time_left', { minutes: '{minutes}' }),
    'call.remote_video': t('call.remote_video', { label: '{label}' }),
    'call.peer_joined': t('call.peer_joined', { label: '{label}' }),
    'call.peer_left': t('call.peer_left', { label: '{label}' }),
  });
  for (const code of ['appointment_not_active', 'attention_not_active', 'room_not_open', 'rate_limited', 'internal_error']) out[`errors.${code}`] = t(`errors.${code}`);
  return out;
}

function DevicePickers({ ctx, suffix }: { ctx: PageCtx; suffix: string }) {
  const { t } = ctx;
  return (
    <div class="device-pickers" id={`pickers${suffix}`} hidden>
      <div class="field">
        <label for={`camera-select${suffix}`}>{t('device.camera')}</label>
        <select id={`camera-select${suffix}`} data-kind="videoinput"></select>
      </div>
      <div class="field">
        <label for={`mic-select${suffix}`}>{t('device.microphone')}</label>
        <select id={`mic-select${suffix}`} data-kind="audioinput"></select>
      </div>
    </div>
  );
}

/** The room: every stage rendered, hidden until room.js shows it. */
export function RoomPage({ ctx, view }: { ctx: PageCtx; view: RoomView }) {
  const { t, tenant, lang } = ctx;
  const guest = view.role === 'guest';
  const title = guest ? t('room.guest_title') : t('room.title');
  const early = view.opensAt && view.opensAt.getTime() > view.now ? view.opensAt : null;
  const data = {
    ws: view.wsPath,
    role: view.role,
    mode: view.mode,
    queue: view.queueEntry,
    booked: !!view.appointment,
    opensAt: view.opensAt ? view.opensAt.toISOString() : null,
    serverNow: view.now,
    lang,
    timeZone: tenant.timeZone,
    strings: clientStrings(t),
  };
  return (
    <Layout ctx={ctx} title={title} styles={['/assets/room.css']} scripts={['/assets/call.js', '/assets/room.js']}>
      <script type="application/json" id="room-data" dangerouslySetInnerHTML={{ __html: scriptJson(data) }} />
      <h1>{title}</h1>
      <noscript>
        <p class="notice">{t('room.noscript')}</p>
      </noscript>
      <div id="room-announcer" class="sr-only" role="status"></div>
      <div id="room-error" class="error-summary" role="alert" tabindex={-1} hidden>
        <p id="room-error-text"></p>
      </div>


      <section id="stage-lobby" class="stage" aria-labelledby="lobby-title" hidden={view.mode === 'callback'}>
        <h2 id="lobby-title" tabindex={-1}>
          {t('room.lobby_title')}
        </h2>
        <p>{guest ? t('room.guest_intro') : t('room.lobby_intro')}</p>
        {early ? (
          <p class="notice" id="opens-notice">
            {t('room.opens_at', { when: formatDateTime(early, tenant.timeZone, lang), minutes: view.waitingRoomOpensMinutes })}
          </p>
        ) : null}
        <div class="device-check">
          <div class="preview-box" id="preview-box" hidden>
            <video id="preview" class="preview" muted playsinline autoplay aria-label={t('device.preview')}></video>
          </div>
          <p>
            <button type="button" id="device-start">
              {t('device.start')}
            </button>
          </p>
          <p id="device-ok" class="ok" tabindex={-1} hidden></p>
          <div id="device-problem" class="device-problem" hidden>
            <p id="device-problem-text" class="error" tabindex={-1}></p>
            <p>{t('device.fallback')}</p>
            <div class="actions">
              <button type="button" class="secondary" id="device-retry">
                {t('device.retry')}
              </button>
              <button type="button" class="secondary" id="device-audio-only">
                {t('device.audio_only')}
              </button>
              <button type="button" class="secondary" id="device-chat-only">
                {t('device.chat_only')}
              </button>
            </div>
          </div>
          <p id="device-mode" class="notice" hidden></p>
          <DevicePickers ctx={ctx} suffix="" />
          <div class="field" id="mic-field" hidden>
            <label for="mic-level">{t('device.level')}</label>
            <p class="hint" id="mic-level-hint">
              {t('device.level_hint')}
            </p>
            <meter id="mic-level" min={0} max={100} value={0} aria-describedby="mic-level-hint"></meter>
            <p id="mic-heard" class="ok" hidden>
              {t('device.heard')}
            </p>
          </div>
          <div class="field">
            <button type="button" class="secondary" id="speaker-test" aria-describedby="speaker-hint">
              {t('device.speaker')}
            </button>
            <p class="hint" id="speaker-hint">
              {t('device.speaker_hint')}
            </p>
          </div>
          <h3>{t('device.connection')}</h3>
          <p id="connection-check" role="status">
            {t('device.connection_checking')}
          </p>
        </div>
        <div class="actions">
          <button type="button" id="enter-button">
            {guest ? t('room.join_call') : t('room.enter')}
          </button>
          {view.queueEntry ? (
            <button type="button" class="secondary" data-leave-queue>
              {t('room.leave_queue')}
            </button>
          ) : null}
        </div>
      </section>

      <section id="stage-waiting" class="stage" aria-labelledby="waiting-title" hidden={view.mode !== 'callback'}>
        <h2 id="waiting-title" tabindex={-1}>
          {t('room.waiting_title')}
        </h2>
        <p>{view.mode === 'callback' ? t('room.waiting_callback') : t('room.waiting_intro')}</p>
        <div id="waiting-status" class="waiting-status" role="status">
          <p id="waiting-line"></p>
          <p id="queue-position" class="queue-position" hidden></p>
          <p id="queue-estimate" hidden></p>
        </div>
        <div id="opens-box" class="notice" hidden>
          <p id="opens-countdown"></p>
        </div>
        {view.queueEntry ? (
          <p class="actions">
            <button type="button" class="secondary" data-leave-queue>
              {t('room.leave_queue')}
            </button>
          </p>
        ) : null}
      </section>

      <section id="stage-call" class="stage" aria-labelledby="call-title" hidden>
        <h2 id="call-title" tabindex={-1}>
          {t('call.call_title')}
        </h2>
        <p id="recording-indicator" class="recording-indicator" hidden>
          <span class="dot" aria-hidden="true"></span>
          {t('call.recording')}
        </p>
        <p id="call-connection" class="call-connection" role="status"></p>
        <div class="call-media">
          <div id="remote-videos" class="remote-videos">
            <p id="remote-empty" class="remote-empty">
              {t('call.waiting_for_agent')}
            </p>
          </div>
          <video id="self-video" class="self-video" muted playsinline autoplay aria-label={t('call.self_video')}></video>
        </div>
        <div class="call-controls" role="group" aria-label={t('call.controls')}>
          <button type="button" class="secondary" id="btn-mute" aria-pressed="false">
            {t('call.mute')}
          </button>
          <button type="button" class="secondary" id="btn-camera" aria-pressed="false">
            {t('call.camera_off')}
          </button>
          <button type="button" class="secondary" id="btn-screen" aria-pressed="false" hidden>
            {t('call.share_screen')}
          </button>
          <button type="button" class="danger" id="btn-leave">
            {t('call.leave')}
          </button>
        </div>
        <details id="call-devices" class="call-devices">
          <summary>{t('call.devices')}</summary>
          <DevicePickers ctx={ctx} suffix="-call" />
        </details>
        <div id="consent-pending" class="notice" hidden>
          <p>{t('call.consent_pending')}</p>
          <button type="button" id="consent-reopen">
            {t('call.consent_answer')}
          </button>
        </div>
        <section class="chat" aria-labelledby="chat-title">
          <h3 id="chat-title">{t('call.chat_title')}</h3>
          <div id="chat-log" class="chat-log" role="log" aria-live="polite" aria-label={t('call.chat_log')} tabindex={0}></div>
          <form id="chat-form" class="chat-form" novalidate>
            <label for="chat-text">{t('call.chat_label')}</label>
            <p class="hint" id="chat-hint">
              {t('call.chat_hint')}
            </p>
            <textarea id="chat-text" name="text" rows={2} maxlength={2000} aria-describedby="chat-hint"></textarea>
            <button type="submit">{t('call.chat_send')}</button>
          </form>
        </section>
      </section>

      {!guest ? <FormalPanel ctx={ctx} roomPath={view.wsPath.replace(/\/live$/, '')} /> : null}

      {!guest ? <DocumentsPanel ctx={ctx} roomPath={view.wsPath.replace(/\/live$/, '')} /> : null}

      <section id="stage-end" class="stage" aria-labelledby="end-title" hidden>
        <h2 id="end-title" tabindex={-1}>
          {t('room.end_title')}
        </h2>
        <p id="end-text">{t('room.end_thanks')}</p>
        <div class="actions">
          {view.surveyPath ? (
            <a id="survey-link" class="button" href={view.surveyPath} hidden>
              {t('survey.room_link')}
            </a>
          ) : null}
          <button type="button" id="rejoin" hidden>
            {t('room.rejoin')}
          </button>
          <a id="queue-again" class="button secondary" href={tenantPath(ctx, 'queue')} hidden>
            {t('room.join_queue_again')}
          </a>
          <a href={tenantPath(ctx)}>{t('booking.back_home')}</a>
        </div>
      </section>

      {!guest && view.procedure ? (
        <div id="room-summary" class="room-summary">
          <h2>{view.appointment ? t('room.appointment_title') : t('room.queue_title')}</h2>
          {view.appointment ? (
            <AppointmentSummary ctx={ctx} reference={view.appointment.reference} procedure={view.procedure} channel={view.appointment.channel} startsAt={view.appointment.startsAt} />
          ) : (
            <dl class="summary">
              <dt>{t('booking.procedure')}</dt>
              <dd>{pickText(view.procedure.name, lang)}</dd>
              <dt>{t('booking.channel')}</dt>
              <dd>{t(`channel.${view.mode}.name`)}</dd>
            </dl>
          )}
          <DocumentChecklist ctx={ctx} procedure={view.procedure} />
        </div>
      ) : null}

      <dialog id="consent-dialog" class="consent-dialog" aria-labelledby="consent-title" aria-describedby="consent-text">
        <h2 id="consent-title">{t('call.consent_title')}</h2>
        <p id="consent-text"></p>
        <div class="actions">
          <button type="button" id="consent-yes">
            {t('call.consent_yes')}
          </button>
          <button type="button" class="secondary" id="consent-no">
            {t('call.consent_no')}
          </button>
        </div>
      </dialog>
    </Layout>
  );
}

/** A used or expired invitation link. */
/** An invitation link opened: one button uses it (a link preview or mail scanner never presses it). */
export function InvitePage({ ctx, label }: { ctx: PageCtx; label: string }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('room.invite_title')}>
      <h1>{t('room.invite_title')}</h1>
      <p>{t('room.invite_text', { town: ctx.tenant.name })}</p>
      {label ? <p>{t('room.invite_as', { label })}</p> : null}
      <form method="post" action={ctx.url.split('?')[0]}>
        <div class="actions">
          <button type="submit">{t('room.invite_join')}</button>
        </div>
      </form>
    </Layout>
  );
}

export function InviteUsedPage({ ctx }: { ctx: PageCtx }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('room.invite_used_title')}>
      <h1>{t('room.invite_used_title')}</h1>
      <p>{t('room.invite_used_text')}</p>
      <p>
        <a href={tenantPath(ctx)}>{t('booking.back_home')}</a>
      </p>
    </Layout>
  );
}
