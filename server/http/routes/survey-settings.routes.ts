/**
 * Admins edit the satisfaction survey's questions: the page
 * (`/:slug/staff/survey-settings`, one POST whose `action` says what to do,
 * answered 303 after a save) and the JSON API
 * (`/api/v1/tenants/:slug/survey-settings`). Saving drops this process's
 * cached tenant, so the next survey shown here asks the new questions.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import { z } from 'zod';
import { LANGUAGES, type Language } from '../../../shared/domain.js';
import { AppError, isAppError } from '../../../shared/errors.js';
import { translator, type T } from '../../i18n/i18n.js';
import { changeSurveyQuestions, configOf, restoreDefaultSurvey, saveSurveyQuestions, type SurveyChange } from '../../modules/surveys/save-survey-settings.js';
import { surveySettingsInput } from '../../modules/surveys/survey-config.js';
import { asksDefaultSurvey, QUESTION_KINDS, surveyQuestionsFor, type SurveyQuestion } from '../../modules/surveys/survey-questions.js';
import { findTenantById, type Tenant } from '../../modules/tenants/tenants.repository.js';
import type { AppContext } from '../context.js';
import { pageCtx, redirectUnauthenticatedToLogin, sendHtml } from '../page-helpers.js';
import type { FieldErrors } from '../pages/form-parts.js';
import { renderPage } from '../pages/layout.js';
import { tenantPath } from '../pages/page-context.js';
import { SurveySettingsPage, type SurveySettingsForm } from '../pages/staff/survey-settings.page.js';
import { resolveStaff, resolveTenant } from '../request-tenant.js';
import { checkCsrf, requireStaff, staffApiAccess } from '../staff-auth.js';
import { errorBody } from './api-schemas.js';

type FieldProblem = { path: string; code: string };

const slugParams = z.object({ slug: z.string().max(40) });
const questionView = z.object({
  id: z.string(),
  kind: z.enum(QUESTION_KINDS as ['scale', 'yes_no', 'text']),
  required: z.boolean(),
  builtIn: z.boolean().describe('One of the default questions (liked, easy, again, comment).'),
  label: z.partialRecord(z.enum(LANGUAGES), z.string()).describe('The town hall\'s own wording; a default question without it uses the default wording.'),
});
const surveySettingsView = z.object({
  questions: z.array(questionView).describe('The questions in the order the survey asks them.'),
  defaults: z.boolean().describe('The town hall asks the default set unchanged.'),
});
const apiErrors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody };

function view(questions: SurveyQuestion[], tenant: Pick<Tenant, 'settings'>): z.infer<typeof surveySettingsView> {
  return { questions: questions.map((q) => ({ id: q.id, kind: q.kind, required: q.required, builtIn: q.builtIn, label: q.label ?? {} })), defaults: asksDefaultSurvey(tenant) };
}

const text = (form: SurveySettingsForm, k: string) => (typeof form[k] === 'string' ? (form[k] as string).trim() : '');

/** The wording boxes `<prefix><lang>` of the town hall's languages. */
function labelsOf(form: SurveySettingsForm, prefix: string, languages: readonly Language[]): Partial<Record<Language, string>> {
  return Object.fromEntries(languages.map((l) => [l, text(form, `${prefix}${l}`)]));
}

/** A question the form names that is no longer in the list (another admin removed it meanwhile). */
const unknownQuestion = () => new AppError('conflict', { fields: [{ path: 'questions', code: 'question_unknown' }] });

/** What the form's `action` does to the list. */
function changeFromForm(form: SurveySettingsForm, languages: readonly Language[]): SurveyChange {
  const action = text(form, 'action');
  const id = text(form, 'id');
  const at = (list: SurveyQuestion[]) => {
    const i = list.findIndex((q) => q.id === id);
    if (i < 0) throw unknownQuestion();
    return i;
  };
  switch (action) {
    case 'save':
      return (list) => {
        const i = at(list);
        const out: unknown[] = list.map(configOf);
        out[i] = { id, kind: list[i].kind, required: form[`q_${id}_required`] === 'yes', label: labelsOf(form, `q_${id}_label_`, languages) };
        return out;
      };
    case 'up':
    case 'down':
      return (list) => {
        const i = at(list);
        const j = action === 'up' ? i - 1 : i + 1;
        const out = list.map(configOf);
        if (j >= 0 && j < out.length) [out[i], out[j]] = [out[j], out[i]];
        return out;
      };
    case 'remove':
      return (list) => {
        const i = at(list);
        return list.map(configOf).filter((_, k) => k !== i);
      };
    case 'add':
      return (list) => [
        ...list.map(configOf),
        { id: text(form, 'add_id'), kind: text(form, 'add_kind'), required: form.add_required === 'yes', label: labelsOf(form, 'add_label_', languages) },
      ];
    case 'restore':
      return () => 'defaults';
    default:
      throw new AppError('validation_failed', { fields: [{ path: 'action', code: 'invalid' }] });
  }
}

/**
 * Each problem next to its box: `questions.<i>.label.<lang>` of the question
 * being added → `add_label_<lang>`, of a listed one → `q_<id>_label_<lang>`;
 * what concerns the whole list goes on the list's heading.
 */
function fieldErrors(t: T, fields: FieldProblem[], wanted: readonly unknown[] | undefined, adding: boolean): FieldErrors {
  const out: FieldErrors = {};
  const count = wanted?.length ?? 0;
  for (const f of fields) {
    const [head, index, part, lang] = f.path.split('.');
    const message = t(`survey_settings.errors.${f.code}`, { language: (lang ?? '').toUpperCase() });
    let name = 'questions';
    if (head === 'questions' && index !== undefined && wanted) {
      const i = Number(index);
      const newOne = adding && i === count - 1;
      const own = newOne ? 'add_' : `q_${String((wanted[i] as { id?: unknown } | undefined)?.id ?? '')}_`;
      if (part === 'label' && lang) name = `${own}label_${lang}`;
      else if (part === 'required') name = `${own}required`;
      else if (newOne && (part === 'id' || part === 'kind')) name = `add_${part}`;
    }
    out[name] ??= message;
  }
  return out;
}

const PROBLEM_CODES = new Set(['questions_invalid', 'questions_empty', 'questions_too_many', 'id_invalid', 'id_taken', 'kind_invalid', 'kind_fixed', 'required_invalid', 'label_required', 'label_too_long', 'label_invalid', 'question_unknown']);

export async function surveySettingsRoutes(app: FastifyInstance, ctx: AppContext) {
  /** The town hall as stored now (not the few seconds' cache): the admin sees what was just saved. */
  const fresh = async (req: FastifyRequest) => (await findTenantById(ctx.database.db, req.tenant!.id)) ?? req.tenant!;

  app.register(async (r) => {
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
      await resolveStaff(ctx, req);
    });
    redirectUnauthenticatedToLogin(r);

    const page = async (req: FastifyRequest, reply: FastifyReply, o: { values?: SurveySettingsForm; editing?: string; errors?: FieldErrors; notice?: string; status?: number } = {}) => {
      const questions = surveyQuestionsFor(await fresh(req));
      return sendHtml(reply, renderPage(h(SurveySettingsPage, { ctx: pageCtx(req), questions, ...o })), o.status);
    };

    r.get('/:slug/staff/survey-settings', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      const saved = (req.query as Record<string, unknown>).saved === '1';
      return page(req, reply, { notice: saved ? translator(req.lang)('survey_settings.saved') : undefined });
    });

    r.post('/:slug/staff/survey-settings', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      checkCsrf(req);
      const body = req.body;
      const form: SurveySettingsForm = body && typeof body === 'object' && !Array.isArray(body) ? (body as SurveySettingsForm) : {};
      const change = changeFromForm(form, req.tenant!.languages);
      let wanted: unknown[] | undefined;
      try {
        await changeSurveyQuestions({
          db: ctx.database.db,
          tenantId: req.tenant!.id,
          change: (list) => {
            const next = change(list);
            wanted = next === 'defaults' ? undefined : next;
            return next;
          },
        });
      } catch (e) {
        const fields = isAppError(e) && Array.isArray(e.details?.fields) ? (e.details.fields as FieldProblem[]) : undefined;
        if (!isAppError(e) || !fields || !fields.every((f) => PROBLEM_CODES.has(f.code))) throw e;
        const action = text(form, 'action');
        const errors = fieldErrors(translator(req.lang), fields, wanted, action === 'add');
        return page(req, reply, { values: form, editing: action === 'add' ? 'add' : text(form, 'id'), errors, status: e.status === 409 ? 409 : 422 });
      }
      ctx.tenants.invalidate(req.tenant!.slug);
      return reply.redirect(`${tenantPath({ tenant: req.tenant! }, 'staff', 'survey-settings')}?saved=1`, 303);
    });
  });

  app.register(async (root) => {
    const r = root.withTypeProvider<ZodTypeProvider>();
    r.addHook('onRequest', staffApiAccess(ctx, ['admin']));
    const tags = ['admin'];

    r.get(
      '/api/v1/tenants/:slug/survey-settings',
      { schema: { tags, summary: 'The satisfaction survey\'s questions, in order', params: slugParams, response: { 200: surveySettingsView, ...apiErrors } } },
      async (req) => {
        const tenant = await fresh(req);
        return view(surveyQuestionsFor(tenant), tenant);
      },
    );

    r.put(
      '/api/v1/tenants/:slug/survey-settings',
      {
        schema: {
          tags,
          summary: 'Replace the satisfaction survey\'s questions; the next survey shown asks them',
          description:
            '1 to 10 questions with unique codes. Default questions (liked, easy, again, comment) keep their kind and may have their own wording; an own question needs its wording in every language of the town hall. Answers to scale and yes/no questions are counted in the indicators as `sq:<id>:<value>`. Problems answer 400 validation_failed with every `{ path, code }`.',
          params: slugParams,
          body: surveySettingsInput,
          response: { 200: surveySettingsView, ...apiErrors },
        },
      },
      async (req) => {
        await saveSurveyQuestions({ db: ctx.database.db, tenantId: req.tenant!.id, questions: req.body.questions });
        ctx.tenants.invalidate(req.tenant!.slug);
        const tenant = await fresh(req);
        return view(surveyQuestionsFor(tenant), tenant);
      },
    );

    r.delete(
      '/api/v1/tenants/:slug/survey-settings',
      { schema: { tags, summary: 'Go back to the default questions in their default wording', params: slugParams, response: { 200: surveySettingsView, ...apiErrors } } },
      async (req) => {
        await restoreDefaultSurvey({ db: ctx.database.db, tenantId: req.tenant!.id });
        ctx.tenants.invalidate(req.tenant!.slug);
        const tenant = await fresh(req);
        return view(surveyQuestionsFor(tenant), tenant);
      },
    );
  });
}
