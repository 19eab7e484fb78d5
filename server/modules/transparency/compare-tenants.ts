/**
 * The operator's view across the town halls it serves: the same public
 * indicators (suppression included) for one month, for every town hall that
 * shares its figures with the operator. Each town hall shows the month only
 * once it is settled in its own time zone (public-period.ts); before that it
 * is listed as not published yet. Only supervisors and admins of the
 * operator's own tenant (config OPERATOR_TENANT) may see it.
 */
import type { Language, Role } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { publicIndicators, type PublicationSource, type PublicIndicators } from './public-indicators.js';
import { isSettled, monthPeriod, publicationDay } from './public-period.js';
import { tenantsSharingWithOperator } from './transparency.repository.js';

const OPERATOR_ROLES: Role[] = ['supervisor', 'admin'];

/** Throws `operator_only` unless the tenant is the operator's and the staff member supervises or administers it. */
export function assertOperator(operatorSlug: string | undefined, tenant: Pick<Tenant, 'slug'>, staff?: { role: Role }): void {
  if (!operatorSlug || tenant.slug !== operatorSlug) throw new AppError('operator_only');
  if (staff && !OPERATOR_ROLES.includes(staff.role)) throw new AppError('operator_only');
}

export type ComparedTenant = {
  slug: string;
  name: string;
  /** Whether the month is settled in the town hall's zone; `indicators` is null until it is. */
  published: boolean;
  /** The town hall's local day from which the month is published. */
  publicationDay: string;
  indicators: PublicIndicators | null;
};

export type TenantComparison = { month: string; from: string; to: string; tenants: ComparedTenant[] };

/** Every sharing town hall's public indicators for `month`, by town hall name. */
export async function compareTenants(deps: { database: Database; source: PublicationSource }, month: string, lang: Language, now: Date = new Date()): Promise<TenantComparison> {
  const period = monthPeriod(month);
  const tenants = await tenantsSharingWithOperator(deps.database);
  const rows = await Promise.all(
    tenants.map(async (t): Promise<ComparedTenant> => {
      const published = isSettled(month, t.timeZone, now);
      return {
        slug: t.slug,
        name: t.name,
        published,
        publicationDay: publicationDay(month),
        indicators: published ? await publicIndicators(deps.source, t, period, lang, now) : null,
      };
    }),
  );
  return { month, from: period.from, to: period.to, tenants: rows };
}
