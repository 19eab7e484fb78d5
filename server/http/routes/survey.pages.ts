/**
 * The citizen's satisfaction survey: the form behind an emailed link, its
 * answer (one per attention), and the end-screen link of a call, which turns
 * the citizen's own room pass into a fresh survey link.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import { z } from 'zod';
import { pickText } from '../../../shared/domain.js';
import { translator } from '../../i18n/i18n.js';
import { findProcedureById } from '../../modules/catalogue/catalogue.repository.js';
import { findAttention } from '../../modules/attention/attention.repository.js';
import { submitSurvey } from '../../modules/surveys/submit-survey.js';
import { findSurveyInvitation, inviteToSurveyFromRoom } from '../../modules/surveys/survey-invitations.js';
import { SURVEY_QUESTIONS, surveyAnswers } from '../../modules/surveys/survey-questions.js';
import type { AppContext } from '../context.js';
import { pageCtx, sendHtml } from '../page-helpers.js';
import type { FieldErrors } from '../pages/form-parts.js';
import { renderPage } from '../pages/layout.js';
import { tenantPath } from '../pages/page-context.js';
import { SurveyNoticePage, SurveyPage, type SurveyValues } from '../pages/citizen/survey.page.js';
import { resolveTenant } from '../request-tenant.js';

const params = z.object({ slug: z.string(), token: z.string().max(200) });

/** The form as posted: strings only, of bounded size; anything else is a malformed body. */
const surveyForm = z.object({
  liked: z.string().max(10).default(''),
  easy: z.string().max(10).default(''),
  again: z.string().max(10).default(''),
  comment: z.string().max(20_000).default(''),
  lang: z.string().max(10).optional(),
});

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
      return sendHtml(reply, renderPage(h(SurveyPage, { ctx: pageCtx(req), token: p.data!.token, procedure: await procedureName(req, inv.attentionId) })));
    });

    r.post('/:slug/survey/:token', { config: limit }, async (req, reply) => {
      const p = params.safeParse(req.params);
      const inv = p.success ? await findSurveyInvitation(deps, req.tenant!.id, p.data.token) : undefined;
      if (!inv) return notice(req, reply, 'unknown');
      if (inv.answered) return notice(req, reply, 'answered');
      if (inv.expired) return notice(req, reply, 'expired');
      const token = p.data!.token;
      const form = surveyForm.safeParse(req.body ?? {});
      const f = form.success ? form.data : { liked: '', easy: '', again: '', comment: '' };
      const values: SurveyValues = { liked: f.liked, easy: f.easy, again: f.again, comment: f.comment.slice(0, 2000) };
      const parsed = surveyAnswers.safeParse(f);
      if (!form.success || !parsed.success) {
        // every problem at once, in the order of the questions
        const t = translator(req.lang);
        const bad = new Set(parsed.success ? SURVEY_QUESTIONS.map((q) => q.id) : parsed.error.issues.map((i) => String(i.path[0])));
        const errors: FieldErrors = {};
        for (const q of SURVEY_QUESTIONS) if (bad.has(q.id)) errors[q.id] = t(`survey.invalid.${q.id}`);
        const page = h(SurveyPage, { ctx: pageCtx(req), token, values, errors, procedure: await procedureName(req, inv.attentionId) });
        return sendHtml(reply, renderPage(page), 422);
      }
      const result = await submitSurvey(deps, { tenantId: req.tenant!.id, token, answers: parsed.data, language: req.lang });
      if (!result.ok) return notice(req, reply, result.reason);
      return sendHtml(reply, renderPage(h(SurveyNoticePage, { ctx: pageCtx(req), kind: 'thanks' })));
    });
  });
}
