/**
 * The public transparency panel: the town hall's service indicators for one
 * month or the last 12 months, each chart beside a table that says the same
 * (the tables stand alone without JavaScript). Suppressed figures show "—"
 * with the reason said once below the headline. With `embed` the page drops
 * its header and footer, to sit in the town hall's transparency portal.
 */
import type { ComponentChildren } from 'preact';
import { DateTime } from 'luxon';
import type { Language } from '../../../../shared/domain.js';
import type { T } from '../../../i18n/i18n.js';
import type { PublicIndicators, PublicItem } from '../../../modules/transparency/public-indicators.js';
import type { PublicCell } from '../../../modules/transparency/suppress.js';
import { ErrorSummary, Select, type FieldErrors } from '../form-parts.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { scriptJson } from '../script-json.js';
import { formatDuration } from '../staff/indicators/figures-format.js';

export const CHART_SCRIPTS = ['/assets/vendor/chart.umd.min.js', '/assets/indicator-charts.js'];
export const CHART_STYLES = ['/assets/indicators.css'];

/** "març de 2025" in the reader's language. */
export function monthLabel(month: string, lang: Language): string {
  return DateTime.fromISO(`${month}-01`).setLocale(lang).toLocaleString({ month: 'long', year: 'numeric' });
}

/** How a published figure reads: formatted, "—" when suppressed, "no data" without data. */
export type FigureFormat = 'count' | 'seconds' | 'score' | 'share';

export function formatFigure(t: T, lang: Language, kind: FigureFormat, v: number): string {
  switch (kind) {
    case 'count':
      return new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }).format(v);
    case 'seconds':
      return formatDuration(v, t);
    case 'score':
      return new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(v);
    case 'share':
      return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(v);
  }
}

export function Figure({ ctx, cell, kind }: { ctx: PageCtx; cell: PublicCell; kind: FigureFormat }) {
  const { t } = ctx;
  if (cell.suppressed) {
    return (
      <span class="suppressed">
        <span aria-hidden="true">—</span>
        <span class="sr-only">{t('transparency.suppressed')}</span>
      </span>
    );
  }
  if (cell.value === null) return <>{t('transparency.no_data')}</>;
  return <>{formatFigure(t, ctx.lang, kind, cell.value)}</>;
}

/** What indicator-charts.js draws: suppressed figures are gaps (null), never a guess. */
export function Chart({ ctx, title, type, labels, data, horizontal }: { ctx: PageCtx; title: string; type: 'bar' | 'doughnut'; labels: string[]; data: (number | null)[]; horizontal?: boolean }) {
  const spec = { type, title, labels, horizontal: horizontal === true, datasets: [{ label: title, data }] };
  return (
    <div class="chart">
      <canvas role="img" aria-label={ctx.t('transparency.chart_label', { title })}></canvas>
      <script type="application/json" data-chart dangerouslySetInnerHTML={{ __html: scriptJson(spec) }}></script>
    </div>
  );
}

export type FigureRow = { header: string; cells: { cell: PublicCell; kind: FigureFormat }[] };

/** A table of published figures: caption, column headers, each row's first cell its header. */
export function FigureTable({ ctx, id, title, columns, rows, total }: { ctx: PageCtx; id: string; title: string; columns: string[]; rows: FigureRow[]; total?: FigureRow }) {
  const line = (r: FigureRow) => (
    <tr>
      <th scope="row">{r.header}</th>
      {r.cells.map((c) => (
        <td class="num">
          <Figure ctx={ctx} cell={c.cell} kind={c.kind} />
        </td>
      ))}
    </tr>
  );
  return (
    <div class="table-wrap" role="region" tabindex={0} aria-label={ctx.t('transparency.table_region', { title })}>
      <table class="figures-table" id={`table-${id}`}>
        {/* the section's heading says the same: the caption is for screen readers */}
        <caption class="sr-only">{title}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col">{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>{rows.map(line)}</tbody>
        {total ? <tfoot>{line(total)}</tfoot> : null}
      </table>
    </div>
  );
}

/** A heading, a chart and its table side by side (stacked on a phone). */
export function ChartTable(p: { ctx: PageCtx; id: string; title: string; chart?: ComponentChildren; wide?: boolean; children: ComponentChildren }) {
  return (
    <section class="chart-table" aria-labelledby={`h-${p.id}`}>
      <h2 id={`h-${p.id}`}>{p.title}</h2>
      <div class={`chart-table-body${p.chart ? '' : ' table-only'}${p.wide ? ' wide' : ''}`}>
        {p.chart}
        {p.children}
      </div>
    </section>
  );
}

function Breakdown({ ctx, id, title, column, items, total, chart }: { ctx: PageCtx; id: string; title: string; column: string; items: PublicItem[]; total: PublicCell; chart: 'bar' | 'doughnut' }) {
  const { t } = ctx;
  if (!items.length) {
    return (
      <section class="chart-table" aria-labelledby={`h-${id}`}>
        <h2 id={`h-${id}`}>{title}</h2>
        <p>{t('transparency.none_in_period')}</p>
      </section>
    );
  }
  return (
    <ChartTable
      ctx={ctx}
      id={id}
      title={title}
      chart={<Chart ctx={ctx} title={title} type={chart} horizontal={chart === 'bar'} labels={items.map((i) => i.label)} data={items.map((i) => i.value)} />}
    >
      <FigureTable
        ctx={ctx}
        id={id}
        title={title}
        columns={[column, t('transparency.columns.attentions')]}
        rows={items.map((i) => ({ header: i.label, cells: [{ cell: i, kind: 'count' }] }))}
        total={{ header: t('transparency.total'), cells: [{ cell: total, kind: 'count' }] }}
      />
    </ChartTable>
  );
}

/** The few figures a reader looks for first. */
function Headline({ ctx, ind }: { ctx: PageCtx; ind: PublicIndicators }) {
  const { t } = ctx;
  const figures: { key: string; label: string; cell: PublicCell; kind: FigureFormat }[] = [
    { key: 'attentions', label: t('transparency.figures.attentions'), cell: ind.attentions, kind: 'count' },
    { key: 'waiting', label: t('transparency.figures.waiting'), cell: ind.waitingAverageSeconds, kind: 'seconds' },
    { key: 'liked', label: t('transparency.figures.liked'), cell: ind.satisfaction.likedAverage, kind: 'score' },
    { key: 'again', label: t('transparency.figures.again'), cell: ind.satisfaction.againShare, kind: 'share' },
  ];
  return (
    <dl class="figures" id="headline">
      {figures.map((f) => (
        <div data-figure={f.key}>
          <dt>{f.label}</dt>
          <dd>
            <span class="value">
              <Figure ctx={ctx} cell={f.cell} kind={f.kind} />
            </span>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Satisfaction({ ctx, ind }: { ctx: PageCtx; ind: PublicIndicators }) {
  const { t } = ctx;
  const s = ind.satisfaction;
  const rows: FigureRow[] = [
    { header: t('transparency.figures.waiting'), cells: [{ cell: ind.waitingAverageSeconds, kind: 'seconds' }] },
    { header: t('transparency.figures.answers'), cells: [{ cell: s.answers, kind: 'count' }] },
    { header: t('transparency.figures.liked'), cells: [{ cell: s.likedAverage, kind: 'score' }] },
    { header: t('transparency.figures.easy'), cells: [{ cell: s.easyAverage, kind: 'score' }] },
    { header: t('transparency.figures.again'), cells: [{ cell: s.againShare, kind: 'share' }] },
  ];
  const title = t('transparency.tables.quality');
  return (
    <ChartTable ctx={ctx} id="quality" title={title}>
      <FigureTable ctx={ctx} id="quality" title={title} columns={[t('transparency.columns.figure'), t('transparency.columns.value')]} rows={rows} />
    </ChartTable>
  );
}

function Targets({ ctx, ind }: { ctx: PageCtx; ind: PublicIndicators }) {
  const { t } = ctx;
  const title = t('transparency.tables.targets');
  if (!ind.targets.length) {
    return (
      <section class="chart-table" aria-labelledby="h-targets">
        <h2 id="h-targets">{title}</h2>
        <p>{t('transparency.no_targets')}</p>
      </section>
    );
  }
  return (
    <section class="chart-table" aria-labelledby="h-targets">
      <h2 id="h-targets">{title}</h2>
      <div class="table-wrap" role="region" tabindex={0} aria-label={t('transparency.table_region', { title })}>
        <table class="figures-table" id="table-targets">
          <caption class="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{t('transparency.columns.target')}</th>
              <th scope="col">{t('transparency.columns.share')}</th>
              <th scope="col">{t('transparency.columns.met')}</th>
            </tr>
          </thead>
          <tbody>
            {ind.targets.map((x) => (
              <tr data-target={x.id}>
                <th scope="row">{x.label}</th>
                <td class="num">
                  <Figure ctx={ctx} cell={x.share} kind="share" />
                </td>
                <td>{x.share.suppressed ? <Figure ctx={ctx} cell={x.share} kind="share" /> : t(x.met === null ? 'transparency.no_data' : x.met ? 'transparency.met.yes' : 'transparency.met.no')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The page without the site's header and footer, for a frame in another site. */
function EmbedShell({ ctx, title, children }: { ctx: PageCtx; title: string; children: ComponentChildren }) {
  return (
    <html lang={ctx.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${ctx.tenant.name}`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
        <link rel="stylesheet" href={tenantPath(ctx, 'theme.css')} />
        {CHART_STYLES.map((href) => (
          <link rel="stylesheet" href={href} />
        ))}
        <script src="/assets/app.js" defer></script>
        {CHART_SCRIPTS.map((src) => (
          <script src={src} defer></script>
        ))}
      </head>
      <body class="embed">
        <main id="main" tabindex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
}

export type TransparencyView = {
  /** The chosen period: `last12` or YYYY-MM. */
  period: string;
  /** The months offered, newest first. */
  months: string[];
  /** The first and last month of the last 12 months. */
  last12: { first: string; last: string };
  embed: boolean;
  ind?: PublicIndicators;
  errors?: FieldErrors;
};

export function TransparencyPage({ ctx, view }: { ctx: PageCtx; view: TransparencyView }) {
  const { t, lang, tenant } = ctx;
  const title = t('transparency.title');
  const ind = view.ind;
  const options = [
    { value: 'last12', label: t('transparency.period.last12', { from: monthLabel(view.last12.first, lang), to: monthLabel(view.last12.last, lang) }) },
    ...view.months.map((m) => ({ value: m, label: monthLabel(m, lang) })),
  ];
  const chosen = options.find((o) => o.value === view.period)?.label ?? '';
  const api = `/api/v1/open-data/${encodeURIComponent(tenant.slug)}`;
  const body = (
    <>
      <h1>{title}</h1>
      <p class="lead">{t('transparency.intro', { name: tenant.name })}</p>
      <ErrorSummary ctx={ctx} errors={view.errors ?? {}} />
      <form method="get" action={tenantPath(ctx, 'transparency')} class="filters">
        <input type="hidden" name="lang" value={lang} />
        {view.embed ? <input type="hidden" name="embed" value="1" /> : null}
        <Select name="period" label={t('transparency.period.label')} options={options} value={view.period} errors={view.errors} />
        <div class="actions">
          <button type="submit">{t('transparency.period.submit')}</button>
        </div>
      </form>
      {ind ? (
        <>
          <p id="period-shown" role="status">
            {t('transparency.period.showing', { period: chosen })}
          </p>
          <Headline ctx={ctx} ind={ind} />
          <p class="notice" id="suppression-note">
            {t('transparency.suppression_note')}
          </p>
          <p id="publication-note">{t('transparency.publication_note')}</p>
          <Breakdown ctx={ctx} id="by-channel" title={t('transparency.tables.by_channel')} column={t('transparency.columns.channel')} items={ind.byChannel} total={ind.attentions} chart="doughnut" />
          <Breakdown ctx={ctx} id="by-procedure" title={t('transparency.tables.by_procedure')} column={t('transparency.columns.procedure')} items={ind.byProcedure} total={ind.attentions} chart="bar" />
          <Breakdown ctx={ctx} id="by-type" title={t('transparency.tables.by_type')} column={t('transparency.columns.type')} items={ind.byType} total={ind.attentions} chart="bar" />
          <Satisfaction ctx={ctx} ind={ind} />
          <Targets ctx={ctx} ind={ind} />
          <section aria-labelledby="h-open-data">
            <h2 id="h-open-data">{t('transparency.open_data.title')}</h2>
            <p>{t('transparency.open_data.text')}</p>
            <ul>
              <li>
                <a href={`${api}/daily?from=${ind.period.from}&to=${ind.period.to}&format=csv&lang=${lang}`}>{t('transparency.open_data.csv')}</a>
              </li>
              <li>
                <a href={`${api}/daily?from=${ind.period.from}&to=${ind.period.to}&format=json&lang=${lang}`}>{t('transparency.open_data.json')}</a>
              </li>
              <li>
                <a href={`${api}/summary?${ind.period.kind === 'month' ? `month=${ind.period.months[0]}&` : ''}lang=${lang}`}>{t('transparency.open_data.summary')}</a>
              </li>
              <li>
                <a href="/api/openapi.json">{t('transparency.open_data.api')}</a>
              </li>
            </ul>
          </section>
        </>
      ) : null}
    </>
  );
  if (view.embed) return <EmbedShell ctx={ctx} title={title}>{body}</EmbedShell>;
  return (
    <Layout ctx={ctx} title={title} scripts={CHART_SCRIPTS} styles={CHART_STYLES}>
      {body}
    </Layout>
  );
}
