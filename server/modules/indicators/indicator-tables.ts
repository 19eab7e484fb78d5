/**
 * The indicators as tables: what the dashboard shows beside each chart, what
 * the CSV export and the monthly report carry. Titles and headers are
 * translated; cells stay numbers (seconds, working days, percentages 0–100)
 * so a spreadsheet can compute with them. Also the wording of a service-level
 * target ("90% of call-backs within 4 minutes") in the reader's language.
 */
import type { TFunction } from 'i18next';
import type { ServiceTarget } from '../../db/schema.js';
import type { Breakdown, Indicators } from './indicators.types.js';

export type IndicatorTable = { id: string; title: string; columns: string[]; rows: (string | number | null)[][] };

/** The table ids, in the order the dashboard and the report show them. */
export const INDICATOR_TABLE_IDS = [
  'summary',
  'by-type',
  'by-channel',
  'by-procedure',
  'by-outcome',
  'by-hour',
  'by-weekday',
  'by-day',
  'times',
  'satisfaction',
  'targets',
] as const;
export type IndicatorTableId = (typeof INDICATOR_TABLE_IDS)[number];

const round = (v: number | null, digits: number): number | null => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);
const percent = (share: number | null): number | null => round(share === null ? null : share * 100, 1);
const seconds = (v: number | null) => round(v, 0);

function languageOf(t: TFunction): string {
  return (t as unknown as { lng?: string }).lng ?? 'en';
}

/** "4 minutes", "1 minute and 30 seconds", "2 hours and 30 minutes", in the reader's language. */
export function durationText(totalSeconds: number, t: TFunction): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const parts: string[] = [];
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const secs = s % 60;
  if (hours) parts.push(t('indicators.duration.hours', { count: hours }));
  if (minutes) parts.push(t('indicators.duration.minutes', { count: minutes }));
  if (secs || parts.length === 0) parts.push(t('indicators.duration.seconds', { count: secs }));
  if (parts.length === 1) return parts[0];
  const last = parts.pop()!;
  return t('indicators.duration.join', { first: parts.join(', '), second: last });
}

/** The target in words: "90% of call-backs within 4 minutes", "90% of appointments offered within 5 working days". */
export function targetLabel(target: ServiceTarget, t: TFunction): string {
  const goal = new Intl.NumberFormat(languageOf(t), { maximumFractionDigits: 1 }).format(target.goalPercent);
  const scope = target.channel ?? 'all';
  if (target.metric === 'first_free') return t(`indicators.target.first_free.${scope}`, { goal, count: target.threshold });
  return t(`indicators.target.${target.metric}.${scope}`, { goal, duration: durationText(target.threshold, t) });
}

function breakdownRows(b: Breakdown): (string | number | null)[][] {
  const total = b.reduce((n, r) => n + r.count, 0);
  return b.map((r) => [r.label, r.count, total ? percent(r.count / total) : null]);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Every table of the indicators, translated with `t` (ids: INDICATOR_TABLE_IDS). */
export function indicatorTables(ind: Indicators, t: TFunction): IndicatorTable[] {
  const col = (k: string) => t(`indicators.col.${k}`);
  const title = (id: IndicatorTableId) => t(`indicators.table.${id}`);
  const s = (k: string) => t(`indicators.summary.${k}`);
  const sat = ind.satisfaction;
  const tables: Record<IndicatorTableId, Omit<IndicatorTable, 'id' | 'title'>> = {
    summary: {
      columns: [col('indicator'), col('value')],
      rows: [
        [s('attentions'), ind.totals.attentions],
        [s('closed'), ind.totals.closed],
        [s('no_show'), ind.totals.noShow],
        [s('not_reached'), ind.totals.notReached],
        [s('abandoned'), ind.totals.abandoned],
        [s('appointments'), ind.totals.appointments],
        [s('wait_average'), seconds(ind.waiting.averageSeconds)],
        [s('wait_p90'), ind.waiting.p90Seconds],
        [s('handling_average'), seconds(ind.handling.averageSeconds)],
        [s('handling_p90'), ind.handling.p90Seconds],
        [s('no_show_rate'), percent(ind.rates.noShow)],
        [s('callbacks_not_reached'), ind.rates.callbacksNotReached],
        [s('callbacks_not_reached_rate'), percent(ind.rates.callbacksNotReachedRate)],
        [s('missing_documents'), ind.rates.missingDocuments],
        [s('first_contact_resolution'), percent(ind.rates.firstContactResolution)],
        [s('first_free_samples'), ind.firstFree.samples],
        [s('first_free_average'), round(ind.firstFree.averageWorkingDays, 1)],
        [s('first_free_p90'), ind.firstFree.p90WorkingDays],
        [s('first_free_none'), ind.firstFree.none],
        [s('responses'), sat.responses],
        [s('liked_average'), round(sat.likedAverage, 2)],
        [s('easy_average'), round(sat.easyAverage, 2)],
        [s('again_share'), percent(sat.againShare)],
      ],
    },
    'by-type': { columns: [col('type'), col('attentions'), col('share')], rows: breakdownRows(ind.volume.byType) },
    'by-channel': { columns: [col('channel'), col('attentions'), col('share')], rows: breakdownRows(ind.volume.byChannel) },
    'by-procedure': { columns: [col('procedure'), col('attentions'), col('share')], rows: breakdownRows(ind.volume.byProcedure) },
    'by-outcome': { columns: [col('outcome'), col('attentions'), col('share')], rows: breakdownRows(ind.volume.byOutcome) },
    'by-hour': {
      columns: [col('hour'), col('attentions')],
      rows: ind.volume.byHour.map((n, h) => [t('indicators.hour_range', { from: `${pad(h)}:00`, to: `${pad((h + 1) % 24)}:00` }), n]),
    },
    'by-weekday': { columns: [col('weekday'), col('attentions')], rows: ind.volume.byWeekday.map((n, i) => [t(`weekday.${i + 1}`), n]) },
    'by-day': { columns: [col('day'), col('attentions')], rows: ind.volume.byDay.map((d) => [d.day, d.count]) },
    times: {
      columns: [col('measure'), col('measured'), col('average'), col('p90')],
      rows: [
        [t('indicators.times.waiting'), ind.waiting.count, seconds(ind.waiting.averageSeconds), ind.waiting.p90Seconds],
        [t('indicators.times.handling'), ind.handling.count, seconds(ind.handling.averageSeconds), ind.handling.p90Seconds],
        [t('indicators.times.first_free'), ind.firstFree.samples - ind.firstFree.none, round(ind.firstFree.averageWorkingDays, 1), ind.firstFree.p90WorkingDays],
      ],
    },
    satisfaction: {
      columns: [col('question'), col('answers'), col('average_score'), col('yes_share'), ...Array.from({ length: 11 }, (_, i) => String(i))],
      rows: [
        scaleRow(t('indicators.question.liked'), sat.likedDistribution, sat.likedAverage),
        scaleRow(t('indicators.question.easy'), sat.easyDistribution, sat.easyAverage),
        [t('indicators.question.again'), sat.againAnswers, null, percent(sat.againShare), ...Array<null>(11).fill(null)],
        ...sat.custom.map((q) =>
          q.kind === 'scale'
            ? scaleRow(q.label, q.distribution, q.average)
            : [q.label, q.responses, null, percent(q.yesShare), ...Array<null>(11).fill(null)],
        ),
      ],
    },
    targets: {
      columns: [col('target'), col('goal'), col('measured'), col('achieved'), col('result')],
      rows: ind.targets.map((g) => [
        g.label,
        g.goalPercent,
        g.measured,
        percent(g.share),
        t(g.met === null ? 'indicators.target.no_data' : g.met ? 'indicators.target.met' : 'indicators.target.not_met'),
      ]),
    },
  };
  return INDICATOR_TABLE_IDS.map((id) => ({ id, title: title(id), ...tables[id] }));
}

function scaleRow(label: string, distribution: number[], average: number | null): (string | number | null)[] {
  const answers = distribution.reduce((n, v) => n + v, 0);
  return [label, answers, round(average, 2), null, ...distribution];
}

/** A cell as RFC 4180 text; a text that a spreadsheet would run as a formula is defused with a leading apostrophe. */
function csvCell(v: string | number | null): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The table as CSV: RFC 4180 (quotes doubled, CRLF), UTF-8 with a byte-order mark so spreadsheets read the accents. */
export function tableToCsv(table: IndicatorTable): string {
  const lines = [table.columns, ...table.rows].map((row) => row.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
