/**
 * The operator's comparison between the town halls it serves: for one month,
 * the same public indicators side by side (suppression included), a chart of
 * attentions per town hall and the table that says it all. A town hall whose
 * month is not settled yet in its own zone says so, with the day it will be.
 */
import type { TenantComparison } from '../../../modules/transparency/compare-tenants.js';
import type { PublicIndicators } from '../../../modules/transparency/public-indicators.js';
import { formatDate } from '../../../i18n/format.js';
import { CHART_SCRIPTS, CHART_STYLES, Chart, ChartTable, Figure, monthLabel } from '../citizen/transparency.page.js';
import { ErrorSummary, Select, type FieldErrors } from '../form-parts.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';

/** The columns of the comparison table (the town hall's name included). */
const COLUMNS = 10;

export type CompareView = { month: string; months: string[]; comparison?: TenantComparison; errors?: FieldErrors };

export function ComparePage({ ctx, view }: { ctx: PageCtx; view: CompareView }) {
  const { t, lang } = ctx;
  const title = t('transparency.compare.title');
  const rows = view.comparison?.tenants ?? [];
  const channel = (ind: PublicIndicators, key: string) => ind.byChannel.find((c) => c.key === key) ?? { value: 0, suppressed: false };
  const chartTitle = t('transparency.compare.chart', { month: monthLabel(view.month, lang) });
  return (
    <Layout ctx={ctx} title={title} staffArea scripts={CHART_SCRIPTS} styles={CHART_STYLES}>
      <h1>{title}</h1>
      <p class="lead">{t('transparency.compare.intro')}</p>
      <ErrorSummary ctx={ctx} errors={view.errors ?? {}} />
      <form method="get" action={tenantPath(ctx, 'staff', 'compare')} class="filters">
        <input type="hidden" name="lang" value={lang} />
        <Select name="month" label={t('transparency.compare.month')} options={view.months.map((m) => ({ value: m, label: monthLabel(m, lang) }))} value={view.month} errors={view.errors} />
        <div class="actions">
          <button type="submit">{t('transparency.period.submit')}</button>
        </div>
      </form>
      {view.comparison ? (
        rows.length === 0 ? (
          <p>{t('transparency.compare.none')}</p>
        ) : (
          <>
            <p class="notice">{t('transparency.suppression_note')}</p>
            <ChartTable
              ctx={ctx}
              id="compare"
              title={chartTitle}
              wide
              chart={<Chart ctx={ctx} title={chartTitle} type="bar" horizontal labels={rows.map((r) => r.name)} data={rows.map((r) => r.indicators?.attentions.value ?? null)} />}
            >
              <div class="table-wrap" role="region" tabindex={0} aria-label={t('transparency.table_region', { title: t('transparency.compare.table', { month: monthLabel(view.month, lang) }) })}>
                <table class="figures-table" id="table-compare">
                  <caption id="cap-compare">{t('transparency.compare.table', { month: monthLabel(view.month, lang) })}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('transparency.compare.town_hall')}</th>
                      <th scope="col">{t('transparency.columns.attentions')}</th>
                      <th scope="col">{t('indicators.channel.video')}</th>
                      <th scope="col">{t('indicators.channel.phone')}</th>
                      <th scope="col">{t('indicators.channel.callback')}</th>
                      <th scope="col">{t('transparency.figures.waiting')}</th>
                      <th scope="col">{t('transparency.figures.liked')}</th>
                      <th scope="col">{t('transparency.figures.easy')}</th>
                      <th scope="col">{t('transparency.figures.again')}</th>
                      <th scope="col">{t('transparency.compare.targets_met')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => {
                      const ind = r.indicators;
                      if (!ind) {
                        return (
                          <tr data-tenant={r.slug} data-published="false">
                            <th scope="row">{r.name}</th>
                            <td colSpan={COLUMNS - 1}>{t('transparency.compare.not_yet_published', { day: formatDate(r.publicationDay, ctx.tenant.timeZone, lang) })}</td>
                          </tr>
                        );
                      }
                      const known = ind.targets.filter((x) => x.met !== null);
                      return (
                        <tr data-tenant={r.slug}>
                          <th scope="row">{r.name}</th>
                          <td class="num"><Figure ctx={ctx} cell={ind.attentions} kind="count" /></td>
                          <td class="num"><Figure ctx={ctx} cell={channel(ind, 'video')} kind="count" /></td>
                          <td class="num"><Figure ctx={ctx} cell={channel(ind, 'phone')} kind="count" /></td>
                          <td class="num"><Figure ctx={ctx} cell={channel(ind, 'callback')} kind="count" /></td>
                          <td class="num"><Figure ctx={ctx} cell={ind.waitingAverageSeconds} kind="seconds" /></td>
                          <td class="num"><Figure ctx={ctx} cell={ind.satisfaction.likedAverage} kind="score" /></td>
                          <td class="num"><Figure ctx={ctx} cell={ind.satisfaction.easyAverage} kind="score" /></td>
                          <td class="num"><Figure ctx={ctx} cell={ind.satisfaction.againShare} kind="share" /></td>
                          <td class="num">
                            {known.length === 0 ? t('transparency.no_data') : t('transparency.compare.targets_of', { met: known.filter((x) => x.met).length, total: known.length })}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </ChartTable>
          </>
        )
      ) : null}
    </Layout>
  );
}
