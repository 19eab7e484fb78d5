/**
 * The supervisors' indicators dashboard: the live "now" panel, the period
 * filter, the headline figures and service-level targets, and every chart
 * with its table and CSV link. Rendered complete on the server; scripts only
 * draw the charts and keep the "now" panel live.
 */
import type { Indicators, NowSnapshot } from '../../../modules/indicators/indicators.types.js';
import type { IndicatorTable } from '../../../modules/indicators/indicator-tables.js';
import { formatDate } from '../../../i18n/format.js';
import { Layout } from '../layout.js';
import type { PageCtx } from '../page-context.js';
import { ChartTable } from './indicators/chart-table.js';
import { chartSpecs } from './indicators/chart-specs.js';
import { formats } from './indicators/figures-format.js';
import { FilterForm, type FilterFormProps } from './indicators/filter-form.js';
import { Headline, Targets } from './indicators/headline.js';
import { NowPanel, type LiveConfig } from './indicators/now-panel.js';

/** Tables drawn as charts, in the order of the volume section. */
const VOLUME = ['by-day', 'by-type', 'by-channel', 'by-procedure', 'by-outcome', 'by-hour', 'by-weekday'];
/** Tables with a place of their own; the others (summary, times) close the page as tables only. */
const PLACED = new Set([...VOLUME, 'satisfaction', 'targets']);

export type IndicatorsPageProps = FilterFormProps & {
  now: NowSnapshot;
  live: LiveConfig;
  /** Absent when the filter is wrong: the page shows the form and its errors. */
  period?: { ind: Indicators; tables: IndicatorTable[]; csvHref: (tableId: string) => string };
};

export function IndicatorsPage(p: IndicatorsPageProps) {
  const { ctx } = p;
  const { t, lang } = ctx;
  const f = formats(t, lang);
  return (
    <Layout
      ctx={ctx}
      title={t('dashboard.title')}
      staffArea
      styles={['/assets/indicators.css']}
      scripts={['/assets/vendor/chart.umd.min.js', '/assets/indicator-charts.js', '/assets/indicators-live.js']}
    >
      <h1>{t('dashboard.title')}</h1>
      <NowPanel ctx={ctx} now={p.now} f={f} live={p.live} />
      <FilterForm ctx={ctx} action={p.action} values={p.values} errors={p.errors} message={p.message} options={p.options} quick={p.quick} />
      {p.period ? <Period ctx={ctx} {...p.period} f={f} /> : null}
    </Layout>
  );
}

function Period({ ctx, ind, tables, csvHref, f }: NonNullable<IndicatorsPageProps['period']> & { ctx: PageCtx; f: ReturnType<typeof formats> }) {
  const { t, lang } = ctx;
  const byId = new Map(tables.map((x) => [x.id, x]));
  const charts = chartSpecs(ind, t, lang, (id) => byId.get(id)?.title ?? '');
  const block = (id: string) => {
    const table = byId.get(id);
    return table ? <ChartTable ctx={ctx} table={table} chart={charts[id]} csvHref={csvHref(id)} f={f} /> : null;
  };
  const targets = byId.get('targets');
  return (
    <div class="period">
      <h2 id="summary-title">{t('dashboard.figures.title')}</h2>
      <p class="lead">
        {t('dashboard.period', { from: formatDate(ind.filter.from, ind.timeZone, lang), to: formatDate(ind.filter.to, ind.timeZone, lang) })}
      </p>
      <p class="meta">{t('dashboard.intro')}</p>
      <Headline ctx={ctx} ind={ind} f={f} />

      <section aria-labelledby="targets-title">
        <h2 id="targets-title">{t('dashboard.targets.title')}</h2>
        <Targets ctx={ctx} targets={ind.targets} f={f} />
        {targets && targets.rows.length ? <ChartTable ctx={ctx} table={targets} csvHref={csvHref('targets')} f={f} heading={false} /> : null}
      </section>

      <section aria-labelledby="volume-title">
        <h2 id="volume-title">{t('dashboard.sections.volume')}</h2>
        {VOLUME.map((id) => block(id))}
      </section>

      <section aria-labelledby="satisfaction-title">
        <h2 id="satisfaction-title">{t('dashboard.sections.satisfaction')}</h2>
        {block('satisfaction')}
      </section>

      <section aria-labelledby="tables-title">
        <h2 id="tables-title">{t('dashboard.sections.tables')}</h2>
        {tables.filter((x) => !PLACED.has(x.id)).map((x) => block(x.id))}
      </section>
    </div>
  );
}
