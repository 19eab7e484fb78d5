/** The month publications and public names of each town hall, computed once a minute per process at most. */
import type { Database } from '../../db/client.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { buildMonthPublication, type MonthPublication } from './month-publication.js';
import type { PublicationSource } from './public-indicators.js';
import { publicNames, type PublicNames } from './transparency.repository.js';
import { TtlCache } from './ttl-cache.js';

type PublishingTenant = Pick<Tenant, 'id' | 'timeZone' | 'settings' | 'defaultLanguage'>;

export class PublicationStore implements PublicationSource {
  private readonly months: TtlCache<MonthPublication>;
  private readonly labels: TtlCache<PublicNames>;

  constructor(
    private readonly database: Database,
    ttlMs = 60_000,
  ) {
    this.months = new TtlCache(ttlMs, 2_000);
    this.labels = new TtlCache(ttlMs, 2_000);
  }

  month(tenant: PublishingTenant, month: string): Promise<MonthPublication> {
    return this.months.get(`${tenant.id}|${month}`, () => buildMonthPublication(this.database, tenant, month));
  }

  names(tenant: Pick<Tenant, 'id'>): Promise<PublicNames> {
    return this.labels.get(tenant.id, () => publicNames(this.database, tenant.id));
  }
}
