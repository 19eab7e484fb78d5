/**
 * Numbers, changes and months as the report prints them, in its language
 * (Intl), and the one filter that keeps every printed text inside WinAnsi, the
 * encoding of the PDF's standard Helvetica fonts.
 */
import type { Language } from '../../../shared/domain.js';
import { translator, type T } from '../../i18n/i18n.js';

/** How a figure reads: a count, a share (0–1), seconds (printed as minutes), working days, a 0–10 score. */
export type FigureKind = 'count' | 'share' | 'seconds' | 'days' | 'score';

/** Up, down or level; null when there is nothing to compare. */
export type Direction = 1 | -1 | 0 | null;

export type Change = { text: string; direction: Direction };

/** Printed for a figure without data. */
export const NO_VALUE = '–';

export function reportFormat(lang: Language, t: T) {
  const whole = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  const oneDecimal = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const signedWhole = new Intl.NumberFormat(lang, { maximumFractionDigits: 0, signDisplay: 'exceptZero' });
  const signedOne = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' });
  const percent = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 });
  const round1 = (n: number) => Math.round(n * 10) / 10;

  /** The figure as printed; the dash for no data. */
  function value(kind: FigureKind, v: number | null | undefined): string {
    if (v === null || v === undefined || !Number.isFinite(v)) return NO_VALUE;
    switch (kind) {
      case 'count':
        return whole.format(v);
      case 'share':
        return percent.format(v);
      case 'seconds':
        return t('report.unit.minutes', { value: oneDecimal.format(v / 60) });
      case 'days':
        return t('report.unit.days', { value: oneDecimal.format(v) });
      case 'score':
        return oneDecimal.format(v);
    }
  }

  /** The signed difference current − previous, in the unit it is printed in (shares: percentage points). */
  function change(kind: FigureKind, current: number | null | undefined, previous: number | null | undefined): Change {
    if (current === null || current === undefined || previous === null || previous === undefined) return { text: NO_VALUE, direction: null };
    const diff = current - previous;
    let shown: number;
    let text: string;
    switch (kind) {
      case 'count':
        shown = Math.round(diff);
        text = signedWhole.format(shown);
        break;
      case 'share':
        shown = round1(diff * 100);
        text = t('report.unit.points', { value: signedOne.format(shown) });
        break;
      case 'seconds':
        shown = round1(diff / 60);
        text = t('report.unit.minutes', { value: signedOne.format(shown) });
        break;
      default:
        shown = round1(diff);
        text = kind === 'days' ? t('report.unit.days', { value: signedOne.format(shown) }) : signedOne.format(shown);
    }
    return { text, direction: shown > 0 ? 1 : shown < 0 ? -1 : 0 };
  }

  return { value, change, whole: (n: number) => whole.format(n) };
}

/** "novembre del 2026" (the language's own way of naming a month). */
export function monthName(month: string, lang: Language): string {
  const [y, m] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(lang, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, 15));
}

/** "15 de novembre del 2026". */
export function dayName(day: string, lang: Language): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
}

export const capitalise = (s: string) => s.charAt(0).toLocaleUpperCase() + s.slice(1);

/** Characters of Windows-1252 above Latin-1's range (0x80–0x9F). */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const REPLACEMENTS: Record<string, string> = {
  '\u2212': '-', // minus sign
  '\u2009': ' ',
  '\u202f': '\u00a0', // narrow no-break space (some locales' grouping)
  '\u2007': ' ',
  '\u2265': '>=',
  '\u2264': '<=',
  '\u2192': '->',
  '\u0140': 'l\u00b7', // ŀ (Catalan middle-dot l) → l·
  '\u013f': 'L\u00b7',
};

/** The text with every character the standard PDF fonts can draw; others become their closest form or "?". */
export function winAnsi(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    const code = ch.codePointAt(0)!;
    if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch) || ch === '\n') out += ch;
    else out += REPLACEMENTS[ch] ?? (code < 0x20 ? ' ' : '?');
  }
  return out;
}

/** The file name of a report, plain ASCII: `<slug>-<"report" in its language>-<YYYY-MM>-<lang>.pdf`. */
export function reportFileName(tenant: { slug: string }, month: string, language: Language): string {
  return `${tenant.slug}-${translator(language)('report.file_word')}-${month}-${language}.pdf`.replace(/[^A-Za-z0-9._-]/g, '_');
}
