/**
 * A plain table on pdfkit pages: a shaded header row, wrapped cells, numbers
 * right-aligned, and a change column whose arrow (drawn, not a glyph) sits
 * next to its signed figure. A table that reaches the foot of a page goes on
 * to the next one, its header repeated.
 */
import { winAnsi, type Direction } from './report-format.js';

type Doc = PDFKit.PDFDocument;

export type Cell = string | { text: string; direction: Direction };
export type Column = { header: string; /** Share of the table's width. */ width: number; align?: 'left' | 'right' };

const PAD = 4;
const SIZE = 8.5;

const cellText = (c: Cell) => winAnsi(typeof c === 'string' ? c : c.text);

/** The small arrow of a change: up, down, or a level bar. */
function arrow(doc: Doc, direction: Direction, right: number, y: number) {
  if (direction === null) return;
  doc.save().fillColor('#1a1a1a');
  const x = right - 7;
  if (direction === 1) doc.polygon([x, y + 7], [x + 6, y + 7], [x + 3, y + 1.5]).fill();
  else if (direction === -1) doc.polygon([x, y + 1.5], [x + 6, y + 1.5], [x + 3, y + 7]).fill();
  else doc.rect(x, y + 3.5, 6, 1.4).fill();
  doc.restore();
}

/**
 * Draws the table from the current `doc.y`; `bottom` is the lowest y rows may
 * reach, `newPage` opens the next page and returns the y to go on from.
 * Leaves `doc.y` below the table.
 */
export function drawTable(doc: Doc, o: { x: number; width: number; columns: Column[]; rows: Cell[][]; bottom: number; newPage: () => number }): void {
  const widths = o.columns.map((c) => c.width * o.width);
  const lefts = widths.map((_, i) => o.x + widths.slice(0, i).reduce((a, b) => a + b, 0));
  const heightOf = (texts: string[], bold: boolean) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(SIZE);
    return Math.max(...texts.map((s, i) => doc.heightOfString(s || ' ', { width: widths[i] - 2 * PAD - 10 }))) + 2 * PAD - 1;
  };
  const headers = o.columns.map((c) => winAnsi(c.header));
  const headerHeight = heightOf(headers, true);

  const drawHeader = (y: number) => {
    doc.save().rect(o.x, y, o.width, headerHeight).fill('#e8e8e8').restore();
    doc.font('Helvetica-Bold').fontSize(SIZE).fillColor('#1a1a1a');
    headers.forEach((h, i) => doc.text(h, lefts[i] + PAD, y + PAD, { width: widths[i] - 2 * PAD, align: o.columns[i].align ?? 'left' }));
    return y + headerHeight;
  };

  let y = drawHeader(doc.y);
  for (const row of o.rows) {
    const texts = row.map(cellText);
    const h = heightOf(texts, false);
    if (y + h > o.bottom) y = drawHeader(o.newPage());
    doc.font('Helvetica').fontSize(SIZE).fillColor('#1a1a1a');
    row.forEach((cell, i) => {
      const align = o.columns[i].align ?? 'left';
      const direction = typeof cell === 'string' ? null : cell.direction;
      const hasArrow = direction !== null;
      const shift = hasArrow && align === 'left' ? 10 : 0;
      const width = widths[i] - 2 * PAD - shift;
      doc.text(texts[i], lefts[i] + PAD + shift, y + PAD, { width, align });
      if (hasArrow) {
        const textStart = align === 'right' ? lefts[i] + widths[i] - PAD - Math.min(doc.widthOfString(texts[i]), width) : lefts[i] + PAD + 9;
        arrow(doc, direction, textStart - 2, y + PAD);
      }
    });
    y += h;
    doc.save().lineWidth(0.5).strokeColor('#cccccc').moveTo(o.x, y).lineTo(o.x + o.width, y).stroke().restore();
  }
  doc.x = o.x;
  doc.y = y + 10;
}
