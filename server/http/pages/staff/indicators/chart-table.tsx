/**
 * One figure of the dashboard: its chart (drawn by assets/indicator-charts.js
 * from the JSON block after the canvas) and, beside it, the table that says
 * the same, with a CSV link. Without JavaScript the table remains.
 */
import type { IndicatorTable } from '../../../../modules/indicators/indicator-tables.js';
import type { PageCtx } from '../../page-context.js';
import { scriptJson } from '../../script-json.js';
import type { Formats } from './figures-format.js';

/** What indicator-charts.js reads from a `<script type="application/json" data-chart>` block. */
export type ChartSpec = {
  type: 'bar' | 'line' | 'doughnut';
  title: string;
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
  /** Width / height; indicator-charts.js picks one by type and screen width otherwise. */
  aspectRatio?: number;
};

export function Chart({ ctx, spec }: { ctx: PageCtx; spec: ChartSpec }) {
  return (
    <div class="chart">
      <canvas role="img" aria-label={ctx.t('dashboard.charts.described', { title: spec.title })}></canvas>
      <script type="application/json" data-chart dangerouslySetInnerHTML={{ __html: scriptJson(spec) }}></script>
    </div>
  );
}

/** A table of indicatorTables() as HTML: caption, column headers, the first cell of each row as its header. */
export function DataTable({ table, f, captionHidden }: { table: IndicatorTable; f: Formats; captionHidden?: boolean }) {
  const cell = (v: string | number | null) =>
    v === null ? (
      <>
        <span aria-hidden="true">–</span>
        <span class="sr-only">{f.noData}</span>
      </>
    ) : typeof v === 'number' ? (
      f.cell(v)
    ) : (
      v
    );
  // a column with numbers is aligned right, its header and its empty cells too
  const numeric = table.columns.map((_, i) => i > 0 && table.rows.some((r) => typeof r[i] === 'number'));
  return (
    <table class="figures-table" id={`table-${table.id}`}>
      <caption class={captionHidden ? 'sr-only' : undefined}>{table.title}</caption>
      <thead>
        <tr>
          {table.columns.map((c, i) => (
            <th scope="col" class={numeric[i] ? 'num' : undefined}>
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {table.rows.map((row) => (
          <tr>
            {row.map((v, i) => (i === 0 ? <th scope="row">{cell(v)}</th> : <td class={numeric[i] ? 'num' : undefined}>{cell(v)}</td>))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A heading, the chart (if any) and the table side by side, and the table's CSV link. */
/** `heading: false` when the section's own heading already names the table. */
export function ChartTable(p: { ctx: PageCtx; table: IndicatorTable; chart?: ChartSpec; csvHref: string; f: Formats; heading?: boolean }) {
  const { ctx, table } = p;
  return (
    <div class="chart-table">
      {p.heading === false ? null : <h3 id={`h-${table.id}`}>{table.title}</h3>}
      <div class={`chart-table-body${p.chart ? '' : ' table-only'}${table.columns.length > 4 ? ' wide' : ''}`}>
        {p.chart ? <Chart ctx={ctx} spec={p.chart} /> : null}
        <div class="table-wrap" role="region" tabindex={0} aria-label={ctx.t('dashboard.table_region', { title: table.title })}>
          <DataTable table={table} f={p.f} captionHidden />
        </div>
      </div>
      <p class="csv">
        <a href={p.csvHref} download>
          {ctx.t('dashboard.csv', { title: table.title })}
        </a>
      </p>
    </div>
  );
}
