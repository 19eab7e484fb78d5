/**
 * What a town hall publishes for one finished month, before any labels: the
 * month's public figures (attentions by channel, procedure and consultation
 * type; average wait; satisfaction; targets) and its daily open-data rows
 * (day × procedure × channel, each split by consultation type), with one
 * suppression pattern computed over all of them at once. The month's tables
 * and the daily rows share totals, so a daily cell hidden to protect a small
 * one is hidden in every answer, and a monthly figure cannot be recovered by
 * adding up daily rows.
 */
import type { Database } from '../../db/client.js';
import type { ServiceTarget } from '../../db/schema.js';
import { computeIndicators } from '../indicators/compute-indicators.js';
import { countersByPrefix } from '../indicators/counters.js';
import { dailyRows } from '../indicators/rollups.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { monthDays } from './public-period.js';
import { isSmall, suppressCells, type SuppressionGroup } from './suppress.js';

/** The consultation-type key of attentions that ended without one (no-show, not reached, abandoned). */
export const NO_TYPE = '_none';
/** The channels every table lists, even at zero. */
export const PUBLIC_CHANNELS = ['video', 'phone', 'callback'] as const;

/** A count and whether it is hidden. `raw` never leaves the server when hidden. */
export type Counted = { raw: number; suppressed: boolean };
/** A measure, the number of attentions or answers it is built from, and whether it is hidden. */
export type Measured = { raw: number | null; base: number; suppressed: boolean };

/** The public figures of a period (one month, or several combined), keyed by channel, procedure id and type id. */
export type PublishedFigures = {
  from: string;
  to: string;
  attentions: Counted;
  byChannel: Map<string, Counted>;
  byProcedure: Map<string, Counted>;
  byType: Map<string, Counted>;
  waitingAverage: Measured;
  satisfaction: { answers: Counted; liked: Measured; easy: Measured; again: Measured };
  targets: { target: ServiceTarget; share: Measured; met: boolean | null }[];
};

/** One open-data row: a day, procedure and channel, split by consultation type (NO_TYPE included). */
export type DailyCell = {
  day: string;
  procedureId: string;
  channel: string;
  attentions: Counted;
  waitingAverage: Measured;
  types: Map<string, Counted>;
};

export type MonthPublication = PublishedFigures & { month: string; daily: DailyCell[] };

/** A measure hidden when built from 1–4 (or when the count behind it is). */
export function measured(raw: number | null, base: number, hidden = false): Measured {
  return { raw: base > 0 ? raw : null, base, suppressed: hidden || isSmall(base) };
}

const sumOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Computes the month's publication from the rollups (day rows for the cells, computeIndicators for the measures). */
export async function buildMonthPublication(database: Database, tenant: Pick<Tenant, 'id' | 'timeZone' | 'settings' | 'defaultLanguage'>, month: string): Promise<MonthPublication> {
  const { from, to } = monthDays(month);
  const [rows, ind] = await Promise.all([
    dailyRows(database, tenant.id, { from, to }),
    computeIndicators(database, tenant, { from, to }, tenant.defaultLanguage),
  ]);

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
  const counted = (i: number): Counted => ({ raw: values[i], suppressed: hidden[i] });
  const countedMap = (m: Map<string, number>) => new Map([...m].map(([k, i]) => [k, counted(i)]));
  const s = ind.satisfaction;

  return {
    month,
    from,
    to,
    attentions: counted(total),
    byChannel: countedMap(byChannel),
    byProcedure: countedMap(byProcedure),
    byType: countedMap(byType),
    waitingAverage: measured(ind.waiting.averageSeconds, ind.waiting.count),
    satisfaction: {
      answers: { raw: s.responses, suppressed: isSmall(s.responses) },
      liked: measured(s.likedAverage, sumOf(s.likedDistribution)),
      easy: measured(s.easyAverage, sumOf(s.easyDistribution)),
      again: measured(s.againShare, s.againAnswers),
    },
    targets: ind.targets.map(({ label: _label, measured: base, share, met, ...target }) => {
      const m = measured(share, base);
      return { target, share: m, met: m.suppressed ? null : met };
    }),
    daily: daily.map((d) => ({
      day: d.day,
      procedureId: d.procedureId,
      channel: d.channel,
      attentions: counted(d.index),
      waitingAverage: measured(d.wn > 0 ? d.ws / d.wn : null, d.wn, hidden[d.index]),
      types: countedMap(d.types),
    })),
  };
}
