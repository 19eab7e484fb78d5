/** The period's headline figures and its service-level targets (met or not said in words, not by colour alone). */
import type { Indicators, TargetResult } from '../../../../modules/indicators/indicators.types.js';
import type { PageCtx } from '../../page-context.js';
import type { Formats } from './figures-format.js';

type Figure = { key: string; label: string; value: string; detail?: string };

export function Headline({ ctx, ind, f }: { ctx: PageCtx; ind: Indicators; f: Formats }) {
  const { t } = ctx;
  const days = (x: number | null) => (x === null ? f.noData : t('dashboard.figures.working_days', { value: f.decimal(x) }));
  const score = (x: number | null) => (x === null ? f.noData : t('dashboard.figures.score', { value: f.decimal(x) }));
  const s = ind.satisfaction;
  const list: Figure[] = [
    { key: 'attentions', label: t('dashboard.figures.attentions'), value: f.count(ind.totals.attentions) },
    { key: 'waiting-average', label: t('dashboard.figures.waiting_average'), value: f.duration(ind.waiting.averageSeconds) },
    { key: 'waiting-p90', label: t('dashboard.figures.waiting_p90'), value: f.duration(ind.waiting.p90Seconds) },
    { key: 'handling-average', label: t('dashboard.figures.handling_average'), value: f.duration(ind.handling.averageSeconds) },
    { key: 'handling-p90', label: t('dashboard.figures.handling_p90'), value: f.duration(ind.handling.p90Seconds) },
    {
      key: 'no-show',
      label: t('dashboard.figures.no_show_rate'),
      value: f.share(ind.rates.noShow),
      detail: t('dashboard.figures.no_show_detail', { noShow: f.count(ind.totals.noShow), appointments: f.count(ind.totals.appointments) }),
    },
    {
      key: 'callbacks-not-reached',
      label: t('dashboard.figures.callbacks_not_reached'),
      value: f.count(ind.rates.callbacksNotReached),
      detail: ind.rates.callbacksNotReachedRate === null ? undefined : t('dashboard.figures.callbacks_not_reached_detail', { share: f.share(ind.rates.callbacksNotReachedRate) }),
    },
    { key: 'missing-documents', label: t('dashboard.figures.missing_documents'), value: f.count(ind.rates.missingDocuments) },
    { key: 'first-contact', label: t('dashboard.figures.first_contact'), value: f.share(ind.rates.firstContactResolution) },
    {
      key: 'first-free',
      label: t('dashboard.figures.first_free_average'),
      value: days(ind.firstFree.averageWorkingDays),
      detail: t('dashboard.figures.first_free_detail', { samples: f.count(ind.firstFree.samples) }),
    },
    { key: 'first-free-p90', label: t('dashboard.figures.first_free_p90'), value: days(ind.firstFree.p90WorkingDays) },
    { key: 'liked', label: t('dashboard.figures.liked_average'), value: score(s.likedAverage), detail: t('dashboard.figures.responses_detail', { responses: f.count(s.responses) }) },
    { key: 'easy', label: t('dashboard.figures.easy_average'), value: score(s.easyAverage) },
    { key: 'again', label: t('dashboard.figures.again_share'), value: f.share(s.againShare) },
  ];
  return (
    <dl class="figures" id="headline">
      {list.map((x) => (
        <div data-figure={x.key}>
          <dt>{x.label}</dt>
          <dd>
            <span class="value">{x.value}</span>
            {x.detail ? <span class="detail">{x.detail}</span> : null}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Each target: its label, goal, the share met as a bar against the goal, and "met" / "not met" in words. */
export function Targets({ ctx, targets, f }: { ctx: PageCtx; targets: TargetResult[]; f: Formats }) {
  const { t } = ctx;
  if (!targets.length) return <p>{t('dashboard.targets.none')}</p>;
  return (
    <ul class="targets">
      {targets.map((x) => {
        const state = x.met === null ? 'unknown' : x.met ? 'met' : 'not-met';
        return (
          <li class={`target ${state}`} data-target={x.id}>
            <p class="target-label">{x.label}</p>
            <p class="meta">{t('dashboard.targets.goal', { goal: f.share(x.goalPercent / 100) })}</p>
            {x.share === null ? null : (
              <>
                <p>{t('dashboard.targets.share', { share: f.share(x.share), measured: f.count(x.measured) })}</p>
                {/* SVG geometry, not inline styles: the CSP allows no style attributes */}
                <svg class="target-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                  <rect class="track" x="0" y="0" width="100" height="10"></rect>
                  <rect class="fill" x="0" y="0" width={Math.round(Math.min(1, Math.max(0, x.share)) * 1000) / 10} height="10"></rect>
                  <line class="goal" x1={Math.min(100, Math.max(0, x.goalPercent))} x2={Math.min(100, Math.max(0, x.goalPercent))} y1="0" y2="10"></line>
                </svg>
              </>
            )}
            <p class="target-result">
              <span class="target-icon" aria-hidden="true">
                {state === 'met' ? '✓' : state === 'not-met' ? '✗' : '–'}
              </span>{' '}
              {t(`dashboard.targets.${state === 'met' ? 'met' : state === 'not-met' ? 'not_met' : 'unknown'}`)}
            </p>
          </li>
        );
      })}
    </ul>
  );
}
