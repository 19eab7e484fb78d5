/**
 * Call recording uploads from the agent's browser (server/http/assets/recorder.js):
 * chunks as raw bytes while the call goes on, the list of chunks received (to
 * resend what a network cut lost) and finish (assemble into one encrypted
 * file). Served twice like the console API: under /api/v1/tenants/{slug}
 * (documented) and under /{slug}/staff/console/api (the browser console).
 * Only the attention's agent, or a supervisor/admin; changes need x-csrf-token.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { finishRecording, finishRecordingInput } from '../../modules/recording/finish-recording.js';
import { recordingStatus } from '../../modules/recording/recording-status.js';
import type { RecordingDeps } from '../../modules/recording/recordings.repository.js';
import { CHUNK_MAX_BYTES, uploadChunk } from '../../modules/recording/upload-chunk.js';
import { openFileStore } from '../../storage/open-file-store.js';
import type { AppContext } from '../context.js';
import { registerConsoleRoutes } from '../console-routes.js';
import { SESSION_COOKIE } from '../request-tenant.js';
import { checkCsrf, requireStaff } from '../staff-auth.js';
import { errorBody } from './api-schemas.js';

const recordingParams = z.object({ slug: z.string().max(40), id: z.uuid(), recordingId: z.uuid() });
const chunkParams = recordingParams.extend({ seq: z.coerce.number().int().min(0).max(99_999) });

const recordingView = z.object({
  id: z.uuid(),
  status: z.enum(['recording', 'assembling', 'complete', 'failed']),
  chunks: z.array(z.number().int()),
  missing: z.array(z.number().int()),
  bytes: z.number().int(),
  mimeType: z.string().nullable(),
  sha256: z.string().nullable(),
  completedAt: z.string().nullable(),
});

/** Media types a chunk may be sent as (raw bytes; parameters such as codecs are allowed). */
const CHUNK_TYPES = ['application/octet-stream', 'video/webm', 'audio/webm'];

/**
 * Uploads are counted per staff session (many agents may share one office IP):
 * a chunk every few seconds plus bursts of resends after a cut fit well within.
 */
const uploadRateLimit = {
  max: 600,
  timeWindow: '1 minute',
  keyGenerator: (req: FastifyRequest) => {
    const session = req.cookies?.[SESSION_COOKIE];
    return session ? `rec:${createHash('sha256').update(session).digest('hex').slice(0, 32)}` : `rec-ip:${req.ip}`;
  },
};

export async function recordingApi(app: FastifyInstance, ctx: AppContext) {
  const deps = async (): Promise<RecordingDeps> => ({ database: ctx.database, files: await openFileStore(ctx.config, app.log), logger: app.log });
  registerConsoleRoutes(app, ctx, (r, prefix, hide) => {
      // Raw chunk bodies, in this plugin only; the size limit is set on the upload route alone.
      r.addContentTypeParser(CHUNK_TYPES, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      const tags = ['recording'];
      const base = `${prefix}/attentions/:id/recordings/:recordingId`;

      r.put(`${base}/chunks/:seq`, {
        bodyLimit: CHUNK_MAX_BYTES,
        config: { rateLimit: uploadRateLimit },
        // Refuse strangers before reading up to 16 MiB of body.
        onRequest: async (req) => {
          await requireStaff(ctx, req);
          checkCsrf(req);
        },
        schema: {
          hide,
          tags,
          summary: 'Upload one chunk of a call recording (raw bytes; the same bytes again are accepted)',
          description: `Body: the chunk's bytes as application/octet-stream or video/webm, at most ${CHUNK_MAX_BYTES} bytes. Sequence numbers start at 0.`,
          params: chunkParams,
          response: {
            200: z.object({ seq: z.number().int(), bytes: z.number().int(), sha256: z.string(), duplicate: z.boolean() }),
            400: errorBody,
            401: errorBody,
            403: errorBody,
            404: errorBody,
            409: errorBody,
            413: errorBody,
            415: errorBody,
          },
        },
      }, async (req) => {
        const staff = await requireStaff(ctx, req);
        const data = req.body as unknown;
        if (!Buffer.isBuffer(data)) throw Object.assign(new Error('not raw bytes'), { statusCode: 415 });
        return uploadChunk(await deps(), {
          tenantId: req.tenant!.id,
          actor: staff,
          attentionId: req.params.id,
          recordingId: req.params.recordingId,
          seq: req.params.seq,
          data,
          mimeType: req.headers['content-type'],
        });
      });

      r.get(base, {
        schema: {
          hide,
          tags,
          summary: 'A recording: its status, the chunks received and, once complete, its SHA-256',
          params: recordingParams,
          response: { 200: recordingView, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
        },
      }, async (req) => {
        const staff = await requireStaff(ctx, req);
        return recordingStatus({ database: ctx.database }, { tenantId: req.tenant!.id, actor: staff, attentionId: req.params.id, recordingId: req.params.recordingId });
      });

      r.post(`${base}/finish`, {
        schema: {
          hide,
          tags,
          summary: 'Stop a recording: assemble its chunks into one encrypted file (idempotent)',
          params: recordingParams,
          body: finishRecordingInput,
          response: {
            200: z.object({
              status: z.enum(['recording', 'assembling', 'complete', 'failed']),
              bytes: z.number().int(),
              sha256: z.string().nullable(),
              chunks: z.number().int(),
              missing: z.array(z.number().int()),
            }),
            400: errorBody,
            401: errorBody,
            403: errorBody,
            404: errorBody,
            409: errorBody,
          },
        },
      }, async (req) => {
        const staff = await requireStaff(ctx, req);
        checkCsrf(req);
        return finishRecording(await deps(), {
          tenantId: req.tenant!.id,
          actor: staff,
          attentionId: req.params.id,
          recordingId: req.params.recordingId,
          input: req.body,
        });
      });
  });
}
