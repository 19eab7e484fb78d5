/** What every page route does the same way: the page context, an HTML answer, the staff sign-in redirect. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../shared/errors.js';
import { translator } from '../i18n/i18n.js';
import { tenantPath, type PageCtx } from './pages/page-context.js';

export function pageCtx(req: FastifyRequest): PageCtx {
  return { t: translator(req.lang), lang: req.lang, tenant: req.tenant!, url: req.url, staff: req.staff, csrf: req.csrfToken };
}

export function sendHtml(reply: FastifyReply, body: string, status = 200) {
  return reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}

/** Staff pages answer an unauthenticated visit with the sign-in page, not an error. */
export function redirectUnauthenticatedToLogin(r: FastifyInstance) {
  r.setErrorHandler((err, req, reply) => {
    if (isAppError(err) && err.code === 'unauthenticated') {
      return reply.redirect(`${tenantPath({ tenant: req.tenant! }, 'staff', 'login')}?lang=${req.lang}`, 303);
    }
    throw err;
  });
}
