/** The formal-procedure settings of a town hall, with the defaults for what it has not set. */
import type { FormalSettings } from '../../db/schema.js';
import type { Tenant } from '../tenants/tenants.repository.js';

export const FORMAL_DEFAULTS: FormalSettings = {
  uploadDeadlineHours: 48,
  consentOtp: 'off',
  personalDataRetentionDays: 90,
};

export function formalSettings(tenant: Pick<Tenant, 'settings'>): FormalSettings {
  return { ...FORMAL_DEFAULTS, ...(tenant.settings.formal ?? {}) };
}
