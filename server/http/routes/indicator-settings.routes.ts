/** Admins edit service-level targets, report recipients and publication (page and API). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import { z } from 'zod';
import { isAppError } from '../../../shared/errors.js';
import { translator, type T } from '../../i18n/i18n.js';
import {
  indicatorSettingsInput,
  indicatorSettingsView,
  MAX_RECIPIENTS,
  MAX_TARGETS,
  saveIndicatorSettings,
  viewIndicatorSettings,
  type FieldProblem,
  type IndicatorSettingsView,
} from '../../modules/indicators/save-indicator-settings.js';
import type { AppContext } from '../context.js';
import { pageCtx, redirectUnauthenticatedToLogin, sendHtml } from '../page-helpers.js';
import { renderPage } from '../pages/layout.js';
import { findTenantById } from '../../modules/tenants/tenants.repository.js';
import { tenantPath } from '../pages/page-context.js';
import type { FieldErrors } from '../pages/form-parts.js';
import { IndicatorSettingsPage, type IndicatorSettingsForm as Form } from '../pages/staff/indicator-settings.page.js';
import { resolveStaff, resolveTenant } from '../request-tenant.js';
import { checkCsrf, requireStaff, staffApiAccess } from '../staff-auth.js';
import { errorBody } from './api-schemas.js';

/** Blank target rows offered under the saved ones (the form adds rows without JavaScript). */
const BLANK_ROWS = 3;
const ROW_BOXES = ['metric', 'channel', 'goal', 'minutes', 'seconds', 'days', 'id'] as const;

const text = (form: Form, k: string) => (typeof form[k] === 'string' ? (form[k] as string).trim() : '');

/** A whole number box: undefined when empty, NaN when not a whole number. */
function wholeBox(value: string): number | undefined {
  if (value === '') return undefined;
  return /^\d{1,6}$/.test(value) ? Number(value) : NaN;
}

function clamp(value: string, lo: number, hi: number, fallback: number): number {
  const n = wholeBox(value);
  return n === undefined || Number.isNaN(n) ? fallback : Math.min(hi, Math.max(lo, n));
}

/** The saved settings as the form shows them: times in minutes and seconds, days apart, one recipient per line. */
function viewToForm(s: IndicatorSettingsView): Form {
  const form: Form = {
    reportRecipients: s.reportRecipients.join('\n'),
    reportLanguage: s.reportLanguage ?? '',
    publishTransparency: s.publishTransparency ? 'yes' : '',
    shareWithOperator: s.shareWithOperator ? 'yes' : '',
  };
  s.targets.forEach((x, i) => {
    Object.assign(form, { [`t${i}_id`]: x.id, [`t${i}_metric`]: x.metric, [`t${i}_channel`]: x.channel ?? '', [`t${i}_goal`]: String(x.goalPercent) });
    if (x.metric === 'first_free') form[`t${i}_days`] = String(x.threshold);
    else Object.assign(form, { [`t${i}_minutes`]: String(Math.floor(x.threshold / 60)), [`t${i}_seconds`]: String(x.threshold % 60) });
  });
  return form;
}

/** The threshold a row states: working days for first_free, minutes and seconds otherwise; NaN when unreadable. */
function rowThreshold(form: Form, row: number, metric: string): number {
  if (metric === 'first_free') return wholeBox(text(form, `t${row}_days`)) ?? NaN;
  if (metric !== 'wait' && metric !== 'handling') return 0;
  const minutes = wholeBox(text(form, `t${row}_minutes`));
  const seconds = wholeBox(text(form, `t${row}_seconds`));
  if (minutes === undefined && seconds === undefined) return NaN;
  if ((seconds ?? 0) > 59) return NaN;
  return (minutes ?? 0) * 60 + (seconds ?? 0);
}

/** The form as API input; `rowOf[k]` is the form row of target k. Blank and removed rows are left out. */
function formToInput(form: Form): { input: Record<string, unknown>; rowOf: number[]; recipients: string[] } {
  const targets: Record<string, unknown>[] = [];
  const rowOf: number[] = [];
  for (let row = 0; row < MAX_TARGETS; row++) {
    if (form[`t${row}_remove`] === 'yes') continue;
    if (ROW_BOXES.every((b) => text(form, `t${row}_${b}`) === '')) continue;
    const metric = text(form, `t${row}_metric`);
    const channel = text(form, `t${row}_channel`);
    const goal = text(form, `t${row}_goal`).replace(/\s*%$/, '');
    targets.push({
      id: text(form, `t${row}_id`),
      metric,
      ...(channel ? { channel } : {}),
      threshold: rowThreshold(form, row, metric),
      goalPercent: wholeBox(goal) ?? NaN,
    });
    rowOf.push(row);
  }
  const recipients = text(form, 'reportRecipients')
    .split(/[\n\r,;]+/)
    .map((x) => x.trim())
    .filter(Boolean);
  const language = text(form, 'reportLanguage');
  return {
    input: {
      targets,
      reportRecipients: recipients,
      reportLanguage: language || null,
      publishTransparency: form.publishTransparency === 'yes',
      shareWithOperator: form.shareWithOperator === 'yes',
    },
    rowOf,
    recipients,
  };
}

/** One translated message next to each wrong box; a target's messages name the target. */
function fieldErrors(t: T, fields: FieldProblem[], o: { rowOf: number[]; recipients: string[]; input: Record<string, unknown> }): FieldErrors {
  const k = (key: string, vars?: Record<string, unknown>) => t(`staff.indicator_settings.errors.${key}`, vars);
  const out: FieldErrors = {};
  const badEmails: string[] = [];
  for (const f of fields) {
    const [head, index, field] = f.path.split('.');
    if (head === 'targets' && index !== undefined && o.rowOf[Number(index)] !== undefined) {
      const row = o.rowOf[Number(index)];
      const target = (o.input.targets as Array<Record<string, unknown>>)[Number(index)];
      const own = (box: string, message: string) => (out[`t${row}_${box}`] ??= k('row', { n: row + 1, message }));
      if (field === 'id') own('id', k(f.code === 'target_id_taken' ? 'id_taken' : 'id_invalid'));
      else if (field === 'metric') own('metric', k('metric'));
      else if (field === 'channel') own('channel', k('channel'));
      else if (field === 'goalPercent') own('goal', k('goal'));
      else if (field === 'threshold') {
        if (target?.metric === 'first_free') own('days', k('days', { max: 60 }));
        else own('time', k('time'));
      } else own('metric', t('errors.validation_failed'));
    } else if (head === 'targets') out.targets ??= k('too_many_targets', { max: MAX_TARGETS });
    else if (head === 'reportRecipients') {
      if (index === undefined) out.reportRecipients = k('recipients_too_many', { max: MAX_RECIPIENTS });
      else if (o.recipients[Number(index)] !== undefined) badEmails.push(o.recipients[Number(index)]);
    } else if (head === 'reportLanguage') out.reportLanguage ??= k('language');
    else out.form ??= t('errors.validation_failed');
  }
  if (badEmails.length && !out.reportRecipients) out.reportRecipients = k('recipients_invalid', { list: badEmails.join(', '), count: badEmails.length });
  // The summary lists the problems in the order of the boxes on the page.
  const order = ['targets', ...Array.from({ length: MAX_TARGETS }, (_, row) => ['metric', 'channel', 'goal', 'time', 'days', 'id'].map((b) => `t${row}_${b}`)).flat(), 'reportRecipients', 'reportLanguage'];
  const rank = (key: string) => (order.includes(key) ? order.indexOf(key) : order.length);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => rank(a) - rank(b)));
}

const slugParams = z.object({ slug: z.string().max(40) });
const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody };

export async function indicatorSettingsRoutes(app: FastifyInstance, ctx: AppContext) {
  app.register(async (r) => {
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
      await resolveStaff(ctx, req);
    });
    redirectUnauthenticatedToLogin(r);

    function page(req: FastifyRequest, reply: FastifyReply, o: { values: Form; rows: number; saved: number; errors?: FieldErrors; notice?: string; status?: number }) {
      return sendHtml(reply, renderPage(h(IndicatorSettingsPage, { ctx: pageCtx(req), values: o.values, rows: o.rows, saved: o.saved, errors: o.errors, notice: o.notice })), o.status);
    }

    r.get('/:slug/staff/indicator-settings', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      // read afresh: after saving, another process's tenant cache may still hold the old settings for a few seconds
      const view = viewIndicatorSettings((await findTenantById(ctx.database.db, req.tenant!.id)) ?? req.tenant!);
      const saved = view.targets.length;
      const notice = (req.query as Record<string, unknown>).saved === '1' ? translator(req.lang)('staff.indicator_settings.saved') : undefined;
      return page(req, reply, { values: viewToForm(view), rows: Math.min(MAX_TARGETS, saved + BLANK_ROWS), saved, notice });
    });

    r.post('/:slug/staff/indicator-settings', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      checkCsrf(req);
      const form = (req.body ?? {}) as Form;
      const parsed = formToInput(form);
      try {
        await saveIndicatorSettings({ db: ctx.database.db, tenant: req.tenant!, input: parsed.input });
      } catch (e) {
        if (!isAppError(e) || !Array.isArray(e.details?.fields)) throw e;
        const rows = clamp(text(form, 'rows'), 1, MAX_TARGETS, MAX_TARGETS);
        const saved = clamp(text(form, 'saved'), 0, rows, 0);
        return page(req, reply, { values: form, rows, saved, errors: fieldErrors(translator(req.lang), e.details.fields as FieldProblem[], parsed), status: 422 });
      }
      ctx.tenants.invalidate(req.tenant!.slug);
      return reply.redirect(`${tenantPath({ tenant: req.tenant! }, 'staff', 'indicator-settings')}?saved=1`, 303);
    });
  });

  app.register(async (root) => {
    const r = root.withTypeProvider<ZodTypeProvider>();
    r.addHook('onRequest', staffApiAccess(ctx, ['admin']));
    const tags = ['indicators'];

    r.get(
      '/api/v1/tenants/:slug/indicator-settings',
      { schema: { tags, summary: 'Indicator settings: service-level targets, monthly report, publication (defaults filled in; admins)', params: slugParams, response: { 200: indicatorSettingsView, ...errors } } },
      async (req) => viewIndicatorSettings((await findTenantById(ctx.database.db, req.tenant!.id)) ?? req.tenant!),
    );

    r.put(
      '/api/v1/tenants/:slug/indicator-settings',
      {
        // The use case validates the raw body itself, so every field's problem comes back at once with its own code.
        attachValidation: true,
        schema: { tags, summary: 'Replace the indicator settings; they apply at once (admins)', params: slugParams, body: indicatorSettingsInput, response: { 200: indicatorSettingsView, ...errors } },
      },
      async (req) => {
        const saved = await saveIndicatorSettings({ db: ctx.database.db, tenant: req.tenant!, input: req.body });
        ctx.tenants.invalidate(req.tenant!.slug);
        return saved;
      },
    );
  });
}
