/**
 * What a town hall publishes for one settled month, before any labels: the
 * month's public figures (attentions by channel, procedure and consultation
 * type; average wait; satisfaction; targets) and its daily open-data rows
 * (day × procedure × channel, each split by consultation type), with one
 * suppression pattern computed over all of them at once. The month's tables
 * and the daily rows share totals, so a daily cell hidden to protect a small
 * one is hidden in every answer, and a monthly figure cannot be recovered by
 * adding up daily rows.
 *
 * The result is language-independent (channels, procedure and type ids; no
 * label) and plain JSON: it is stored once (publish-month.ts) and every answer
 * about the month is made from the stored copy. Measures are kept as sums over
 * their base (an average is sum / base), so several months combine exactly.
 */
import type { Database } from '../../db/client.js';
import type { ServiceTarget } from '../../db/schema.js';
import { computeIndicators } from '../indicators/compute-indicators.js';
import { countersByPrefix } from '../indicators/counters.js';
import type { Indicators } from '../indicators/indicators.types.js';
import { dailyRows, type CounterRow } from '../indicators/rollups.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { monthDays } from './public-period.js';
import { isSmall, suppressCells, type SuppressionGroup } from './suppress.js';

/** The consultation-type key of attentions that ended without one (no-show, not reached, abandoned). */
export const NO_TYPE = '_none';
/** The channels every table lists, even at zero. */
export const PUBLIC_CHANNELS = ['video', 'phone', 'callback'] as const;
/** The shape of the stored payload; a new shape needs a new number (and a way to read the old one). */
export const PUBLICATION_VERSION = 1;

/** A count and whether it is hidden. `n` never leaves the server when hidden. */
export type StoredCount = { n: number; hidden: boolean };
/** One line of a breakdown: a channel, procedure id or type id (NO_TYPE), and its count. */
export type StoredItem = StoredCount & { key: string };
/** A measure as a sum over `base` attentions or answers (average = sum / base, share = within / base), and whether it is hidden. */
export type StoredMeasure = { sum: number; base: number; hidden: boolean };
/** A service-level target as defined when the month was published, and how many of its measures met it. */
export type StoredTarget = { target: ServiceTarget; within: number; measured: number; hidden: boolean };

/** The public figures of a period: one month, or several combined (combine-months.ts). */
export type PeriodFigures = {
  attentions: StoredCount;
  byChannel: StoredItem[];
  byProcedure: StoredItem[];
  byType: StoredItem[];
  /** Seconds from joining the queue (or the appointment time) to being attended. */
  waiting: StoredMeasure;
  satisfaction: { answers: StoredCount; liked: StoredMeasure; easy: StoredMeasure; again: StoredMeasure };
  targets: StoredTarget[];
};

/** One open-data row: a day, procedure and channel, split by consultation type (NO_TYPE included). */
export type StoredDailyRow = { day: string; procedureId: string; channel: string; attentions: StoredCount; waiting: StoredMeasure; types: StoredItem[] };

/** A month's publication as stored (transparency_publications.payload). */
export type MonthPublication = PeriodFigures & { version: typeof PUBLICATION_VERSION; month: string; daily: StoredDailyRow[] };

/** A measure, hidden when built from 1–4 (or when `hidden`). */
export function measure(sum: number, base: number, hidden = false): StoredMeasure {
  return { sum, base, hidden: hidden || isSmall(base) };
}

/**
 * Whether a target's share must be hidden because of the count it is taken
 * from: a channel's target when that channel's count is hidden, any other when
 * the total is (the share would tell the hidden count's size).
 */
export function targetScopeHidden(f: Pick<PeriodFigures, 'attentions' | 'byChannel'>, target: ServiceTarget): boolean {
  return target.channel ? (f.byChannel.find((c) => c.key === target.channel)?.hidden ?? false) : f.attentions.hidden;
}

const sumOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Computes the month's publication from the rollups (day rows for the cells, computeIndicators for satisfaction and targets). */
export async function buildMonthPublication(database: Database, tenant: Pick<Tenant, 'id' | 'timeZone' | 'settings' | 'defaultLanguage'>, month: string): Promise<MonthPublication> {
  const { from, to } = monthDays(month);
  const [rows, ind] = await Promise.all([
    dailyRows(database, tenant.id, { from, to }),
    computeIndicators(database, tenant, { from, to }, tenant.defaultLanguage),
  ]);
  return monthPublicationFrom(month, rows, ind);
}

/** Pure: the month's publication from its day rows and indicators. */
export function monthPublicationFrom(month: string, rows: (CounterRow & { day: string })[], ind: Pick<Indicators, 'satisfaction' | 'targets'>): MonthPublication {
  // every published count is a cell; every table a group (total = Σ members)
  const values: number[] = [];
  const cell = (v: number) => values.push(v) - 1;
  const groups: SuppressionGroup[] = [];
  const total = cell(0);
  const byChannel = new Map<string, number>(PUBLIC_CHANNELS.map((c) => [c, -1]));
  const byProcedure = new Map<string, number>();
  const byType = new Map<string, number>();
  const members = { channel: new Map<string, number[]>(), procedure: new Map<string, number[]>(), type: new Map<string, number[]>() };
  const push = (m: Map<string, number[]>, k: string, i: number) => (m.get(k) ?? m.set(k, []).get(k)!).push(i);
  const daily: { day: string; procedureId: string; channel: string; index: number; wn: number; ws: number; types: Map<string, number> }[] = [];

  for (const r of rows) {
    const n = r.counts.n ?? 0;
    if (n <= 0) continue; // availability samples only: no attention that day
    const index = cell(n);
    values[total] += n;
    push(members.channel, r.channel, index);
    push(members.procedure, r.procedureId, index);
    const typed = countersByPrefix(r.counts, 'ty:');
    const untyped = n - sumOf([...typed.values()]);
    if (untyped > 0) typed.set(NO_TYPE, untyped);
    const types = new Map<string, number>();
    for (const [k, v] of typed) {
      const i = cell(v);
      types.set(k, i);
      push(members.type, k, i);
    }
    groups.push({ total: index, members: [...types.values()] });
    daily.push({ day: r.day, procedureId: r.procedureId, channel: r.channel, index, wn: r.counts.wn ?? 0, ws: r.counts.ws ?? 0, types });
  }
  for (const [map, key] of [[byChannel, 'channel'], [byProcedure, 'procedure'], [byType, 'type']] as const) {
    for (const [k, list] of members[key]) map.set(k, cell(sumOf(list.map((i) => values[i]))));
    for (const [k, i] of map) {
      const idx = i < 0 ? cell(0) : i;
      map.set(k, idx);
      groups.push({ total: idx, members: members[key].get(k) ?? [] });
    }
    groups.push({ total, members: [...map.values()] });
  }
  groups.push({ total, members: daily.map((d) => d.index) });

  const hidden = suppressCells(values, groups);
  const counted = (i: number): StoredCount => ({ n: values[i], hidden: hidden[i] });
  const items = (m: Map<string, number>): StoredItem[] => [...m].map(([key, i]) => ({ key, ...counted(i) }));
  const s = ind.satisfaction;
  const scaleSum = (d: number[]) => d.reduce((acc, n, v) => acc + n * v, 0);
  const figures = { attentions: counted(total), byChannel: items(byChannel) };

  return {
    version: PUBLICATION_VERSION,
    month,
    ...figures,
    byProcedure: items(byProcedure),
    byType: items(byType),
    waiting: measure(sumOf(daily.map((d) => d.ws)), sumOf(daily.map((d) => d.wn))),
    satisfaction: {
      answers: { n: s.responses, hidden: isSmall(s.responses) },
      liked: measure(scaleSum(s.likedDistribution), sumOf(s.likedDistribution)),
      easy: measure(scaleSum(s.easyDistribution), sumOf(s.easyDistribution)),
      again: measure(s.againShare === null ? 0 : Math.round(s.againShare * s.againAnswers), s.againAnswers),
    },
    targets: ind.targets.map(({ label: _label, measured, share, met: _met, ...target }) => ({
      target,
      within: share === null ? 0 : Math.round(share * measured),
      measured,
      hidden: isSmall(measured) || targetScopeHidden(figures, target),
    })),
    daily: daily.map((d) => ({
      day: d.day,
      procedureId: d.procedureId,
      channel: d.channel,
      attentions: counted(d.index),
      waiting: measure(d.ws, d.wn, hidden[d.index]),
      types: items(d.types),
    })),
  };
}
