/**
 * The open data: daily aggregates by procedure, channel and consultation type
 * for any days of settled months, with the same suppression as the panel
 * (each stored month's pattern, month-publication.ts). JSON rows carry their types;
 * the CSV is long: per day, procedure and channel one `_all` line (attentions
 * and average wait) and one line per consultation type.
 */
import { pickText, type Language } from '../../../shared/domain.js';
import { translator } from '../../i18n/i18n.js';
import { tableToCsv } from '../indicators/indicator-tables.js';
import { NO_TYPE, PUBLIC_CHANNELS } from './month-publication.js';
import { publicMeasure, ROUND, type PublicationSource, type PublishingTenant } from './public-indicators.js';
import { monthsOf } from './public-period.js';
import { MIN_CELL } from './suppress.js';

/** The type code of a CSV line that stands for every consultation type of its day, procedure and channel. */
export const ALL_TYPES = '_all';

export type OpenDataRow = {
  date: string;
  procedure: { code: string; name: string };
  channel: string;
  /** Attentions that ended that day (attended or not); null when suppressed. */
  attentions: number | null;
  suppressed: boolean;
  /** Average wait (taken − queued), whole seconds; null without data or when suppressed. */
  averageWaitSeconds: number | null;
  averageWaitSuppressed: boolean;
  types: { code: string; name: string; attentions: number | null; suppressed: boolean }[];
};

export type OpenDataDaily = {
  tenant: { slug: string; name: string };
  from: string;
  to: string;
  language: Language;
  minimumCell: number;
  rows: OpenDataRow[];
};

/** The daily rows of [from, to] (days of settled months), labelled in `lang`. */
export async function openDataDaily(source: PublicationSource, tenant: PublishingTenant, range: { from: string; to: string }, lang: Language): Promise<OpenDataDaily> {
  const [months, names] = await Promise.all([Promise.all(monthsOf(range.from, range.to).map((m) => source.month(tenant, m))), source.names(tenant)]);
  const t = translator(lang);
  const procedure = (id: string) => names.procedures.get(id);
  const typeOrder = (k: string) => (k === NO_TYPE ? Number.MAX_SAFE_INTEGER : (names.typologies.get(k)?.position ?? 0));
  const typeName = (k: string) => (k === NO_TYPE ? { code: NO_TYPE, name: t('transparency.no_type') } : { code: names.typologies.get(k)?.code ?? k, name: pickText(names.typologies.get(k)?.name, lang) });
  const channelOrder = (c: string) => {
    const i = (PUBLIC_CHANNELS as readonly string[]).indexOf(c);
    return i < 0 ? PUBLIC_CHANNELS.length : i;
  };

  const rows = months
    .flatMap((m) => m.daily)
    .filter((d) => d.day >= range.from && d.day <= range.to)
    .map((d) => ({ d, p: procedure(d.procedureId) }))
    .sort((a, b) => a.d.day.localeCompare(b.d.day) || (a.p?.position ?? 0) - (b.p?.position ?? 0) || (a.p?.code ?? '').localeCompare(b.p?.code ?? '') || channelOrder(a.d.channel) - channelOrder(b.d.channel))
    .map(({ d, p }): OpenDataRow => {
      const wait = publicMeasure(d.waiting, ROUND.seconds);
      return {
        date: d.day,
        procedure: { code: p?.code ?? d.procedureId, name: pickText(p?.name, lang) },
        channel: d.channel,
        attentions: d.attentions.hidden ? null : d.attentions.n,
        suppressed: d.attentions.hidden,
        averageWaitSeconds: wait.value,
        averageWaitSuppressed: wait.suppressed,
        types: [...d.types]
          .sort((a, b) => typeOrder(a.key) - typeOrder(b.key) || a.key.localeCompare(b.key))
          .map((c) => ({ ...typeName(c.key), attentions: c.hidden ? null : c.n, suppressed: c.hidden })),
      };
    });
  return { tenant: { slug: tenant.slug, name: tenant.name }, from: range.from, to: range.to, language: lang, minimumCell: MIN_CELL, rows };
}

/** The CSV column names: stable, in English, whatever the language of the names in the rows. */
export const OPEN_DATA_CSV_COLUMNS = [
  'date',
  'procedure_code',
  'procedure_name',
  'channel',
  'type_code',
  'type_name',
  'attentions',
  'average_wait_seconds',
  'suppressed',
  'average_wait_suppressed',
];

/** The rows as CSV (RFC 4180, CRLF, UTF-8 with a byte-order mark; header row first). */
export function openDataCsv(data: OpenDataDaily): string {
  const lines: (string | number | null)[][] = [];
  for (const r of data.rows) {
    const head = [r.date, r.procedure.code, r.procedure.name, r.channel];
    lines.push([...head, ALL_TYPES, '', r.attentions, r.averageWaitSeconds, String(r.suppressed), String(r.averageWaitSuppressed)]);
    for (const ty of r.types) lines.push([...head, ty.code, ty.name, ty.attentions, null, String(ty.suppressed), '']);
  }
  return tableToCsv({ id: 'open-data', title: 'open-data', columns: OPEN_DATA_CSV_COLUMNS, rows: lines });
}
