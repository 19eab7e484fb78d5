/**
 * The console's JSON routes are served twice: under /api/v1/tenants/{slug}
 * (documented in OpenAPI, the API session cookie) and under
 * /{slug}/staff/console/api (hidden, for the browser console with the page
 * session cookie, whose path is /{slug}). This registers a plugin for each,
 * with the tenant and the staff session resolved first.
 */
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from './context.js';
import { answerErrorsAsJson } from './error-handler.js';
import { resolveStaff, resolveTenant } from './request-tenant.js';

export type ConsoleRouter = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

export const CONSOLE_PREFIXES = [
  { prefix: '/api/v1/tenants/:slug', hide: false },
  { prefix: '/:slug/staff/console/api', hide: true },
] as const;

export function registerConsoleRoutes(app: FastifyInstance, ctx: AppContext, routes: (r: ConsoleRouter, prefix: string, hide: boolean) => void) {
  for (const { prefix, hide } of CONSOLE_PREFIXES) {
    app.register(async (root) => {
      const r = root.withTypeProvider<ZodTypeProvider>();
      r.addHook('onRequest', async (req, reply) => {
        answerErrorsAsJson(req);
        await resolveTenant(ctx, req, reply);
        await resolveStaff(ctx, req);
      });
      routes(r, prefix, hide);
    });
  }
}
