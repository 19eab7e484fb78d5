/**
 * The public indicators of a period, as the panel, the summary API and the
 * operator's comparison show them: every figure a value or null, with its
 * `suppressed` flag, labelled in the reader's language.
 *
 * Everything comes from stored month publications (publish-month.ts): one
 * month as stored, or the last 12 combined (combine-months.ts). Published
 * precision: averages of seconds in whole seconds, satisfaction scores to 0.1,
 * shares to whole percent.
 */
import { pickText, type Language } from '../../../shared/domain.js';
import { translator } from '../../i18n/i18n.js';
import { targetLabel } from '../indicators/indicator-tables.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { combineMonths } from './combine-months.js';
import { NO_TYPE, PUBLIC_CHANNELS, type MonthPublication, type PeriodFigures, type StoredCount, type StoredItem, type StoredMeasure } from './month-publication.js';
import type { PublicPeriod } from './public-period.js';
import { MIN_CELL, type PublicCell } from './suppress.js';
import type { PublicNames } from './transparency.repository.js';

/** One line of a public breakdown: a stable key (channel, procedure or type code), its label, its figure. */
export type PublicItem = { key: string; label: string } & PublicCell;

export type PublicIndicators = {
  tenant: { slug: string; name: string };
  period: { kind: 'month' | 'last12'; from: string; to: string; months: string[] };
  /** The smallest count published. */
  minimumCell: number;
  attentions: PublicCell;
  byChannel: PublicItem[];
  byProcedure: PublicItem[];
  byType: PublicItem[];
  waitingAverageSeconds: PublicCell;
  satisfaction: { answers: PublicCell; likedAverage: PublicCell; easyAverage: PublicCell; againShare: PublicCell };
  targets: { id: string; label: string; goalPercent: number; share: PublicCell; met: boolean | null }[];
};

export type PublishingTenant = Pick<Tenant, 'id' | 'slug' | 'name' | 'timeZone' | 'settings' | 'defaultLanguage'>;

/** Where the stored month publications and the public names come from (publication-store.ts). */
export type PublicationSource = {
  /** The month as published; `period_invalid` (not_yet_published) when it is not settled at `now`. */
  month(tenant: PublishingTenant, month: string, now?: Date): Promise<MonthPublication>;
  names(tenant: PublishingTenant): Promise<PublicNames>;
};

/** How published measures are rounded: whole seconds, scores to 0.1, shares (0–1) to whole percent. */
export const ROUND = {
  seconds: (x: number) => Math.round(x),
  score: (x: number) => Math.round(x * 10) / 10,
  share: (x: number) => Math.round(x * 100) / 100,
};

/** The public indicators of a period, labelled in `lang`. */
export async function publicIndicators(source: PublicationSource, tenant: PublishingTenant, period: PublicPeriod, lang: Language, now?: Date): Promise<PublicIndicators> {
  const [months, names] = await Promise.all([Promise.all(period.months.map((m) => source.month(tenant, m, now))), source.names(tenant)]);
  const figures = months.length === 1 ? months[0] : combineMonths(months);
  return presentFigures(tenant, period, figures, names, lang);
}

const publicCount = (c: StoredCount): PublicCell => (c.hidden ? { value: null, suppressed: true } : { value: c.n, suppressed: false });

/** A measure as published: hidden, without data (base 0), or its rounded value. */
export function publicMeasure(m: StoredMeasure, round: (x: number) => number): PublicCell {
  if (m.hidden) return { value: null, suppressed: true };
  return { value: m.base > 0 ? round(m.sum / m.base) : null, suppressed: false };
}

const channelRank = (k: string) => {
  const i = (PUBLIC_CHANNELS as readonly string[]).indexOf(k);
  return i < 0 ? PUBLIC_CHANNELS.length : i;
};

/** Labels and order: channels in their fixed order, procedures and types in the town hall's order, never by size (a hidden cell's place would tell it). */
export function presentFigures(tenant: Pick<Tenant, 'slug' | 'name'>, period: PublicPeriod, f: PeriodFigures, names: PublicNames, lang: Language): PublicIndicators {
  const t = translator(lang);
  const ordered = (list: StoredItem[], label: (k: string) => { key: string; label: string; position: number }) =>
    list
      .filter((c) => c.n > 0)
      .map((c) => ({ ...label(c.key), ...publicCount(c) }))
      .sort((a, b) => a.position - b.position || a.label.localeCompare(b.label, lang))
      .map(({ position: _p, ...item }) => item);
  const named = (from: PublicNames['procedures'], k: string) => {
    const n = from.get(k);
    return { key: n?.code ?? k, label: pickText(n?.name, lang) || n?.code || k, position: n?.position ?? 0 };
  };
  return {
    tenant: { slug: tenant.slug, name: tenant.name },
    period: { kind: period.kind, from: period.from, to: period.to, months: period.months },
    minimumCell: MIN_CELL,
    attentions: publicCount(f.attentions),
    byChannel: [...f.byChannel]
      .sort((a, b) => channelRank(a.key) - channelRank(b.key) || a.key.localeCompare(b.key))
      .map((c) => ({ key: c.key, label: t(`indicators.channel.${c.key}`), ...publicCount(c) })),
    byProcedure: ordered(f.byProcedure, (k) => named(names.procedures, k)),
    byType: ordered(f.byType, (k) => (k === NO_TYPE ? { key: NO_TYPE, label: t('transparency.no_type'), position: Number.MAX_SAFE_INTEGER } : named(names.typologies, k))),
    waitingAverageSeconds: publicMeasure(f.waiting, ROUND.seconds),
    satisfaction: {
      answers: publicCount(f.satisfaction.answers),
      likedAverage: publicMeasure(f.satisfaction.liked, ROUND.score),
      easyAverage: publicMeasure(f.satisfaction.easy, ROUND.score),
      againShare: publicMeasure(f.satisfaction.again, ROUND.share),
    },
    targets: f.targets.map((x) => {
      const share = publicMeasure({ sum: x.within, base: x.measured, hidden: x.hidden }, ROUND.share);
      // met from the exact counts, like the supervisors' dashboard; hidden with the share
      const met = share.value === null ? null : x.within * 100 >= x.target.goalPercent * x.measured;
      return { id: x.target.id, label: targetLabel(x.target, t), goalPercent: x.target.goalPercent, share, met };
    }),
  };
}
