/** A tenant's indicator settings with their defaults (targets, report recipients, publication). */
import type { IndicatorSettings } from '../../db/schema.js';
import type { Tenant } from '../tenants/tenants.repository.js';

/**
 * Defaults: the seed services' targets (call-backs within 4 minutes, an
 * appointment offered within 5 working days, 90% each), no report recipients,
 * the transparency panel published and the tenant shared with its operator.
 */
export const INDICATOR_DEFAULTS: IndicatorSettings = {
  targets: [
    { id: 'callback-4min', metric: 'wait', channel: 'callback', threshold: 240, goalPercent: 90 },
    { id: 'appointment-5days', metric: 'first_free', threshold: 5, goalPercent: 90 },
  ],
  reportRecipients: [],
  publishTransparency: true,
  shareWithOperator: true,
};

export function indicatorSettings(tenant: Pick<Tenant, 'settings'>): IndicatorSettings {
  return { ...INDICATOR_DEFAULTS, ...(tenant.settings.indicators ?? {}) };
}
