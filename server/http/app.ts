/**
 * Builds the HTTP server: security headers, cookies, forms, rate limits,
 * OpenAPI, health checks, static assets, the citizen and staff pages and the API.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { h } from 'preact';
import type { Logger } from 'pino';
import { AppError } from '../../shared/errors.js';
import { translator } from '../i18n/i18n.js';
import type { EventBus } from '../realtime/event-bus.js';
import { ROOM_MAX_FRAME_BYTES } from '../realtime/room-messages.js';
import { roomGateway } from '../realtime/room-gateway.js';
import type { RoomRelay } from '../realtime/room-relay.js';
import { staffGateway } from '../realtime/staff-gateway.js';
import { consoleApi } from './routes/console.api.js';
import { recordingApi } from './routes/recording.api.js';
import { callsApi } from './routes/calls.api.js';
import type { AppContext } from './context.js';
import { installErrorHandling } from './error-handler.js';
import { ErrorPage } from './pages/citizen/info.page.js';
import { renderPage } from './pages/layout.js';
import { platformLanguage } from './request-tenant.js';
import { adminApi } from './routes/admin.api.js';
import { adminPages } from './routes/admin.pages.js';
import { bookingApi } from './routes/booking.api.js';
import { citizenPages } from './routes/citizen.pages.js';
import { roomPages } from './routes/room.pages.js';
import { surveyPages } from './routes/survey.pages.js';
import { consolePages } from './routes/console.pages.js';
import { healthRoutes } from './routes/health.routes.js';
import { staffApi } from './routes/staff.api.js';
import { staffPages } from './routes/staff.pages.js';
import { indicatorsApi } from './routes/indicators.api.js';
import { indicatorsPages } from './routes/indicators.pages.js';
import { reportRoutes } from './routes/reports.routes.js';
import { transparencyRoutes } from './routes/transparency.routes.js';
import { indicatorSettingsRoutes } from './routes/indicator-settings.routes.js';
import { surveySettingsRoutes } from './routes/survey-settings.routes.js';
import { officialsRoutes } from './routes/officials.routes.js';
import { filingRoutes } from './routes/filing.routes.js';
import { handoffRoutes } from './routes/handoff.routes.js';
import { documentsRoutes } from './routes/documents.routes.js';
import { receiptRoutes } from './routes/receipt.routes.js';
import { verifyRoutes } from './routes/verify.routes.js';

const ASSETS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');

export async function buildApp(ctx: AppContext, logger: Logger, events: EventBus, relay: RoomRelay): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    trustProxy: ctx.config.TRUST_PROXY,
    bodyLimit: 64 * 1024,
    routerOptions: { maxParamLength: 200 },
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        formAction: ["'self'"],
        frameAncestors: ["'self'"],
        upgradeInsecureRequests: ctx.config.PUBLIC_URL.startsWith('https:') ? [] : null,
      },
    },
    hsts: ctx.config.PUBLIC_URL.startsWith('https:'),
  });
  await app.register(cookie);
  // The largest frame any socket takes (a call room's SDP); the staff socket checks its own smaller limit.
  await app.register(websocket, { options: { maxPayload: ROOM_MAX_FRAME_BYTES } });
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, c) => Object.assign(new AppError('rate_limited', { retryAfterSeconds: Math.ceil(c.ttl / 1000) }), { statusCode: 429 }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Finestreta API', version: '1', description: 'Remote citizen attention for town halls.' },
    },
    transform: jsonSchemaTransform,
  });

  installErrorHandling(app, (req: FastifyRequest, _reply, err) => {
    const lang = req.lang ?? platformLanguage(req);
    const t = translator(lang);
    const title = t(`errors.${err.code}`);
    if (!req.tenant) {
      return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><link rel="stylesheet" href="/assets/app.css"></head><body><main id="main"><h1>${title}</h1><p>${t('errors.page_hint')}</p></main></body></html>`;
    }
    const page = { t, lang, tenant: req.tenant, url: req.url, staff: req.staff, csrf: req.csrfToken };
    return renderPage(h(ErrorPage, { ctx: page, title, message: t('errors.page_hint'), staffArea: req.url.includes('/staff') }));
  });

  await app.register(fastifyStatic, { root: ASSETS, prefix: '/assets/', maxAge: '1h', index: false });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Finestreta</title><link rel="stylesheet" href="/assets/app.css"></head><body><main id="main"><h1>Finestreta</h1><p><a href="/api/openapi.json">OpenAPI</a></p></main></body></html>`,
  ));
  await healthRoutes(app, ctx);
  await bookingApi(app, ctx);
  await staffApi(app, ctx);
  await adminApi(app, ctx);
  await staffPages(app, ctx);
  await consolePages(app, ctx);
  await adminPages(app, ctx);
  await consoleApi(app, ctx);
  await recordingApi(app, ctx);
  await callsApi(app, ctx);
  await staffGateway(app, ctx, events);
  await roomGateway(app, ctx, events, relay);
  await roomPages(app, ctx);
  await surveyPages(app, ctx);
  await indicatorsApi(app, ctx);
  await indicatorsPages(app, ctx);
  await reportRoutes(app, ctx);
  await transparencyRoutes(app, ctx);
  await indicatorSettingsRoutes(app, ctx);
  await surveySettingsRoutes(app, ctx);
  await officialsRoutes(app, ctx);
  await documentsRoutes(app, ctx);
  await receiptRoutes(app, ctx);
  await verifyRoutes(app, ctx);
  await handoffRoutes(app, ctx);
  await filingRoutes(app, ctx);
  await citizenPages(app, ctx);
  return app;
}
