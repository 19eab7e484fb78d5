/**
 * The monthly indicators report as a PDF, in one language: the town hall and
 * the month, the headline indicators and the service-level targets each with
 * the previous month's value and the change (a drawn arrow and the signed
 * difference), vector charts (volume by day, by channel, by type; the
 * satisfaction answers), the tables by procedure, type and channel, and on
 * every page the generation date and the page number. Aggregates only: no
 * citizen and no agent is named.
 */
import type { Language } from '../../../shared/domain.js';
import { formatDateTime } from '../../i18n/format.js';
import { translator, type T } from '../../i18n/i18n.js';
import { indicatorTables, type IndicatorTable } from '../indicators/indicator-tables.js';
import type { Breakdown, Indicators } from '../indicators/indicators.types.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { drawBarChart, drawHorizontalBarChart, drawLineChart } from './pdf-charts.js';
import { drawTable, type Cell } from './pdf-table.js';
import { capitalise, dayName, monthName, NO_VALUE, reportFormat, winAnsi, type FigureKind } from './report-format.js';
import { addMonths } from './report-month.js';

export type MonthlyReportInput = {
  tenant: Pick<Tenant, 'name' | 'timeZone' | 'colour'>;
  lang: Language;
  /** YYYY-MM */
  month: string;
  /** The days covered (up to today for the month in course). */
  period: { from: string; to: string; partial: boolean };
  current: Indicators;
  previous: Indicators;
  generatedAt: Date;
};

const MARGIN = 50;
const FOOTER = 24;
const INK = '#1a1a1a';

type Headline = { key: string; kind: FigureKind; get: (i: Indicators) => number | null };

/** The headline figures, in the order printed. */
const HEADLINES: Headline[] = [
  { key: 'attentions', kind: 'count', get: (i) => i.totals.attentions },
  { key: 'closed', kind: 'count', get: (i) => i.totals.closed },
  { key: 'no_show_rate', kind: 'share', get: (i) => i.rates.noShow },
  { key: 'callbacks_not_reached', kind: 'count', get: (i) => i.rates.callbacksNotReached },
  { key: 'missing_documents', kind: 'count', get: (i) => i.rates.missingDocuments },
  { key: 'first_contact_resolution', kind: 'share', get: (i) => i.rates.firstContactResolution },
  { key: 'wait_average', kind: 'seconds', get: (i) => i.waiting.averageSeconds },
  { key: 'wait_p90', kind: 'seconds', get: (i) => i.waiting.p90Seconds },
  { key: 'handling_average', kind: 'seconds', get: (i) => i.handling.averageSeconds },
  { key: 'handling_p90', kind: 'seconds', get: (i) => i.handling.p90Seconds },
  { key: 'first_free_average', kind: 'days', get: (i) => i.firstFree.averageWorkingDays },
  { key: 'responses', kind: 'count', get: (i) => i.satisfaction.responses },
  { key: 'liked_average', kind: 'score', get: (i) => i.satisfaction.likedAverage },
  { key: 'easy_average', kind: 'score', get: (i) => i.satisfaction.easyAverage },
  { key: 'again_share', kind: 'share', get: (i) => i.satisfaction.againShare },
];

/** Renders the report; resolves with the PDF's bytes. pdfkit is loaded on the first report (not held by a process that makes none). */
export async function renderMonthlyReport(input: MonthlyReportInput): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  const { tenant, lang, month } = input;
  const t = translator(lang);
  const monthLabel = monthName(month, lang);
  const title = t('report.title');
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    lang,
    displayTitle: true,
    info: {
      Title: winAnsi(`${title} · ${capitalise(monthLabel)} · ${tenant.name}`),
      Author: winAnsi(tenant.name),
      Subject: winAnsi(t('report.pdf.subject', { month: monthLabel })),
      Creator: 'Finestreta',
      CreationDate: input.generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  new ReportWriter(doc, input, t).write(title, monthLabel);
  doc.end();
  return done;
}

class ReportWriter {
  private readonly fmt;
  private readonly width: number;
  private readonly colour: string;
  private readonly previousLabel: string;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly input: MonthlyReportInput,
    private readonly t: T,
  ) {
    this.fmt = reportFormat(input.lang, t);
    this.width = doc.page.width - 2 * MARGIN;
    this.colour = /^#[0-9a-f]{6}$/i.test(input.tenant.colour) ? input.tenant.colour : '#0b5394';
    this.previousLabel = monthName(addMonths(input.month, -1), input.lang);
  }

  write(title: string, monthLabel: string) {
    this.header(title, monthLabel);
    this.headlines(monthLabel);
    this.targets(monthLabel);
    this.doc.addPage();
    this.charts();
    this.doc.addPage();
    this.tables(monthLabel);
    this.footers();
  }

  private get bottom() {
    return this.doc.page.height - MARGIN - FOOTER;
  }

  private text(s: string, o: { size?: number; bold?: boolean; colour?: string; gap?: number } = {}) {
    const { doc } = this;
    doc.font(o.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(o.size ?? 10).fillColor(o.colour ?? INK);
    doc.text(winAnsi(s), MARGIN, doc.y, { width: this.width });
    doc.y += o.gap ?? 0;
  }

  /** A section heading; starts a new page when fewer than `room` points are left under it. */
  private heading(s: string, room = 80) {
    if (this.doc.y + room > this.bottom) this.doc.addPage();
    this.doc.y += 6;
    this.text(s, { size: 13, bold: true, colour: this.colour, gap: 4 });
  }

  private header(title: string, monthLabel: string) {
    const { doc, input, t } = this;
    doc.save().rect(MARGIN, MARGIN, this.width, 4).fill(this.colour).restore();
    doc.y = MARGIN + 14;
    this.text(input.tenant.name, { size: 18, bold: true, gap: 2 });
    this.text(title, { size: 13, gap: 2 });
    this.text(capitalise(monthLabel), { size: 22, bold: true, colour: this.colour, gap: 6 });
    const { from, to, partial } = input.period;
    this.text(t('report.pdf.period', { from: dayName(from, input.lang), to: dayName(to, input.lang) }), { size: 9.5 });
    if (partial) this.text(t('report.pdf.partial', { day: dayName(to, input.lang) }), { size: 9.5, bold: true });
    this.text(t('report.pdf.compared', { month: this.previousLabel }), { size: 9.5 });
    this.text(t('report.pdf.aggregates_only'), { size: 9.5, colour: '#555555', gap: 8 });
  }

  private table(columns: Parameters<typeof drawTable>[1]['columns'], rows: Cell[][]) {
    drawTable(this.doc, {
      x: MARGIN,
      width: this.width,
      columns,
      rows,
      bottom: this.bottom,
      newPage: () => {
        this.doc.addPage();
        return MARGIN;
      },
    });
  }

  private headlines(monthLabel: string) {
    const { input, t, fmt } = this;
    this.heading(t('report.pdf.headlines'));
    this.text(t('report.pdf.change_note'), { size: 8.5, colour: '#555555', gap: 4 });
    this.table(
      [
        { header: t('report.pdf.col_indicator'), width: 0.43 },
        { header: monthLabel, width: 0.19, align: 'right' },
        { header: this.previousLabel, width: 0.19, align: 'right' },
        { header: t('report.pdf.col_change'), width: 0.19, align: 'right' },
      ],
      HEADLINES.map((h) => {
        const cur = h.get(input.current);
        const prev = h.get(input.previous);
        return [t(`report.headline.${h.key}`), fmt.value(h.kind, cur), fmt.value(h.kind, prev), fmt.change(h.kind, cur, prev)];
      }),
    );
  }

  private targets(monthLabel: string) {
    const { input, t, fmt } = this;
    this.heading(t('report.pdf.targets'));
    if (input.current.targets.length === 0) return this.text(t('report.pdf.no_targets'), { size: 9.5 });
    const previous = new Map(input.previous.targets.map((g) => [g.id, g]));
    this.table(
      [
        { header: t('report.pdf.col_target'), width: 0.34 },
        { header: t('report.pdf.col_goal'), width: 0.1, align: 'right' },
        { header: monthLabel, width: 0.16, align: 'right' },
        { header: this.previousLabel, width: 0.16, align: 'right' },
        { header: t('report.pdf.col_change'), width: 0.12, align: 'right' },
        { header: t('report.pdf.col_result'), width: 0.12 },
      ],
      input.current.targets.map((g) => {
        const prev = previous.get(g.id);
        const measured = (share: number | null, n: number) => (share === null ? NO_VALUE : t('report.pdf.share_of', { share: fmt.value('share', share), measured: fmt.whole(n) }));
        return [
          g.label,
          fmt.value('share', g.goalPercent / 100),
          measured(g.share, g.measured),
          prev ? measured(prev.share, prev.measured) : NO_VALUE,
          fmt.change('share', g.share, prev?.share ?? null),
          t(g.met === null ? 'report.pdf.target_no_data' : g.met ? 'report.pdf.target_met' : 'report.pdf.target_not_met'),
        ];
      }),
    );
  }

  private charts() {
    const { doc, input, t, fmt } = this;
    const cur = input.current;
    const prev = input.previous;
    const common = { format: (n: number) => fmt.whole(n), colour: this.colour, emptyText: t('report.pdf.no_data') };
    const monthLabel = capitalise(monthName(input.month, input.lang));
    const previousLabel = capitalise(this.previousLabel);
    this.heading(t('report.pdf.charts'));
    let y = doc.y;

    // volume by day of the month, the previous month dashed behind it
    const days = cur.volume.byDay.map((d) => Number(d.day.slice(8)));
    drawLineChart(doc, { x: MARGIN, y, width: this.width, height: 165 }, {
      ...common,
      title: t('report.pdf.chart_by_day'),
      labels: days.map(String),
      labelEvery: 5,
      series: [
        { label: monthLabel, data: cur.volume.byDay.map((d) => d.count), style: 'solid' },
        { label: previousLabel, data: prev.volume.byDay.map((d) => d.count), style: 'dashed' },
      ],
    });
    y += 185;

    // by channel, this month and the previous one
    const channels = mergeKeys(cur.volume.byChannel, prev.volume.byChannel);
    drawBarChart(doc, { x: MARGIN, y, width: this.width * 0.46, height: 165 }, {
      ...common,
      title: t('report.pdf.chart_by_channel'),
      labels: channels.map((c) => c.label),
      series: [
        { label: monthLabel, data: channels.map((c) => c.current), style: 'solid' },
        { label: previousLabel, data: channels.map((c) => c.previous), style: 'outline' },
      ],
    });

    // the satisfaction answers, 0–10
    drawBarChart(doc, { x: MARGIN + this.width * 0.52, y, width: this.width * 0.48, height: 165 }, {
      ...common,
      title: t('report.pdf.chart_satisfaction'),
      labels: Array.from({ length: 11 }, (_, i) => String(i)),
      series: [
        { label: t('report.pdf.series_liked'), data: cur.satisfaction.likedDistribution, style: 'solid' },
        { label: t('report.pdf.series_easy'), data: cur.satisfaction.easyDistribution, style: 'outline' },
      ],
    });
    y += 185;

    // by consultation type (the ten largest)
    const types = [...cur.volume.byType].sort((a, b) => b.count - a.count).slice(0, 10);
    drawHorizontalBarChart(doc, { x: MARGIN, y, width: this.width, height: 18 + Math.max(types.length, 2) * 16 }, {
      ...common,
      title: t('report.pdf.chart_by_type'),
      labels: types.map((b) => b.label),
      series: [{ label: monthLabel, data: types.map((b) => b.count), style: 'solid' }],
    });
    doc.x = MARGIN;
    doc.y = y + 18 + Math.max(types.length, 2) * 16 + 10;
  }

  /** The breakdowns by procedure, type and channel, with the previous month's counts beside them. */
  private tables(monthLabel: string) {
    const { input, t } = this;
    const current = new Map(indicatorTables(input.current, t).map((x) => [x.id, x]));
    const previous = new Map(indicatorTables(input.previous, t).map((x) => [x.id, x]));
    this.heading(t('report.pdf.details'));
    for (const id of ['by-procedure', 'by-type', 'by-channel']) {
      const table = current.get(id);
      if (!table) continue;
      this.heading(table.title, 60);
      this.breakdownTable(table, previous.get(id), monthLabel);
    }
  }

  private breakdownTable(table: IndicatorTable, previous: IndicatorTable | undefined, monthLabel: string) {
    const { fmt, t } = this;
    const before = new Map((previous?.rows ?? []).map((r) => [String(r[0]), r]));
    // what the previous month had and this one has not, with a count of 0
    const labels = new Set(table.rows.map((r) => String(r[0])));
    const rows = [...table.rows, ...[...before.values()].filter((r) => !labels.has(String(r[0]))).map((r) => [r[0], 0, null])];
    if (rows.length === 0) return this.text(t('report.pdf.no_data'), { size: 9.5, gap: 6 });
    const count = (v: unknown) => (typeof v === 'number' ? v : null);
    // columns: the label, this month's count, its share, the previous month's count, the change
    const [first, , share] = table.columns;
    this.table(
      [
        { header: first, width: 0.36 },
        { header: monthLabel, width: 0.18, align: 'right' },
        { header: share ?? '', width: 0.12, align: 'right' },
        { header: this.previousLabel, width: 0.18, align: 'right' },
        { header: t('report.pdf.col_change'), width: 0.16, align: 'right' },
      ],
      rows.map((row) => {
        const prev = before.get(String(row[0]));
        return [
          cellText(row[0], fmt),
          cellText(row[1], fmt),
          cellText(row[2], fmt),
          prev ? cellText(prev[1], fmt) : fmt.value('count', 0),
          fmt.change('count', count(row[1]), count(prev?.[1]) ?? 0),
        ];
      }),
    );
  }

  /** "Generated on … · Page n of N" at the foot of every page. */
  private footers() {
    const { doc, input, t } = this;
    const range = doc.bufferedPageRange();
    const generated = formatDateTime(input.generatedAt, input.tenant.timeZone, input.lang);
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      const keep = doc.page.margins.bottom;
      doc.page.margins.bottom = 0; // text below the margin would otherwise open a new page
      doc.font('Helvetica').fontSize(8).fillColor('#555555');
      const line = winAnsi(t('report.pdf.footer', { town: input.tenant.name, date: generated, page: i + 1, pages: range.count }));
      doc.text(line, MARGIN, doc.page.height - MARGIN - 10, { width: this.width, align: 'center', lineBreak: false });
      doc.page.margins.bottom = keep;
    }
  }
}

/** A cell of an indicator table as printed: numbers in the language's format. */
function cellText(v: string | number | null | undefined, fmt: ReturnType<typeof reportFormat>): string {
  if (v === null || v === undefined) return NO_VALUE;
  if (typeof v === 'number') return Number.isInteger(v) ? fmt.whole(v) : fmt.value('score', v);
  return v;
}

/** The categories of two breakdowns (this month's order first), with both counts. */
function mergeKeys(current: Breakdown, previous: Breakdown): { key: string; label: string; current: number; previous: number }[] {
  const out = current.map((b) => ({ key: b.key, label: b.label, current: b.count, previous: 0 }));
  for (const b of previous) {
    const found = out.find((o) => o.key === b.key);
    if (found) found.previous = b.count;
    else out.push({ key: b.key, label: b.label, current: 0, previous: b.count });
  }
  return out;
}
