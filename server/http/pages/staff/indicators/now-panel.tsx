/**
 * The "now" panel: who waits (by channel, the longest wait), agents by
 * presence, attentions in course. Rendered here from nowSnapshot(); the
 * browser (assets/indicators-live.js) keeps the cells marked data-now up to
 * date and says what changed in the polite live region.
 */
import type { NowSnapshot } from '../../../../modules/indicators/indicators.types.js';
import { DateTime } from 'luxon';
import type { PageCtx } from '../../page-context.js';
import { scriptJson } from '../../script-json.js';
import type { Formats } from './figures-format.js';

export const NOW_CHANNELS = ['video', 'phone', 'callback'] as const;
export const NOW_STATES = ['available', 'busy', 'pause', 'offline'] as const;

/** What indicators-live.js needs: where to read, where to listen, how to write. */
export type LiveConfig = {
  api: string;
  socket: string;
  lang: string;
  timeZone: string;
  pollSeconds: number;
  strings: { seconds: string; minutes: string; wholeMinutes: string; hours: string; noData: string; changed: string; liveLost: string; readFailed: string };
};

export function NowPanel({ ctx, now, f, live }: { ctx: PageCtx; now: NowSnapshot; f: Formats; live: LiveConfig }) {
  const { t } = ctx;
  const waitingTotal = now.waiting.reduce((s, w) => s + w.count, 0);
  const byChannel = (c: string) => now.waiting.find((w) => w.channel === c);
  const agents = (s: string) => now.agents.find((a) => a.state === s)?.count ?? 0;
  // a duration grows by itself between readings: it is updated, not announced
  const figure = (key: string, label: string, value: string, raw: number | null, duration = false) => (
    <div>
      <dt>{label}</dt>
      <dd data-now={key} data-label={duration ? undefined : label} data-kind={duration ? 'duration' : undefined} data-value={raw ?? ''}>
        {value}
      </dd>
    </div>
  );
  return (
    <section id="now-panel" class="now-panel" aria-labelledby="now-title">
      <h2 id="now-title">{t('dashboard.now.title')}</h2>
      <p class="meta">
        {t('dashboard.now.updated')}{' '}
        <time id="now-at" datetime={now.at}>
          {DateTime.fromISO(now.at, { zone: ctx.tenant.timeZone }).setLocale(ctx.lang).toLocaleString(DateTime.TIME_24_WITH_SECONDS)}
        </time>
      </p>
      <dl class="figures">
        {figure('waiting', t('dashboard.now.waiting'), f.count(waitingTotal), waitingTotal)}
        {figure('longest', t('dashboard.now.longest'), f.duration(now.longestWaitSeconds), now.longestWaitSeconds, true)}
        {figure('in-progress', t('dashboard.now.in_progress'), f.count(now.inProgress), now.inProgress)}
      </dl>
      <div class="now-tables">
        <table>
          <caption>{t('dashboard.now.by_channel')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('dashboard.now.channel')}</th>
              <th scope="col" class="num">{t('dashboard.now.count')}</th>
              <th scope="col" class="num">{t('dashboard.now.longest_column')}</th>
            </tr>
          </thead>
          <tbody>
            {NOW_CHANNELS.map((c) => {
              const w = byChannel(c);
              const label = t(`indicators.channel.${c}`);
              return (
                <tr>
                  <th scope="row">{label}</th>
                  <td class="num" data-now={`waiting-${c}`} data-label={`${t('dashboard.now.waiting')} (${label})`} data-value={w?.count ?? 0}>
                    {f.count(w?.count ?? 0)}
                  </td>
                  <td class="num" data-now={`longest-${c}`} data-kind="duration" data-value={w?.longestWaitSeconds ?? ''}>
                    {f.duration(w?.longestWaitSeconds ?? null)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <table>
          <caption>{t('dashboard.now.agents')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('dashboard.now.state')}</th>
              <th scope="col" class="num">{t('dashboard.now.agents_count')}</th>
            </tr>
          </thead>
          <tbody>
            {NOW_STATES.map((s) => {
              const label = t(`console.presence.${s}`);
              return (
                <tr>
                  <th scope="row">{label}</th>
                  <td class="num" data-now={`agents-${s}`} data-label={`${t('dashboard.now.agents')}: ${label}`} data-value={agents(s)}>
                    {f.count(agents(s))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p id="now-live" class="now-live" role="status" aria-live="polite"></p>
      <script type="application/json" id="indicators-live-config" dangerouslySetInnerHTML={{ __html: scriptJson(live) }}></script>
    </section>
  );
}
