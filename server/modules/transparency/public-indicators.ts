/**
 * The public indicators of a period, as the panel, the summary API and the
 * operator's comparison show them: every figure a value or null, with its
 * `suppressed` flag, labelled in the reader's language.
 *
 * A month is its own publication (month-publication.ts). The last 12 months
 * add nothing that the 12 months do not already say: a figure is shown for
 * the 12 months only if it is shown (or zero) in every one of them, since
 * otherwise the hidden month could be worked out by subtraction; then the
 * same table rule as a month applies.
 */
import { pickText, type Language } from '../../../shared/domain.js';
import type { Database } from '../../db/client.js';
import { translator } from '../../i18n/i18n.js';
import { computeIndicators } from '../indicators/compute-indicators.js';
import { targetLabel } from '../indicators/indicator-tables.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { measured, NO_TYPE, type Counted, type Measured, type MonthPublication, type PublishedFigures } from './month-publication.js';
import type { PublicPeriod } from './public-period.js';
import { MIN_CELL, suppressCells, type PublicCell, type SuppressionGroup } from './suppress.js';
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

type PublishingTenant = Pick<Tenant, 'id' | 'slug' | 'name' | 'timeZone' | 'settings' | 'defaultLanguage'>;

/** Where the month publications come from (cached by the caller). */
export type PublicationSource = {
  month(tenant: PublishingTenant, month: string): Promise<MonthPublication>;
  names(tenant: PublishingTenant): Promise<PublicNames>;
};

/** The public indicators of a period, labelled in `lang`. */
export async function publicIndicators(
  deps: { database: Database; source: PublicationSource },
  tenant: PublishingTenant,
  period: PublicPeriod,
  lang: Language,
): Promise<PublicIndicators> {
  const [months, names] = await Promise.all([Promise.all(period.months.map((m) => deps.source.month(tenant, m))), deps.source.names(tenant)]);
  const figures = months.length === 1 ? months[0] : await combineMonths(deps.database, tenant, period, months);
  return presentFigures(tenant, period, figures, names, lang);
}

/** Several months' figures as one period: shown only where every month shows them, then one more table pass. */
export async function combineMonths(database: Database, tenant: PublishingTenant, period: PublicPeriod, months: MonthPublication[]): Promise<PublishedFigures> {
  const ind = await computeIndicators(database, tenant, { from: period.from, to: period.to }, tenant.defaultLanguage);
  const countOf = (pick: (m: MonthPublication) => Counted | undefined): Counted => {
    const parts = months.map(pick).filter((c): c is Counted => !!c);
    return { raw: parts.reduce((a, c) => a + c.raw, 0), suppressed: parts.some((c) => c.suppressed) };
  };
  const keyed = (pick: (m: MonthPublication) => Map<string, Counted>) => {
    const keys = new Set(months.flatMap((m) => [...pick(m).keys()]));
    return new Map([...keys].map((k) => [k, countOf((m) => pick(m).get(k))]));
  };
  const anyHidden = (pick: (m: MonthPublication) => Measured | undefined) => months.some((m) => pick(m)?.suppressed);

  const figures: PublishedFigures = {
    from: period.from,
    to: period.to,
    attentions: countOf((m) => m.attentions),
    byChannel: keyed((m) => m.byChannel),
    byProcedure: keyed((m) => m.byProcedure),
    byType: keyed((m) => m.byType),
    waitingAverage: measured(ind.waiting.averageSeconds, ind.waiting.count, anyHidden((m) => m.waitingAverage)),
    satisfaction: {
      answers: countOf((m) => m.satisfaction.answers),
      liked: measured(ind.satisfaction.likedAverage, ind.satisfaction.likedDistribution.reduce((a, b) => a + b, 0), anyHidden((m) => m.satisfaction.liked)),
      easy: measured(ind.satisfaction.easyAverage, ind.satisfaction.easyDistribution.reduce((a, b) => a + b, 0), anyHidden((m) => m.satisfaction.easy)),
      again: measured(ind.satisfaction.againShare, ind.satisfaction.againAnswers, anyHidden((m) => m.satisfaction.again)),
    },
    targets: ind.targets.map(({ label: _label, measured: base, share, met, ...target }) => {
      const m = measured(share, base, anyHidden((x) => x.targets.find((t) => t.target.id === target.id)?.share));
      return { target, share: m, met: m.suppressed ? null : met };
    }),
  };
  resuppressTables(figures);
  return figures;
}

/** The period's own tables (total → channels, procedures, types) keep the table rule on top of the months' flags. */
function resuppressTables(f: PublishedFigures): void {
  const cells: Counted[] = [f.attentions];
  const groups: SuppressionGroup[] = [];
  for (const map of [f.byChannel, f.byProcedure, f.byType]) {
    const members = [...map.values()].map((c) => cells.push(c) - 1);
    groups.push({ total: 0, members });
  }
  const hidden = suppressCells(
    cells.map((c) => c.raw),
    groups,
    cells.flatMap((c, i) => (c.suppressed ? [i] : [])),
  );
  cells.forEach((c, i) => (c.suppressed = hidden[i]));
}

const publicCount = (c: Counted): PublicCell => (c.suppressed ? { value: null, suppressed: true } : { value: c.raw, suppressed: false });
const publicMeasure = (m: Measured): PublicCell => (m.suppressed ? { value: null, suppressed: true } : { value: m.raw, suppressed: false });

/** Labels and order: channels in their fixed order, procedures and types in the town hall's order, never by size (a hidden cell's place would tell it). */
export function presentFigures(tenant: Pick<Tenant, 'slug' | 'name' | 'settings'>, period: PublicPeriod, f: PublishedFigures, names: PublicNames, lang: Language): PublicIndicators {
  const t = translator(lang);
  const ordered = (map: Map<string, Counted>, label: (k: string) => { key: string; label: string; position: number }) =>
    [...map]
      .filter(([, c]) => c.raw > 0)
      .map(([k, c]) => ({ ...label(k), ...publicCount(c) }))
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
    byChannel: [...f.byChannel].map(([k, c]) => ({ key: k, label: t(`indicators.channel.${k}`), ...publicCount(c) })),
    byProcedure: ordered(f.byProcedure, (k) => named(names.procedures, k)),
    byType: ordered(f.byType, (k) => (k === NO_TYPE ? { key: NO_TYPE, label: t('transparency.no_type'), position: Number.MAX_SAFE_INTEGER } : named(names.typologies, k))),
    waitingAverageSeconds: publicMeasure(f.waitingAverage),
    satisfaction: {
      answers: publicCount(f.satisfaction.answers),
      likedAverage: publicMeasure(f.satisfaction.liked),
      easyAverage: publicMeasure(f.satisfaction.easy),
      againShare: publicMeasure(f.satisfaction.again),
    },
    targets: f.targets.map((x) => ({ id: x.target.id, label: targetLabel(x.target, t), goalPercent: x.target.goalPercent, share: publicMeasure(x.share), met: x.met })),
  };
}
