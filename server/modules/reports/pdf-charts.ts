/**
 * Small vector charts drawn straight on a pdfkit page (bars, lines). Every
 * series is told apart by shape as well as colour (filled or hollow bars,
 * solid or dashed lines, named in a legend), and bars carry their value, so a
 * chart reads in grey print and its figures survive text extraction.
 */
import { winAnsi } from './report-format.js';

type Doc = PDFKit.PDFDocument;

export type ChartBox = { x: number; y: number; width: number; height: number };

/** `solid`: filled bars / solid line with dots; `outline`: hollow bars; `dashed`: dashed line. */
export type ChartSeries = { label: string; data: number[]; style: 'solid' | 'outline' | 'dashed' };

export type ChartOptions = {
  title: string;
  labels: string[];
  series: ChartSeries[];
  /** Prints a value (axis ticks and bar labels). */
  format: (n: number) => string;
  colour: string;
  /** Printed in the plot when every value is zero. */
  emptyText: string;
  /** Line charts: print one category label in this many (long series such as days). */
  labelEvery?: number;
};

const INK = '#1a1a1a';
const GRID = '#c8c8c8';
const MUTED = '#555555';
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';

/** A round axis maximum at or above `max` and its step (1, 2 or 5 × 10^k, at least 1: the charts count things), about four intervals. */
export function niceScale(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 4, step: 1 };
  const raw = max / 4;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw)!);
  return { top: Math.ceil(max / step) * step, step };
}

/** The text shortened with an ellipsis to fit `width` at the current font. */
function fit(doc: Doc, text: string, width: number): string {
  const s = winAnsi(text);
  if (doc.widthOfString(s) <= width) return s;
  let cut = s;
  while (cut.length > 1 && doc.widthOfString(`${cut}…`) > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** One line of text at (x, y) that never flows onto a new page. */
function label(doc: Doc, text: string, x: number, y: number, o: { width?: number; align?: 'left' | 'center' | 'right'; size?: number; bold?: boolean; colour?: string } = {}) {
  doc.font(o.bold ? BOLD : FONT).fontSize(o.size ?? 7).fillColor(o.colour ?? INK);
  const s = o.width ? fit(doc, text, o.width) : winAnsi(text);
  doc.text(s, x, y, { width: o.width, align: o.align ?? 'left', lineBreak: false });
}

/** Title and, with more than one series, a legend; returns the y where the plot may start. */
function heading(doc: Doc, box: ChartBox, o: ChartOptions, kind: 'bar' | 'line'): number {
  label(doc, o.title, box.x, box.y, { size: 9, bold: true, width: box.width });
  let y = box.y + 14;
  if (o.series.length > 1) {
    let x = box.x;
    for (const s of o.series) {
      swatch(doc, s, x, y + 1, kind, o.colour);
      doc.font(FONT).fontSize(7);
      const text = winAnsi(s.label);
      label(doc, text, x + 16, y + 1);
      x += 16 + doc.widthOfString(text) + 14;
    }
    y += 12;
  }
  return y + 4;
}

function swatch(doc: Doc, s: ChartSeries, x: number, y: number, kind: 'bar' | 'line', colour: string) {
  doc.save();
  if (kind === 'bar') {
    doc.lineWidth(1).rect(x + 2, y, 9, 7);
    if (s.style === 'solid') doc.fillAndStroke(colour, colour);
    else doc.fillAndStroke('#ffffff', colour);
  } else {
    doc.lineWidth(1.5).strokeColor(s.style === 'dashed' ? MUTED : colour);
    if (s.style === 'dashed') doc.dash(3, { space: 2 });
    doc.moveTo(x, y + 4).lineTo(x + 13, y + 4).stroke();
    doc.undash();
  }
  doc.restore();
}

/** Horizontal grid lines with their values on the left; returns the plot's left edge. */
function grid(doc: Doc, o: ChartOptions, x: number, top: number, bottom: number, right: number, scale: { top: number; step: number }): number {
  doc.font(FONT).fontSize(7);
  const ticks: number[] = [];
  for (let v = 0; v <= scale.top + 1e-9; v += scale.step) ticks.push(v);
  const axisWidth = Math.max(...ticks.map((v) => doc.widthOfString(winAnsi(o.format(v))))) + 4;
  const left = x + axisWidth;
  doc.save().lineWidth(0.5).strokeColor(GRID);
  for (const v of ticks) {
    const y = bottom - ((bottom - top) * v) / scale.top;
    doc.moveTo(left, y).lineTo(right, y).stroke();
    label(doc, o.format(v), x, y - 3, { width: axisWidth - 3, align: 'right', colour: MUTED });
  }
  doc.restore();
  doc.save().lineWidth(0.8).strokeColor(INK).moveTo(left, bottom).lineTo(right, bottom).stroke().restore();
  return left;
}

function empty(doc: Doc, box: ChartBox, top: number, text: string) {
  label(doc, text, box.x, top + (box.y + box.height - top) / 2 - 4, { width: box.width, align: 'center', size: 8, colour: MUTED });
}

const allZero = (o: ChartOptions) => o.series.every((s) => s.data.every((v) => !v));

/** Vertical bars, one group per label, one bar per series, the value above each bar. */
export function drawBarChart(doc: Doc, box: ChartBox, o: ChartOptions): void {
  const top = heading(doc, box, o, 'bar');
  if (allZero(o)) return empty(doc, box, top, o.emptyText);
  const bottom = box.y + box.height - 12;
  const plotTop = top + 10; // room for the value above the tallest bar
  const scale = niceScale(Math.max(...o.series.flatMap((s) => s.data)));
  const left = grid(doc, o, box.x, plotTop, bottom, box.x + box.width, scale);
  const groupWidth = (box.x + box.width - left) / o.labels.length;
  const barWidth = Math.min(28, (groupWidth * 0.75) / o.series.length);
  o.labels.forEach((name, i) => {
    const groupLeft = left + i * groupWidth + (groupWidth - barWidth * o.series.length) / 2;
    o.series.forEach((s, j) => {
      const v = s.data[i] ?? 0;
      const h = ((bottom - plotTop) * v) / scale.top;
      const x = groupLeft + j * barWidth;
      if (h > 0) {
        doc.save().lineWidth(0.8).rect(x + 0.5, bottom - h, barWidth - 1, h);
        if (s.style === 'solid') doc.fillAndStroke(o.colour, o.colour);
        else doc.fillAndStroke('#ffffff', o.colour);
        doc.restore();
      }
      if (barWidth >= 7) label(doc, o.format(v), x - 4, bottom - h - 9, { width: barWidth + 8, align: 'center', size: barWidth >= 9 ? 6.5 : 5.5 });
    });
    label(doc, name, left + i * groupWidth, bottom + 3, { width: groupWidth, align: 'center' });
  });
}

/** Horizontal bars (long labels such as consultation types): label on the left, value at the bar's end. */
export function drawHorizontalBarChart(doc: Doc, box: ChartBox, o: ChartOptions): void {
  const top = heading(doc, box, o, 'bar');
  if (allZero(o)) return empty(doc, box, top, o.emptyText);
  const s = o.series[0];
  const labelWidth = box.width * 0.38;
  const valueWidth = 34;
  const left = box.x + labelWidth + 6;
  const span = box.x + box.width - valueWidth - left;
  const max = Math.max(...s.data, 1);
  const row = Math.min(16, (box.y + box.height - top) / o.labels.length);
  o.labels.forEach((name, i) => {
    const y = top + i * row;
    const v = s.data[i] ?? 0;
    label(doc, name, box.x, y + row / 2 - 4, { width: labelWidth, align: 'right' });
    const w = (span * v) / max;
    if (w > 0) doc.save().rect(left, y + 2, w, row - 5).fill(o.colour).restore();
    label(doc, o.format(v), left + w + 3, y + row / 2 - 4);
  });
  doc.save().lineWidth(0.8).strokeColor(INK).moveTo(left, top).lineTo(left, top + row * o.labels.length).stroke().restore();
}

/** Lines over the labels (e.g. days): a solid line with dots, a dashed one for comparison. */
export function drawLineChart(doc: Doc, box: ChartBox, o: ChartOptions): void {
  const top = heading(doc, box, o, 'line');
  if (allZero(o)) return empty(doc, box, top, o.emptyText);
  const bottom = box.y + box.height - 12;
  const scale = niceScale(Math.max(...o.series.flatMap((s) => s.data)));
  const left = grid(doc, o, box.x, top + 4, bottom, box.x + box.width, scale);
  const n = Math.max(...o.series.map((s) => s.data.length), o.labels.length);
  const stepX = n > 1 ? (box.x + box.width - left - 8) / (n - 1) : 0;
  const px = (i: number) => left + 4 + i * stepX;
  const py = (v: number) => bottom - ((bottom - top - 4) * v) / scale.top;
  // the comparison (dashed) first, the month itself on top
  for (const s of [...o.series].sort((a, b) => Number(a.style !== 'dashed') - Number(b.style !== 'dashed'))) {
    if (!s.data.length) continue;
    doc.save().lineWidth(s.style === 'dashed' ? 1 : 1.6).strokeColor(s.style === 'dashed' ? MUTED : o.colour);
    if (s.style === 'dashed') doc.dash(3, { space: 2 });
    doc.moveTo(px(0), py(s.data[0]));
    s.data.forEach((v, i) => i > 0 && doc.lineTo(px(i), py(v)));
    doc.stroke().undash().restore();
    if (s.style !== 'dashed') s.data.forEach((v, i) => doc.save().circle(px(i), py(v), 1.6).fill(o.colour).restore());
  }
  const every = o.labelEvery ?? 1;
  o.labels.forEach((name, i) => {
    if (i % every === 0 || i === o.labels.length - 1) label(doc, name, px(i) - 10, bottom + 3, { width: 20, align: 'center' });
  });
}
