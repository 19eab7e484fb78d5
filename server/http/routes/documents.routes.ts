/**
 * Documents of an appointment (or queue attention): the citizen's panel API
 * and resumable uploads behind the room link (`/{slug}/room/{token}/documents`,
 * `…/uploads` = tus), and the staff API (served under both console prefixes):
 * list, preview/download, accept/reject, reopen uploads, and handouts (tus).
 * The tus protocol itself is @tus/server with our DocumentUploadStore; each
 * tus request runs inside an `uploadScope` that says who uploads into which
 * space, decided here. docs/DOCUMENTS.md describes the flow.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Server as TusServer } from '@tus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../../../shared/errors.js';
import { translator } from '../../i18n/i18n.js';
import { safeError } from '../../logger.js';
import { attentionForStaff, appointmentForStaff } from '../../modules/attention/attention-access.js';
import { ClamdScanner } from '../../modules/documents/clamd-scanner.js';
import { appointmentSpace, attentionSpace, type SpaceInfo } from '../../modules/documents/document-space.js';
import { spaceView, toDocumentView, toSpaceView, documentView } from '../../modules/documents/document-view.js';
import { findDocument, listSpaceDocuments, type DocumentRow } from '../../modules/documents/documents.repository.js';
import { reopenDocuments, reopenInput } from '../../modules/documents/reopen-documents.js';
import { documentForStaff, reviewDocument, reviewInput } from '../../modules/documents/review-document.js';
import { upcomingDocuments } from '../../modules/documents/upcoming-documents.js';
import { DocumentUploadStore, expireStaleUploads, uploadScope, type UploadScope } from '../../modules/documents/upload-store.js';
import type { Staff } from '../../modules/staff/staff.repository.js';
import type { Tenant } from '../../modules/tenants/tenants.repository.js';
import type { AppContext } from '../context.js';
import { registerConsoleRoutes } from '../console-routes.js';
import { answerErrorsAsJson } from '../error-handler.js';
import { resolveTenant } from '../request-tenant.js';
import { sendFile } from '../send-file.js';
import { citizenRoomAccess } from '../room-access.js';
import { checkCsrf, requireStaff } from '../staff-auth.js';
import { errorBody } from './api-schemas.js';

const TUS_TYPE = 'application/offset+octet-stream';
const UPLOAD_ID = /^[0-9a-f]{32}$/;
const tokenParams = z.object({ slug: z.string().max(40), token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) });
const idParams = z.object({ slug: z.string().max(40), id: z.uuid() });
const docParams = z.object({ slug: z.string().max(40), documentId: z.uuid() });

/** tus's own error answers, mapped to our codes. */
function tusCode(status: number, body: string): ErrorCode {
  if (status === 413) return 'file_too_large';
  if (status === 409) return 'upload_offset_mismatch';
  if (status === 404) return 'document_not_found';
  if (status === 410) return 'upload_incomplete';
  if (status === 423) return 'conflict';
  if (status === 400 && /metadata|length/i.test(body)) return 'validation_failed';
  if (status >= 400 && status < 500) return 'validation_failed';
  return 'internal_error';
}

/** The tus browser client, served from node_modules (same origin: the CSP needs nothing more). */
function tusLibrary() {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('tus-js-client/package.json');
  const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  return { body: readFileSync(path.join(path.dirname(pkg), 'dist', 'tus.min.js')), etag: `"tus-js-client-${version}"` };
}

/** Streams a stored document: the sniffed type, never sniffed again by the browser, sandboxed when shown inline. */
async function sendContent(ctx: AppContext, reply: FastifyReply, doc: DocumentRow, inline: boolean) {
  if (!doc.storageKey || !doc.contentType || !['pending', 'accepted', 'rejected'].includes(doc.status)) {
    throw new AppError(doc.status === 'uploading' ? 'upload_incomplete' : 'document_not_found');
  }
  const files = await ctx.files();
  return sendFile(reply, { body: Readable.from(files.read(doc.tenantId, doc.storageKey)), contentType: doc.contentType, fileName: doc.fileName, bytes: doc.bytes ?? undefined, inline });
}

export async function documentsRoutes(app: FastifyInstance, ctx: AppContext) {
  const scanner = ctx.config.CLAMD_URL ? ClamdScanner.fromUrl(ctx.config.CLAMD_URL, ctx.config.CLAMD_TIMEOUT_MS) : undefined;
  const expiryMs = ctx.config.UPLOAD_EXPIRY_HOURS * 3600_000;
  let tusPromise: Promise<{ tus: TusServer; store: DocumentUploadStore }> | undefined;
  const tusServer = () =>
    (tusPromise ??= (async () => {
      const files = await ctx.files();
      const store = new DocumentUploadStore({
        database: ctx.database,
        files,
        scanner,
        maxBytes: ctx.config.UPLOAD_MAX_BYTES,
        expiryMs,
        message: (lang, code) => translator(lang)(`errors.${code}`),
      });
      const tus = new TusServer({
        path: '/uploads',
        datastore: store,
        maxSize: ctx.config.UPLOAD_MAX_BYTES,
        allowedOrigins: [],
        respectForwardedHeaders: false,
        generateUrl: (req, o) => `${new URL(req.url).pathname.replace(/\/$/, '')}/${o.id}`,
        getFileIdFromRequest: (_req, last) => (last && UPLOAD_ID.test(last) ? last : undefined),
        onResponseError: async (req, err) => {
          const refusal = uploadScope.getStore()?.refusal;
          if (refusal) return { status_code: refusal.status_code, body: refusal.body };
          const e = err as { status_code?: number; body?: string; code?: ErrorCode };
          // A PATCH announcing more bytes than the upload has left: the file is not the one announced, refuse it.
          if (req.method === 'PATCH' && e.status_code === 413) {
            const id = new URL(req.url).pathname.split('/').pop() ?? '';
            if (UPLOAD_ID.test(id)) await store.refuseByUploadId(id, 'file_too_large');
          }
          if (e.code) return { status_code: e.status_code!, body: e.body! };
          if (typeof e.status_code === 'number') {
            const code = tusCode(e.status_code, e.body ?? '');
            return store.tusError(code) as { status_code: number; body: string };
          }
          app.log.error({ err: safeError(err) }, 'upload failed');
          return store.tusError('internal_error') as { status_code: number; body: string };
        },
      });
      return { tus, store };
    })());

  /** Hands the request to tus inside the scope (the response is written by tus). */
  async function runTus(req: FastifyRequest, reply: FastifyReply, scope: UploadScope) {
    const { tus } = await tusServer();
    reply.hijack();
    await uploadScope.run(scope, () => tus.handle(req.raw, reply.raw));
  }

  const uploadLimit = { rateLimit: { max: ctx.config.RATE_LIMIT_UPLOAD_PER_MINUTE, timeWindow: '1 minute' } };
  async function listFor(tenant: Tenant, info: SpaceInfo, lang: Parameters<typeof toSpaceView>[2], kinds?: readonly string[]) {
    await expireStaleUploads({ database: ctx.database, files: await ctx.files(), expiryMs }, tenant.id, info.space);
    const docs = await listSpaceDocuments(ctx.database, tenant.id, info.space);
    return toSpaceView(info, docs, lang, kinds);
  }

  // ---------------------------------------------------------------- citizen (room link)
  let tusJs: ReturnType<typeof tusLibrary> | undefined;
  app.get('/assets/vendor/tus.min.js', { schema: { hide: true } }, async (req, reply) => {
    tusJs ??= tusLibrary();
    reply.header('cache-control', 'public, max-age=2592000').header('etag', tusJs.etag);
    if (req.headers['if-none-match'] === tusJs.etag) return reply.status(304).send();
    return reply.type('application/javascript; charset=utf-8').send(tusJs.body);
  });

  app.register(async (r) => {
    r.addContentTypeParser(TUS_TYPE, (_req, _payload, done) => done(null));
    r.addHook('onRequest', async (req, reply) => {
      answerErrorsAsJson(req);
      await resolveTenant(ctx, req, reply);
    });

    async function citizenSpace(req: FastifyRequest): Promise<SpaceInfo> {
      const p = tokenParams.safeParse(req.params);
      if (!p.success) throw new AppError('not_found');
      const tenant = req.tenant!;
      const room = await citizenRoomAccess(ctx, tenant.id, p.data.token);
      if (room.appointmentId) return appointmentSpace(ctx.database, tenant, room.appointmentId);
      if (!room.attention) throw new AppError('not_found');
      return attentionSpace(ctx.database, tenant, room.attention.id);
    }

    r.get('/:slug/room/:token/documents', { config: uploadLimit }, async (req, reply) => {
      const info = await citizenSpace(req);
      reply.header('cache-control', 'no-store');
      return { ...spaceView.parse(await listFor(req.tenant!, info, req.lang, ['citizen', 'handout'])), maxBytes: ctx.config.UPLOAD_MAX_BYTES };
    });

    r.get('/:slug/room/:token/documents/:documentId', { config: uploadLimit }, async (req, reply) => {
      const info = await citizenSpace(req);
      const id = z.uuid().safeParse((req.params as Record<string, unknown>).documentId);
      if (!id.success) throw new AppError('document_not_found');
      const doc = await findDocument(ctx.database, req.tenant!.id, id.data);
      const mine = doc && (info.space.appointmentId ? doc.appointmentId === info.space.appointmentId : doc.attentionId === info.space.attentionId);
      if (!doc || !mine || (doc.kind !== 'citizen' && doc.kind !== 'handout')) throw new AppError('document_not_found');
      return sendContent(ctx, reply, doc, (req.query as Record<string, unknown>)?.inline === '1' && doc.contentType?.startsWith('image/') === true);
    });

    const citizenTus = async (req: FastifyRequest, reply: FastifyReply) => {
      const info = await citizenSpace(req);
      await runTus(req, reply, {
        tenantId: req.tenant!.id,
        space: info.space,
        kind: 'citizen',
        uploadedBy: null,
        requirementCount: info.requirements.length,
        lang: req.lang,
        open: info.open,
      });
    };
    // The tus protocol (docs/DOCUMENTS.md), not JSON routes: left out of OpenAPI.
    r.route({ method: 'POST', url: '/:slug/room/:token/uploads', schema: { hide: true }, config: uploadLimit, handler: citizenTus });
    r.route({ method: ['HEAD', 'PATCH', 'DELETE'], url: '/:slug/room/:token/uploads/:uploadId', schema: { hide: true }, config: uploadLimit, handler: citizenTus });
  });

  // ---------------------------------------------------------------- staff (console API, both prefixes)
  registerConsoleRoutes(app, ctx, (r, prefix, hide) => {
    r.addContentTypeParser(TUS_TYPE, (_req, _payload, done) => done(null));
    const tags = ['documents'];
    const viewResponse = { 200: spaceView, 401: errorBody, 403: errorBody, 404: errorBody };

    r.get(`${prefix}/documents/upcoming`, {
      schema: {
        hide,
        tags,
        summary: 'Booked appointments (12 h ago to 7 days ahead; an agent sees their own) with documents to review before the call',
        params: z.object({ slug: z.string().max(40) }),
        response: {
          200: z.object({
            appointments: z.array(
              z.object({
                appointmentId: z.uuid(),
                reference: z.string(),
                startsAt: z.string(),
                citizenName: z.string(),
                procedureName: z.record(z.string(), z.string()),
                required: z.number().int(),
                received: z.number().int(),
                pending: z.number().int(),
              }),
            ),
          }),
          401: errorBody,
          403: errorBody,
        },
      },
    }, async (req) => {
      const staff = await requireStaff(ctx, req);
      return { appointments: await upcomingDocuments(ctx.database, req.tenant!.id, staff) };
    });

    r.get(`${prefix}/appointments/:id/documents`, {
      schema: { hide, tags, summary: "An appointment's documents: the procedure's required documents and every upload with its state", params: idParams, response: viewResponse },
    }, async (req) => {
      const staff = await requireStaff(ctx, req);
      await appointmentForStaff(ctx.database, req.tenant!.id, req.params.id, staff);
      const info = await appointmentSpace(ctx.database, req.tenant!, req.params.id);
      return listFor(req.tenant!, info, req.lang);
    });

    r.get(`${prefix}/attentions/:id/documents`, {
      schema: { hide, tags, summary: "An attention's documents (its appointment's when it has one)", params: idParams, response: viewResponse },
    }, async (req) => {
      const staff = await requireStaff(ctx, req);
      await attentionForStaff(ctx.database, req.tenant!.id, req.params.id, staff);
      const info = await attentionSpace(ctx.database, req.tenant!, req.params.id);
      return listFor(req.tenant!, info, req.lang);
    });

    r.get(`${prefix}/documents/:documentId/content`, {
      config: uploadLimit,
      schema: {
        hide,
        tags,
        summary: 'The decrypted content of a document (inline preview, sandboxed; ?download=1 for an attachment)',
        params: docParams,
        querystring: z.object({ download: z.enum(['0', '1']).optional() }),
        response: { 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 429: errorBody },
      },
    }, async (req, reply) => {
      const staff = await requireStaff(ctx, req);
      const { doc } = await documentForStaff(ctx.database, req.tenant!, req.params.documentId, staff);
      return sendContent(ctx, reply, doc, req.query.download !== '1');
    });

    r.post(`${prefix}/documents/:documentId/review`, {
      schema: {
        hide,
        tags,
        summary: 'Accept a pending document, or reject it with a reason (the citizen is emailed and can upload again)',
        params: docParams,
        body: reviewInput,
        response: { 200: documentView, 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 422: errorBody },
      },
    }, async (req) => {
      const staff = await requireStaff(ctx, req);
      checkCsrf(req);
      const row = await reviewDocument(
        { database: ctx.database, kickJobs: ctx.kickJobs, emailMaxAttempts: ctx.config.JOB_MAX_ATTEMPTS },
        { tenant: req.tenant!, actor: staff, documentId: req.params.documentId, input: req.body },
      );
      return toDocumentView(row);
    });

    r.post(`${prefix}/appointments/:id/documents/reopen`, {
      schema: {
        hide,
        tags,
        summary: 'Let the citizen upload again after the deadline, for `hours` from now (default 24, at most 168)',
        params: idParams,
        body: reopenInput.optional(),
        response: { 200: z.object({ uploadsOpenUntil: z.string() }), 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
      },
    }, async (req) => {
      const staff = await requireStaff(ctx, req);
      checkCsrf(req);
      const { reopenedUntil } = await reopenDocuments({ database: ctx.database }, { tenantId: req.tenant!.id, actor: staff, appointmentId: req.params.id, input: req.body ?? {} });
      return { uploadsOpenUntil: reopenedUntil.toISOString() };
    });

    // Handouts: the agent gives the citizen a document (tus; x-csrf-token on every change).
    const staffTus = (which: 'attentions' | 'appointments') => async (req: FastifyRequest, reply: FastifyReply) => {
      const staff: Staff = await requireStaff(ctx, req);
      if (req.method !== 'HEAD') checkCsrf(req);
      const id = z.uuid().safeParse((req.params as Record<string, unknown>).id);
      if (!id.success) throw new AppError(which === 'attentions' ? 'attention_not_found' : 'appointment_not_found');
      let info: SpaceInfo;
      if (which === 'attentions') {
        await attentionForStaff(ctx.database, req.tenant!.id, id.data, staff);
        info = await attentionSpace(ctx.database, req.tenant!, id.data);
      } else {
        await appointmentForStaff(ctx.database, req.tenant!.id, id.data, staff);
        info = await appointmentSpace(ctx.database, req.tenant!, id.data);
      }
      await runTus(req, reply, {
        tenantId: req.tenant!.id,
        space: info.space,
        kind: 'handout',
        uploadedBy: staff.id,
        requirementCount: 0,
        lang: req.lang,
        open: true,
      });
    };
    for (const which of ['attentions', 'appointments'] as const) {
      r.route({ method: 'POST', url: `${prefix}/${which}/:id/uploads`, schema: { hide: true }, config: uploadLimit, handler: staffTus(which) });
      r.route({ method: ['HEAD', 'PATCH', 'DELETE'], url: `${prefix}/${which}/:id/uploads/:uploadId`, schema: { hide: true }, config: uploadLimit, handler: staffTus(which) });
    }
  });
}
