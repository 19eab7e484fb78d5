/**
 * How the dashboard writes its figures: counts, shares and averages in the
 * reader's language, durations as "4 min 10 s", a missing figure as "no data"
 * (never a 0 that pretends to be a measure). The live panel's script mirrors
 * formatDuration with the same catalogue templates.
 */
import type { Language } from '../../../../../shared/domain.js';
import type { T } from '../../../../i18n/i18n.js';

export type Formats = {
  count(n: number): string;
  share(x: number | null): string;
  decimal(x: number | null): string;
  /** A table cell's number as the CSV has it (up to 2 decimals), in the reader's notation. */
  cell(n: number): string;
  duration(seconds: number | null): string;
  noData: string;
};

export function formats(t: T, lang: Language): Formats {
  const whole = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  const oneDecimal = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  const twoDecimals = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const percent = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 });
  const noData = t('dashboard.no_data');
  return {
    noData,
    count: (n) => whole.format(n),
    share: (x) => (x === null || !Number.isFinite(x) ? noData : percent.format(x)),
    cell: (n) => twoDecimals.format(n),
    decimal: (x) => (x === null || !Number.isFinite(x) ? noData : oneDecimal.format(x)),
    duration: (s) => (s === null || !Number.isFinite(s) ? noData : formatDuration(s, t)),
  };
}

/** 42 s · 4 min · 4 min 10 s · 1 h 5 min (rounded to the second). */
export function formatDuration(seconds: number, t: T): string {
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return t('dashboard.duration.seconds', { s: total });
  if (total < 3600) return t(total % 60 ? 'dashboard.duration.minutes' : 'dashboard.duration.whole_minutes', { m: Math.floor(total / 60), s: total % 60 });
  return t('dashboard.duration.hours', { h: Math.floor(total / 3600), m: Math.floor((total % 3600) / 60) });
}
