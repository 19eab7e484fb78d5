/**
 * The dashboard's hot path: a period's indicators from the rollups, never from
 * the raw attentions. Three queries run together: the period's counters summed
 * per channel (whole months from month rows, the rest from day rows; without a
 * procedure, department or agent filter, from the rows that already sum every
 * procedure), the attentions per procedure with the procedures' and types'
 * names, and the attentions per day. Everything else is arithmetic on
 * counters (counters.ts). The cost follows the period's rollup rows, not the
 * number of attentions.
 */
import { sql } from 'drizzle-orm';
import { pickText, type Language, type LocalizedText } from '../../../shared/domain.js';
import type { Database } from '../../db/client.js';
import { ATTENTION_OUTCOMES, type ServiceTarget, type SurveyQuestionConfig } from '../../db/schema.js';
import { translator } from '../../i18n/i18n.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { addCounters, countersByPrefix, type Counters } from './counters.js';
import { histogramFrom, histogramTotal, percentile, type Histogram } from './histogram.js';
import { addDays } from './indicator-filter.js';
import { indicatorSettings } from './indicator-settings.js';
import { targetLabel } from './indicator-tables.js';
import type { CustomQuestionResult, DurationStats, IndicatorFilter, Indicators, TargetResult } from './indicators.types.js';
import { readsEveryProcedure, rollupPeriodSql, rollupScopeSql } from './rollups.js';

const LIVE_CHANNELS = ['video', 'phone', 'callback'] as const;
/** A p90 beyond the last finite bucket (more than 24 h) is reported as 24 h. */
const LONGEST_EDGE = 86_400;
/** Ids of the default survey questions, counted in their own counters (sl, se, sa), not as custom ones. */
const DEFAULT_QUESTIONS = new Set(['liked', 'easy', 'again', 'comment']);

/** What the indicators are computed from (read by computeIndicators; given directly in tests). */
export type IndicatorInputs = {
  /** The period's counters summed per channel (rollup channels; a channel without rows is absent). */
  channels: { channel: string; counts: Counters }[];
  /** Attentions per procedure in the period, with the procedure's name. */
  procedures: { id: string; name: LocalizedText | null; count: number }[];
  typologyNames: Map<string, LocalizedText>;
  /** Attentions per local day (days without any may be absent). */
  daily: { day: string; value: number }[];
};

/** The indicators of a validated period and filter, labelled in `lang`. */
export async function computeIndicators(
  database: Database,
  tenant: Pick<Tenant, 'id' | 'timeZone' | 'settings'>,
  filter: IndicatorFilter,
  lang: Language,
): Promise<Indicators> {
  return buildIndicators(tenant, filter, lang, await readInputs(database, tenant.id, filter));
}

async function readInputs(database: Database, tenantId: string, f: IndicatorFilter): Promise<IndicatorInputs> {
  const scope = rollupScopeSql(tenantId, f, readsEveryProcedure(f));
  const perProcedure = rollupScopeSql(tenantId, f);
  const [counters, named, daily] = await Promise.all([
    database.rows<{ channel: string; k: string; v: string }>(sql`
      SELECT r.channel, kv.key AS k, sum((kv.value #>> '{}')::bigint)::text AS v
        FROM indicator_rollups r CROSS JOIN LATERAL jsonb_each(r.counts) kv
       WHERE ${scope} AND ${rollupPeriodSql(f)}
       GROUP BY 1, 2`),
    database.rows<{ kind: 'p' | 't'; id: string; name: LocalizedText | null; n: string | null }>(sql`
      SELECT 'p' AS kind, x.procedure_id AS id, p.name, x.n::text AS n
        FROM (SELECT r.procedure_id, sum(r.n) AS n FROM indicator_rollups r WHERE ${perProcedure} AND ${rollupPeriodSql(f)} GROUP BY 1) x
        LEFT JOIN procedures p ON p.tenant_id = ${tenantId} AND p.id = x.procedure_id
      UNION ALL
      SELECT 't', id, name, NULL FROM typologies WHERE tenant_id = ${tenantId}`),
    database.rows<{ day: string; v: string | null }>(sql`
      SELECT r.period_start::text AS day, sum(r.n)::text AS v
        FROM indicator_rollups r
       WHERE ${scope} AND r.grain = 'day' AND r.period_start BETWEEN ${f.from}::date AND ${f.to}::date
       GROUP BY 1`),
  ]);
  const channels = new Map<string, Counters>();
  for (const row of counters) {
    let c = channels.get(row.channel);
    if (!c) channels.set(row.channel, (c = {}));
    c[row.k] = Number(row.v);
  }
  return {
    channels: [...channels].map(([channel, counts]) => ({ channel, counts })),
    procedures: named.filter((r) => r.kind === 'p').map((r) => ({ id: r.id, name: r.name, count: Number(r.n ?? 0) })),
    typologyNames: new Map(named.filter((r) => r.kind === 't').map((r) => [r.id, r.name ?? {}])),
    daily: daily.map((d) => ({ day: d.day, value: Number(d.v ?? 0) })),
  };
}

/** Pure: the indicators from the period's counters (the arithmetic of computeIndicators, testable without a database). */
export function buildIndicators(
  tenant: Pick<Tenant, 'timeZone' | 'settings'>,
  filter: IndicatorFilter,
  lang: Language,
  input: IndicatorInputs,
): Indicators {
  const t = translator(lang);
  const total = input.channels.reduce<Counters>((acc, r) => addCounters(acc, r.counts), {});
  const c = (k: string) => total[k] ?? 0;
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  const ofChannel = (ch: string) => input.channels.find((x) => x.channel === ch)?.counts ?? {};
  const callbacks = ofChannel('callback');
  const callbacksNotReached = callbacks['st:not_reached'] ?? 0;

  const byDayMap = new Map(input.daily.map((d) => [d.day, d.value]));
  const byDay: { day: string; count: number }[] = [];
  for (let day = filter.from; day <= filter.to; day = addDays(day, 1)) byDay.push({ day, count: byDayMap.get(day) ?? 0 });

  const firstFree = histogramFrom(total, 'ffd:');
  const firstFreeFound = histogramTotal(firstFree);
  const closed = c('st:closed');
  const againAnswers = c('sa:1') + c('sa:0');

  return {
    filter,
    timeZone: tenant.timeZone,
    totals: {
      attentions: c('n'),
      closed,
      noShow: c('st:no_show'),
      notReached: c('st:not_reached'),
      abandoned: c('st:abandoned'),
      appointments: c('appt'),
    },
    volume: {
      byType: sortByCount(
        [...countersByPrefix(total, 'ty:')].map(([id, count]) => ({ key: id, label: pickText(input.typologyNames.get(id), lang) || id, count })),
      ),
      byChannel: LIVE_CHANNELS.map((ch) => ({ key: ch, label: t(`indicators.channel.${ch}`), count: ofChannel(ch).n ?? 0 })),
      byProcedure: sortByCount(
        input.procedures.filter((p) => p.count > 0).map((p) => ({ key: p.id, label: pickText(p.name, lang) || p.id, count: p.count })),
      ),
      byOutcome: ATTENTION_OUTCOMES.map((o) => ({ key: o, label: t(`indicators.outcome.${o}`), count: c(`oc:${o}`) })),
      byHour: Array.from({ length: 24 }, (_, h) => c(`h:${h}`)),
      byWeekday: Array.from({ length: 7 }, (_, i) => c(`wd:${i + 1}`)),
      byDay,
    },
    waiting: durationStats(histogramFrom(total, 'w:'), c('wn'), c('ws')),
    handling: durationStats(histogramFrom(total, 'hd:'), c('hdn'), c('hds')),
    rates: {
      noShow: ratio(c('st:no_show'), c('appt')),
      callbacksNotReached,
      callbacksNotReachedRate: ratio(callbacksNotReached, callbacks.n ?? 0),
      missingDocuments: c('oc:missing_documents'),
      firstContactResolution: ratio(c('oc:resolved'), closed),
    },
    firstFree: {
      samples: c('ffn'),
      averageWorkingDays: firstFreeFound > 0 ? weightedSum(firstFree) / firstFreeFound : null,
      p90WorkingDays: percentile(firstFree, 0.9),
      none: c('ffd:none'),
    },
    satisfaction: {
      responses: c('sv'),
      likedAverage: scaleAverage(total, 'sl:'),
      easyAverage: scaleAverage(total, 'se:'),
      likedDistribution: scaleDistribution(total, 'sl:'),
      easyDistribution: scaleDistribution(total, 'se:'),
      againShare: ratio(c('sa:1'), againAnswers),
      againAnswers,
      custom: customQuestions(total, tenant.settings.survey?.questions ?? [], lang),
    },
    targets: indicatorSettings(tenant).targets.map((target) => targetResult(target, target.channel ? ofChannel(target.channel) : total, t)),
  };
}

function sortByCount<T extends { label: string; count: number }>(items: T[]): T[] {
  return items.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

function weightedSum(h: Histogram): number {
  let s = 0;
  for (const [edge, n] of h) s += edge * n;
  return s;
}

function durationStats(h: Histogram, count: number, sum: number): DurationStats {
  const p90 = percentile(h, 0.9);
  return {
    count,
    averageSeconds: count > 0 ? sum / count : null,
    p90Seconds: p90 === null ? null : Math.min(p90, LONGEST_EDGE),
  };
}

function scaleDistribution(total: Counters, prefix: string): number[] {
  return Array.from({ length: 11 }, (_, i) => total[`${prefix}${i}`] ?? 0);
}

function scaleAverage(total: Counters, prefix: string): number | null {
  const d = scaleDistribution(total, prefix);
  const n = d.reduce((a, b) => a + b, 0);
  return n > 0 ? d.reduce((s, v, i) => s + v * i, 0) / n : null;
}

/** The tenant's own scale and yes/no questions, in the survey's order, then any no longer configured. */
function customQuestions(total: Counters, config: SurveyQuestionConfig[], lang: Language): CustomQuestionResult[] {
  const answers = new Map<string, Map<number, number>>();
  for (const [key, n] of countersByPrefix(total, 'sq:')) {
    const cut = key.lastIndexOf(':');
    const id = key.slice(0, cut);
    const value = Number(key.slice(cut + 1));
    if (cut <= 0 || DEFAULT_QUESTIONS.has(id) || !Number.isInteger(value)) continue;
    let m = answers.get(id);
    if (!m) answers.set(id, (m = new Map()));
    m.set(value, (m.get(value) ?? 0) + n);
  }
  const order = config.map((q) => q.id);
  const ids = [...answers.keys()].sort((a, b) => rank(order, a) - rank(order, b) || a.localeCompare(b));
  return ids.map((id) => {
    const m = answers.get(id)!;
    const q = config.find((x) => x.id === id);
    const kind: 'scale' | 'yes_no' = q?.kind === 'yes_no' || (!q && [...m.keys()].every((v) => v === 0 || v === 1)) ? 'yes_no' : 'scale';
    const responses = [...m.values()].reduce((a, b) => a + b, 0);
    const label = pickText(q?.label, lang) || id;
    if (kind === 'yes_no') {
      const yes = m.get(1) ?? 0;
      return { id, label, kind, responses, average: null, distribution: [m.get(0) ?? 0, yes], yesShare: responses > 0 ? yes / responses : null };
    }
    const distribution = Array.from({ length: 11 }, (_, i) => m.get(i) ?? 0);
    const sum = distribution.reduce((s, v, i) => s + v * i, 0);
    return { id, label, kind, responses, average: responses > 0 ? sum / responses : null, distribution, yesShare: null };
  });
}

function rank(order: string[], id: string): number {
  const i = order.indexOf(id);
  return i < 0 ? order.length : i;
}

/**
 * How a target fared: wait and handling count the measured durations within the
 * threshold (an edge of the histogram, so exact); first_free counts the
 * availability samples whose first free slot was at most `threshold` working
 * days away (none within the horizon = not met). `counts` are those of the target's channel when it names one.
 */
function targetResult(target: ServiceTarget, counts: Counters, t: ReturnType<typeof translator>): TargetResult {
  let measured = 0;
  let within = 0;
  if (target.metric === 'first_free') {
    measured = counts.ffn ?? 0;
    for (const [days, n] of histogramFrom(counts, 'ffd:')) if (days <= target.threshold) within += n;
  } else {
    const h = histogramFrom(counts, target.metric === 'wait' ? 'w:' : 'hd:');
    measured = histogramTotal(h);
    for (const [edge, n] of h) if (edge <= target.threshold) within += n;
  }
  return {
    ...target,
    label: targetLabel(target, t),
    measured,
    share: measured > 0 ? within / measured : null,
    met: measured > 0 ? within * 100 >= target.goalPercent * measured : null,
  };
}
