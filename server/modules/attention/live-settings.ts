/** The live-attention settings of a town hall, with the defaults for what it has not set. */
import type { LiveSettings } from '../../db/schema.js';
import type { Tenant } from '../tenants/tenants.repository.js';

export const LIVE_DEFAULTS: LiveSettings = {
  waitingRoomOpensMinutes: 10,
  noShowMinutes: 10,
  maxCallAttempts: 3,
  callLinkTemplate: 'tel:{number}',
  queueOpen: true,
  queuePriorities: { over_65: 1, disability: 1, pregnancy: 1 },
};

export const PRIORITY_REASONS = ['over_65', 'disability', 'pregnancy'] as const;
export type PriorityReason = (typeof PRIORITY_REASONS)[number];

export function liveSettings(tenant: Pick<Tenant, 'settings'>): LiveSettings {
  const own = tenant.settings.live ?? {};
  return { ...LIVE_DEFAULTS, ...own, queuePriorities: { ...LIVE_DEFAULTS.queuePriorities, ...own.queuePriorities } };
}

/** The click-to-call link for a number, following the tenant's template (tel:, sip:, a softphone's scheme). */
export function callLink(settings: LiveSettings, e164: string): string {
  return settings.callLinkTemplate.replace('{number}', encodeURIComponent(e164));
}
