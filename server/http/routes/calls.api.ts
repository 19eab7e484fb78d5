/**
 * Call attempts of the agent console (phone and call-back attentions): how
 * each call went, and the end as "not reached" after too many failures.
 * Served like the console API: under /api/v1/tenants/{slug} (documented) and
 * /{slug}/staff/console/api (the browser console, page session cookie).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { callAttemptInput, recordCallAttempt } from '../../modules/attention/record-call-attempt.js';
import type { AppContext } from '../context.js';
import { registerConsoleRoutes } from '../console-routes.js';
import { checkCsrf, requireStaff } from '../staff-auth.js';
import { errorBody } from './api-schemas.js';

const attentionParams = z.object({ slug: z.string().max(40), id: z.uuid() });

export async function callsApi(app: FastifyInstance, ctx: AppContext) {
  const deps = { database: ctx.database, jobMaxAttempts: ctx.config.JOB_MAX_ATTEMPTS };
  registerConsoleRoutes(app, ctx, (r, prefix, hide) => {
      r.post(`${prefix}/attentions/:id/attempts`, {
        schema: {
          hide,
          tags: ['console'],
          summary: 'Record a call attempt (phone and call-back); after the maximum of failed attempts the attention ends not reached and the citizen is emailed',
          params: attentionParams,
          body: callAttemptInput,
          response: {
            200: z.object({ attempts: z.number().int(), status: z.enum(['in_progress', 'not_reached']) }),
            400: errorBody,
            401: errorBody,
            403: errorBody,
            404: errorBody,
            409: errorBody,
            422: errorBody,
          },
        },
      }, async (req) => {
        const staff = await requireStaff(ctx, req);
        checkCsrf(req);
        const result = await recordCallAttempt(deps, { tenant: req.tenant!, agent: staff, attentionId: req.params.id, input: req.body });
        if (result.emailQueued) ctx.booking.kickJobs();
        return { attempts: result.attempts, status: result.status };
      });
  });
}
