/**
 * Admins set how their town hall uses its indicators: service-level targets,
 * who receives the monthly report and in which language, whether the
 * transparency panel is published and whether the town hall appears in the
 * operator's comparison. Stored in tenants.settings->'indicators'; the other
 * settings keys are kept.
 */
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { LANGUAGES, type Language } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import type { Db } from '../../db/client.js';
import { tenants, type IndicatorSettings, type ServiceTarget } from '../../db/schema.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { FIRST_FREE_MAX_DAYS } from './counters.js';
import { isDurationEdge } from './histogram.js';
import { indicatorSettings } from './indicator-settings.js';

export const TARGET_METRICS = ['wait', 'handling', 'first_free'] as const;
export const TARGET_CHANNELS = ['video', 'phone', 'callback'] as const;
export const MAX_TARGETS = 20;
export const MAX_RECIPIENTS = 20;
const TARGET_ID = /^[a-z0-9-]{1,40}$/;

const targetInput = z.object({
  id: z
    .string()
    .trim()
    .regex(/^[a-z0-9-]{0,40}$/)
    .optional()
    .describe('Stable code, unique in the town hall: 1 to 40 lowercase letters, digits and hyphens. Empty or absent: one is made from the metric, channel and threshold.'),
  metric: z.enum(TARGET_METRICS).describe('wait = taken − the later of queued and due; handling = closed − taken; first_free = working days to the first free appointment.'),
  channel: z.enum(TARGET_CHANNELS).nullable().optional().describe('Only this channel; absent or null = every channel.'),
  threshold: z
    .number()
    .int()
    .min(0)
    .max(86_400)
    .describe(
      'wait and handling: seconds, a histogram edge (15-s steps up to 10 min, 1-min steps up to 1 h, 5-min steps up to 4 h, 30-min steps up to 24 h); first_free: working days, 0 to 60.',
    ),
  goalPercent: z.number().int().min(1).max(100).describe('The share (%) that must meet the threshold, 1 to 100.'),
});

export const indicatorSettingsInput = z.object({
  targets: z.array(targetInput).max(MAX_TARGETS).describe(`Service-level targets, at most ${MAX_TARGETS}.`),
  reportRecipients: z.array(z.email().max(254)).max(MAX_RECIPIENTS).describe(`Who receives the monthly report by email, at most ${MAX_RECIPIENTS}.`),
  reportLanguage: z.enum(LANGUAGES).nullable().optional().describe("The monthly report's language, one the town hall offers; absent or null = its default language."),
  publishTransparency: z.boolean().describe('Publish the transparency panel and the open-data API.'),
  shareWithOperator: z.boolean().describe("Include the town hall in the operator's comparison between town halls."),
});
export type IndicatorSettingsInput = z.input<typeof indicatorSettingsInput>;

/** The settings as stored, read back with the defaults for anything missing. */
export const indicatorSettingsView = z.object({
  targets: z.array(
    z.object({
      id: z.string(),
      metric: z.enum(TARGET_METRICS),
      channel: z.enum(TARGET_CHANNELS).optional(),
      threshold: z.number(),
      goalPercent: z.number(),
    }),
  ),
  reportRecipients: z.array(z.string()),
  reportLanguage: z.enum(LANGUAGES).nullable(),
  publishTransparency: z.boolean(),
  shareWithOperator: z.boolean(),
});
export type IndicatorSettingsView = z.infer<typeof indicatorSettingsView>;

export function viewIndicatorSettings(tenant: Pick<Tenant, 'settings'>): IndicatorSettingsView {
  const s = indicatorSettings(tenant);
  return {
    targets: s.targets.map((x) => ({ id: x.id, metric: x.metric, ...(x.channel ? { channel: x.channel } : {}), threshold: x.threshold, goalPercent: x.goalPercent })),
    reportRecipients: s.reportRecipients,
    reportLanguage: s.reportLanguage ?? null,
    publishTransparency: s.publishTransparency,
    shareWithOperator: s.shareWithOperator,
  };
}

/** A problem with one field: its path (`targets.2.threshold`) and a code (zod's, or one of ours). */
export type FieldProblem = { path: string; code: string };

/**
 * Why a target's threshold cannot be used, or undefined when it can:
 * times must be histogram edges, so "within X" is exact; days 0–60.
 */
export function thresholdProblem(metric: ServiceTarget['metric'], threshold: number): 'threshold_not_edge' | 'threshold_days' | undefined {
  if (metric === 'first_free') return Number.isInteger(threshold) && threshold >= 0 && threshold <= FIRST_FREE_MAX_DAYS ? undefined : 'threshold_days';
  return isDurationEdge(threshold) ? undefined : 'threshold_not_edge';
}

/** The checks zod cannot make field by field: thresholds by metric, unique codes, a language the town hall offers. */
function crossFieldProblems(raw: unknown, tenant: Pick<Tenant, 'languages'>, already: Set<string>): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (!raw || typeof raw !== 'object') return out;
  const input = raw as Record<string, unknown>;
  const seen = new Set<string>();
  if (Array.isArray(input.targets)) {
    input.targets.slice(0, MAX_TARGETS).forEach((t, i) => {
      if (!t || typeof t !== 'object') return;
      const { metric, threshold, id } = t as Record<string, unknown>;
      const at = `targets.${i}.threshold`;
      if ((TARGET_METRICS as readonly unknown[]).includes(metric) && typeof threshold === 'number' && !already.has(at)) {
        const problem = thresholdProblem(metric as ServiceTarget['metric'], threshold);
        if (problem) out.push({ path: at, code: problem });
      }
      const code = typeof id === 'string' ? id.trim() : '';
      if (code && TARGET_ID.test(code)) {
        if (seen.has(code)) out.push({ path: `targets.${i}.id`, code: 'target_id_taken' });
        seen.add(code);
      }
    });
  }
  const lang = input.reportLanguage;
  if (typeof lang === 'string' && (LANGUAGES as readonly string[]).includes(lang) && !tenant.languages.includes(lang as Language)) {
    out.push({ path: 'reportLanguage', code: 'language_not_offered' });
  }
  return out;
}

/** A code for a target left without one: metric, channel and threshold (`wait-callback-240`), made unique. */
function generatedId(t: { metric: string; channel?: string | null; threshold: number }, taken: Set<string>): string {
  const base = [t.metric.replace('_', '-'), t.channel, String(t.threshold)].filter(Boolean).join('-');
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

/**
 * Checks input from the API or the form: every problem at once, as
 * `validation_failed` with `{ path, code }` per field; never throws anything else on bad input.
 */
export function validateIndicatorSettings(raw: unknown, tenant: Pick<Tenant, 'languages'>): IndicatorSettings {
  const parsed = indicatorSettingsInput.safeParse(raw);
  const problems: FieldProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), code: i.code }));
  problems.push(...crossFieldProblems(raw, tenant, new Set(problems.map((p) => p.path))));
  // A hundred problems say enough; a body of thousands of bad emails does not need as many lines back.
  if (!parsed.success || problems.length) throw new AppError('validation_failed', { fields: problems.slice(0, 100) });
  const input = parsed.data;
  const taken = new Set(input.targets.map((t) => t.id).filter((id): id is string => !!id));
  const targets: ServiceTarget[] = input.targets.map((t) => ({
    id: t.id || generatedId(t, taken),
    metric: t.metric,
    ...(t.channel ? { channel: t.channel } : {}),
    threshold: t.threshold,
    goalPercent: t.goalPercent,
  }));
  const recipients: string[] = [];
  for (const email of input.reportRecipients) {
    if (!recipients.some((r) => r.toLowerCase() === email.toLowerCase())) recipients.push(email);
  }
  return {
    targets,
    reportRecipients: recipients,
    ...(input.reportLanguage ? { reportLanguage: input.reportLanguage } : {}),
    publishTransparency: input.publishTransparency,
    shareWithOperator: input.shareWithOperator,
  };
}

/** Validates every field at once and replaces the tenant's indicator settings; the caller drops its tenant cache. */
export async function saveIndicatorSettings(o: { db: Db; tenant: Pick<Tenant, 'id' | 'languages'>; input: unknown }): Promise<IndicatorSettingsView> {
  const settings = validateIndicatorSettings(o.input, o.tenant);
  const [row] = await o.db
    .update(tenants)
    .set({ settings: sql`${tenants.settings} || jsonb_build_object('indicators', ${JSON.stringify(settings)}::jsonb)` })
    .where(eq(tenants.id, o.tenant.id))
    .returning({ settings: tenants.settings });
  if (!row) throw new AppError('tenant_not_found');
  return viewIndicatorSettings(row);
}
