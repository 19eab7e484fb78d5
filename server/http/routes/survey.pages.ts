/**
 * The citizen's satisfaction survey: the form behind an emailed link (the
 * town hall's questions), its answer (one per attention; on success a 303 to
 * the thank-you page, so a refresh never posts again), and the end-screen
 * link of a call, which turns the citizen's own room pass into its survey link.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import { z } from 'zod';
import { pickText } from '../../../shared/domain.js';
import { isLanguage } from '../../i18n/i18n.js';
import { findProcedureById } from '../../modules/catalogue/catalogue.repository.js';
import { findAttention } from '../../modules/attention/attention.repository.js';
import { submitSurvey } from '../../modules/surveys/submit-survey.js';
import { findSurveyInvitation, inviteToSurveyFromRoom } from '../../modules/surveys/survey-invitations.js';
import type { AnswerProblem } from '../../modules/surveys/survey-answers.js';
import { SURVEY_TEXT_MAX, surveyQuestionsFor, type SurveyQuestion } from '../../modules/surveys/survey-questions.js';
import type { AppContext } from '../context.js';
import { pageCtx, sendHtml } from '../page-helpers.js';
import type { FieldErrors } from '../pages/form-parts.js';
import { renderPage } from '../pages/layout.js';
import { tenantPath, type PageCtx } from '../pages/page-context.js';
import { questionLabel, SurveyNoticePage, SurveyPage, type SurveyValues } from '../pages/citizen/survey.page.js';
import { resolveTenant } from '../request-tenant.js';

const params = z.object({ slug: z.string(), token: z.string().max(200) });

/** The posted answers of the questions asked: strings as typed (anything else is reported as a wrong answer). */
function answersOf(body: unknown, questions: readonly SurveyQuestion[]): { input: Record<string, unknown>; values: SurveyValues } {
  const form = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const input: Record<string, unknown> = {};
  const values: SurveyValues = {};
  for (const q of questions) {
    if (!Object.hasOwn(form, q.id)) continue;
    const v = form[q.id];
    input[q.id] = typeof v === 'string' ? v.slice(0, 20_000) : v;
    if (typeof v === 'string') values[q.id] = v.slice(0, q.kind === 'text' ? SURVEY_TEXT_MAX : 10);
  }
  return { input, values };
}

/** One message per wrong answer, naming the question. */
function answerErrors(page: PageCtx, questions: readonly SurveyQuestion[], problems: AnswerProblem[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const q of questions) {
    const problem = problems.find((p) => p.id === q.id);
    if (!problem) continue;
    const question = questionLabel(page, { ...q, required: true });
    const key = q.kind === 'text' ? (problem.code === 'required' ? 'text_required' : 'text_long') : q.kind;
    errors[q.id] = page.t(`survey.invalid.${key}`, { question });
  }
  return errors;
}

type Notice = 'answered' | 'expired' | 'unknown';
const NOTICE_STATUS: Record<Notice, number> = { answered: 409, expired: 410, unknown: 404 };

/** Registers the survey pages (before the catch-all citizen pages). */
export async function surveyPages(app: FastifyInstance, ctx: AppContext) {
  const deps = { database: ctx.database };
  const limit = { rateLimit: { max: ctx.config.RATE_LIMIT_QUEUE_PER_MINUTE, timeWindow: '1 minute' } };

  app.register(async (r) => {
    r.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      await resolveTenant(ctx, req, reply);
    });

    const notice = (req: FastifyRequest, reply: FastifyReply, kind: Notice) =>
      sendHtml(reply, renderPage(h(SurveyNoticePage, { ctx: pageCtx(req), kind })), NOTICE_STATUS[kind]);

    /** The procedure's name, shown above the questions. */
    async function procedureName(req: FastifyRequest, attentionId: string) {
      const attention = await findAttention(ctx.database, req.tenant!.id, attentionId);
      const procedure = attention && (await findProcedureById(ctx.database.db, req.tenant!.id, attention.procedure_id));
      return procedure ? pickText(procedure.name, req.lang) : undefined;
    }

    // From the call's end screen: only the citizen's own pass of an ended call gets a link.
    r.get('/:slug/survey/room/:token', { config: limit }, async (req, reply) => {
      const p = params.safeParse(req.params);
      const token = p.success ? await inviteToSurveyFromRoom(deps, req.tenant!.id, p.data.token) : undefined;
      if (!token) return notice(req, reply, 'unknown');
      return reply.header('cache-control', 'no-store').redirect(`${tenantPath({ tenant: req.tenant! }, 'survey', token)}?lang=${req.lang}`, 303);
    });

    r.get('/:slug/survey/:token', async (req, reply) => {
      const p = params.safeParse(req.params);
      const inv = p.success ? await findSurveyInvitation(deps, req.tenant!.id, p.data.token) : undefined;
      if (!inv) return notice(req, reply, 'unknown');
      if (inv.answered) return notice(req, reply, 'answered');
      if (inv.expired) return notice(req, reply, 'expired');
      const questions = surveyQuestionsFor(req.tenant!);
      return sendHtml(reply, renderPage(h(SurveyPage, { ctx: pageCtx(req), token: p.data!.token, questions, procedure: await procedureName(req, inv.attentionId) })));
    });

    // After an answer (303 from the post): refreshing this page posts nothing.
    r.get('/:slug/survey/thanks', async (req, reply) => sendHtml(reply, renderPage(h(SurveyNoticePage, { ctx: pageCtx(req), kind: 'thanks' }))));

    r.post('/:slug/survey/:token', { config: limit }, async (req, reply) => {
      const p = params.safeParse(req.params);
      const inv = p.success ? await findSurveyInvitation(deps, req.tenant!.id, p.data.token) : undefined;
      if (!inv) return notice(req, reply, 'unknown');
      if (inv.answered) return notice(req, reply, 'answered');
      if (inv.expired) return notice(req, reply, 'expired');
      const token = p.data!.token;
      // the language the citizen read the questions in
      const posted = (req.body as Record<string, unknown> | undefined)?.lang;
      if (isLanguage(posted) && req.tenant!.languages.includes(posted)) req.lang = posted;
      const questions = surveyQuestionsFor(req.tenant!);
      const { input, values } = answersOf(req.body, questions);
      const result = await submitSurvey(deps, { tenantId: req.tenant!.id, token, questions, input, language: req.lang });
      if (!result.ok && result.reason === 'invalid') {
        // every problem at once, in the order of the questions
        const page = pageCtx(req);
        const errors = answerErrors(page, questions, result.problems);
        return sendHtml(reply, renderPage(h(SurveyPage, { ctx: page, token, questions, values, errors, procedure: await procedureName(req, inv.attentionId) })), 422);
      }
      if (!result.ok) return notice(req, reply, result.reason);
      return reply.header('cache-control', 'no-store').redirect(`${tenantPath({ tenant: req.tenant! }, 'survey', 'thanks')}?lang=${req.lang}`, 303);
    });
  });
}
