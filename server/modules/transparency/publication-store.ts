/**
 * The stored month publications and public names of each town hall, kept in
 * this process: a month never changes once published, so its cache entry only
 * goes to bound memory (by age and by total size); names are read again every
 * minute (a renamed procedure shows its new name).
 */
import type { Database } from '../../db/client.js';
import type { MonthPublication } from './month-publication.js';
import type { PublicationSource, PublishingTenant } from './public-indicators.js';
import { publishedMonth } from './publish-month.js';
import { publicNames, type PublicNames } from './transparency.repository.js';
import { jsonBytes, TtlCache } from './ttl-cache.js';

/** How long a month and the names stay in this process, and how much memory the months may take. */
export type StoreLimits = { monthTtlMs: number; namesTtlMs: number; maxBytes: number };

export const DEFAULT_STORE_LIMITS: StoreLimits = { monthTtlMs: 10 * 60_000, namesTtlMs: 60_000, maxBytes: 20 * 1024 * 1024 };

export class PublicationStore implements PublicationSource {
  private readonly months: TtlCache<MonthPublication>;
  private readonly labels: TtlCache<PublicNames>;

  constructor(
    private readonly database: Database,
    limits: StoreLimits = DEFAULT_STORE_LIMITS,
  ) {
    this.months = new TtlCache<MonthPublication>({ ttlMs: limits.monthTtlMs, maxBytes: limits.maxBytes, sizeOf: jsonBytes });
    this.labels = new TtlCache<PublicNames>({
      ttlMs: limits.namesTtlMs,
      maxBytes: limits.maxBytes / 4,
      sizeOf: (n) => jsonBytes([...n.procedures.values(), ...n.typologies.values()]),
    });
  }

  month(tenant: PublishingTenant, month: string, now?: Date): Promise<MonthPublication> {
    return this.months.get(`${tenant.id}|${month}`, () => publishedMonth(this.database, tenant, month, now));
  }

  names(tenant: Pick<PublishingTenant, 'id'>): Promise<PublicNames> {
    return this.labels.get(tenant.id, () => publicNames(this.database, tenant.id));
  }
}
