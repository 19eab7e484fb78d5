/**
 * Admins set how live attention behaves in their town hall: when the waiting room
 * opens, when a booked citizen is a no-show, how many failed calls end a request,
 * the click-to-call link, whether the virtual queue is open and the priority
 * weights. Stored in tenants.settings->'live'; the other settings keys are kept.
 */
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import type { Db } from '../../db/client.js';
import { tenants, type LiveSettings } from '../../db/schema.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { liveSettings, PRIORITY_REASONS } from './live-settings.js';

/** Schemes offered by name in the form's hint; any other lowercase scheme of a softphone is accepted too. */
export const CALL_LINK_SCHEMES = ['tel', 'sip', 'sips', 'callto'] as const;

/** Schemes that open a web page or run code: a click-to-call link must never be one of them. */
const FORBIDDEN_SCHEMES = new Set(['javascript', 'vbscript', 'data', 'http', 'https', 'file', 'blob', 'about', 'filesystem', 'ws', 'wss', 'ftp']);
const SCHEME = /^([a-z][a-z0-9+.-]{1,30}):/;

/** Why a click-to-call template cannot be used, or undefined when it can. */
export function callLinkProblem(template: string): 'call_link_characters' | 'call_link_number' | 'call_link_scheme' | undefined {
  // Printable ASCII only: no spaces, control characters or look-alike letters in a link.
  if (!/^[\x21-\x7e]*$/.test(template) || /["'<>\\`]/.test(template)) return 'call_link_characters';
  const scheme = SCHEME.exec(template)?.[1];
  if (!scheme || FORBIDDEN_SCHEMES.has(scheme)) return 'call_link_scheme';
  // callLink() fills the first {number}: exactly one, after the scheme.
  if (template.split('{number}').length !== 2) return 'call_link_number';
  return undefined;
}

const weight = z.number().int().min(0).max(10);

export const liveSettingsInput = z.object({
  waitingRoomOpensMinutes: z.number().int().min(0).max(120).describe('The waiting room opens this many minutes before the appointment.'),
  noShowMinutes: z.number().int().min(1).max(120).describe('A booked citizen absent this long after the start is a no-show.'),
  maxCallAttempts: z.number().int().min(1).max(10).describe('Failed call attempts after which a phone or call-back request ends as not reached.'),
  callLinkTemplate: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .superRefine((v, c) => {
      const problem = callLinkProblem(v);
      if (problem) c.addIssue({ code: 'custom', message: problem, params: { reason: problem } });
    })
    .describe('Click-to-call link; {number} (once) is replaced by the E.164 number. Scheme tel:, sip:, sips:, callto: or a softphone\'s own lowercase scheme; never http(s):, javascript:, data:, vbscript:.'),
  queueOpen: z.boolean().describe('Citizens can join the virtual queue without an appointment.'),
  queuePriorities: z
    .object({ over_65: weight, disability: weight, pregnancy: weight })
    .describe('Weight of each priority reason a citizen may state (0 = no priority); the weights of a citizen add up.'),
});
export type LiveSettingsInput = z.input<typeof liveSettingsInput>;

/** The settings as stored, read back with the defaults for anything missing. */
export const liveSettingsView = z.object({
  waitingRoomOpensMinutes: z.number(),
  noShowMinutes: z.number(),
  maxCallAttempts: z.number(),
  callLinkTemplate: z.string(),
  queueOpen: z.boolean(),
  queuePriorities: z.object({ over_65: z.number(), disability: z.number(), pregnancy: z.number() }),
});
export type LiveSettingsView = z.infer<typeof liveSettingsView>;

/** A town hall's live settings with every field filled in (defaults for what it has not set). */
export function viewLiveSettings(tenant: Pick<Tenant, 'settings'>): LiveSettingsView {
  const s = liveSettings(tenant);
  const weights = Object.fromEntries(PRIORITY_REASONS.map((r) => [r, s.queuePriorities[r] ?? 0])) as LiveSettingsView['queuePriorities'];
  return { ...s, queuePriorities: weights };
}

/** Validates every field at once (`validation_failed` lists them all) and replaces the tenant's live settings. */
export async function saveLiveSettings(o: { db: Db; tenantId: string; input: LiveSettingsInput }): Promise<LiveSettingsView> {
  const parsed = liveSettingsInput.safeParse(o.input);
  if (!parsed.success) {
    throw new AppError('validation_failed', {
      fields: parsed.error.issues.map((i) => ({
        path: i.path.join('.'),
        code: i.code === 'custom' ? String((i as { params?: { reason?: string } }).params?.reason ?? 'custom') : i.code,
      })),
    });
  }
  const live: LiveSettings = parsed.data;
  const [row] = await o.db
    .update(tenants)
    .set({ settings: sql`${tenants.settings} || jsonb_build_object('live', ${JSON.stringify(live)}::jsonb)` })
    .where(eq(tenants.id, o.tenantId))
    .returning({ settings: tenants.settings });
  if (!row) throw new AppError('tenant_not_found');
  return viewLiveSettings(row);
}
