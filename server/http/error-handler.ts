/**
 * The one place that turns failures into responses: `{ code, message }` with a
 * stable code and a message in the request's language for the API, a page for
 * the browser. Unknown errors are logged without personal data and answer 500.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_STATUS, isAppError, type ErrorCode } from '../../shared/errors.js';
import { translator } from '../i18n/i18n.js';
import { pgErrorCode } from '../db/client.js';
import { safeError } from '../logger.js';
import { platformLanguage } from './request-tenant.js';

export type HtmlErrorRenderer = (req: FastifyRequest, reply: FastifyReply, err: AppError) => string;

/** Maps anything thrown to an AppError; returns undefined for a real bug. */
export function toAppError(err: unknown): AppError | undefined {
  if (isAppError(err)) return err;
  const e = err as FastifyError & { statusCode?: number };
  if (Array.isArray(e?.validation)) {
    return new AppError('validation_failed', {
      fields: e.validation.map((v) => ({
        path: `${e.validationContext ?? ''}${v.instancePath ?? ''}`.replace(/\//g, '.'),
        code: String(v.keyword ?? 'invalid'),
      })),
    });
  }
  switch (e?.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('malformed_body');
  }
  if (e instanceof SyntaxError || e?.name === 'SyntaxError') return new AppError('malformed_body');
  // Text PostgreSQL cannot store (a NUL byte, invalid encoding) is bad input, not a server fault.
  const pg = pgErrorCode(err);
  if (pg === '22021' || pg === '22P05' || pg === '22P02' || pg === '22001') return new AppError('validation_failed');
  if (e?.statusCode === 415) return new AppError('unsupported_media_type');
  if (e?.statusCode === 413) return new AppError('payload_too_large');
  if (e?.statusCode === 429) return new AppError('rate_limited');
  if (e?.statusCode === 404) return new AppError('not_found');
  if (e?.statusCode === 405) return new AppError('method_not_allowed');
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new AppError('validation_failed');
  return undefined;
}

/** Requests answered with JSON errors although their path is not under /api (the browser console's API). */
const jsonRoutes = new WeakSet<FastifyRequest>();

/** Marks a request whose errors are JSON, whatever its path. */
export function answerErrorsAsJson(req: FastifyRequest): void {
  jsonRoutes.add(req);
}

export function isApiRequest(req: FastifyRequest): boolean {
  return req.url.startsWith('/api/') || req.url.startsWith('/health') || jsonRoutes.has(req) || (req.headers.accept ?? '').startsWith('application/json');
}

export function sendError(req: FastifyRequest, reply: FastifyReply, err: AppError, html?: HtmlErrorRenderer) {
  const lang = req.lang ?? platformLanguage(req);
  if (!isApiRequest(req) && html) {
    return reply.status(err.status).type('text/html; charset=utf-8').send(html(req, reply, err));
  }
  const message = translator(lang)(`errors.${err.code}`);
  return reply.status(err.status).send({ code: err.code, message, ...(err.details ? { details: err.details } : {}) });
}

export function installErrorHandling(app: FastifyInstance, html?: HtmlErrorRenderer) {
  app.setErrorHandler((error, req, reply) => {
    let appError: AppError | undefined;
    try {
      appError = toAppError(error);
    } catch {
      appError = undefined;
    }
    if (appError) {
      if (appError.status >= 500) req.log.error({ code: appError.code }, 'request failed');
      return sendError(req, reply, appError, html);
    }
    req.log.error({ err: safeError(error) }, 'unexpected error');
    return sendError(req, reply, new AppError('internal_error'), html);
  });
  app.setNotFoundHandler((req, reply) => sendError(req, reply, new AppError('not_found'), html));
}

export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code];
}
