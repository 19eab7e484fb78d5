/**
 * Downloads of a filing's sealed receipt (application/pdf, as an attachment
 * named like `justificant-E-2026-000123.pdf`): the citizen's, from their call
 * room (`/{slug}/room/{token}/filing/{filingId}/receipt`, only their own
 * filing), and the staff's (`{p}/filings/{filingId}/receipt`: the attention's
 * agent, supervisors and admins). While the seal_receipt job has not sealed it
 * yet the answer is 409 receipt_not_ready with Retry-After. Both are
 * rate-limited (RATE_LIMIT_UPLOAD_PER_MINUTE, as document downloads).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, isAppError } from '../../../shared/errors.js';
import { attentionForStaff } from '../../modules/attention/attention-access.js';
import { findFilingForDownload, readSealedReceipt } from '../../modules/receipt/verify-receipt.js';
import type { AppContext } from '../context.js';
import { registerConsoleRoutes } from '../console-routes.js';
import { citizenRoomAccess } from '../room-access.js';
import { resolveTenant } from '../request-tenant.js';
import { sendFile } from '../send-file.js';
import { requireStaff } from '../staff-auth.js';
import { errorBody } from './api-schemas.js';

const roomParams = z.object({ slug: z.string(), token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/), filingId: z.string().max(64) });

/** Sends a receipt PDF; answers receipt_not_ready (with Retry-After) while it is being sealed. */
export async function sendReceipt(reply: FastifyReply, load: () => Promise<{ pdf: Buffer; fileName: string }>) {
  let receipt: { pdf: Buffer; fileName: string };
  try {
    receipt = await load();
  } catch (e) {
    if (isAppError(e) && e.code === 'receipt_not_ready') reply.header('retry-after', '2');
    throw e;
  }
  return sendFile(reply, { body: receipt.pdf, contentType: 'application/pdf', fileName: receipt.fileName });
}

export async function receiptRoutes(app: FastifyInstance, ctx: AppContext) {
  const downloadLimit = { rateLimit: { max: ctx.config.RATE_LIMIT_UPLOAD_PER_MINUTE, timeWindow: '1 minute' } };
  // the citizen, by the pass token of their call room
  app.register(async (r) => {
    r.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      await resolveTenant(ctx, req, reply);
    });
    r.get('/:slug/room/:token/filing/:filingId/receipt', { config: downloadLimit }, async (req, reply) => {
      const params = roomParams.safeParse(req.params);
      if (!params.success) throw new AppError('not_found');
      const tenantId = req.tenant!.id;
      const room = await citizenRoomAccess(ctx, tenantId, params.data.token);
      return sendReceipt(reply, async () => {
        const filing = await findFilingForDownload(ctx.database, tenantId, params.data.filingId);
        // another citizen's filing is as unknown as a made-up one
        if (!room.attention || filing.attentionId !== room.attention.id) throw new AppError('filing_not_found');
        return readSealedReceipt(await ctx.files(), filing);
      });
    });
  });

  // staff: the attention's agent, supervisors and admins
  registerConsoleRoutes(app, ctx, (r, prefix, hide) => {
    r.get(
      `${prefix}/filings/:filingId/receipt`,
      {
        config: downloadLimit,
        schema: {
          hide,
          tags: ['filing'],
          summary: "Download a filing's sealed receipt (application/pdf)",
          description: 'The PAdES-sealed register receipt. 409 receipt_not_ready while the seal_receipt job has not sealed it yet (retry after the Retry-After seconds).',
          params: z.object({ slug: z.string().max(40), filingId: z.uuid() }),
          response: { 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 429: errorBody },
        },
      },
      async (req, reply) => {
        const staff = await requireStaff(ctx, req);
        const tenantId = req.tenant!.id;
        return sendReceipt(reply, async () => {
          const filing = await findFilingForDownload(ctx.database, tenantId, req.params.filingId);
          await attentionForStaff(ctx.database, tenantId, filing.attentionId, staff);
          return readSealedReceipt(await ctx.files(), filing);
        });
      },
    );
  });
}
