/**
 * The agent console's JSON API: the live queue with presence, take the next or
 * a chosen citizen, set presence, close an attention, invite a guest. Served
 * twice: under /api/v1/tenants/{slug} (documented, API session cookie) and
 * under /{slug}/staff/console/api (the browser console, page session cookie).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PRESENCE_STATES } from '../../db/schema.js';
import { findAttention, findQueueRow, listLiveQueue } from '../../modules/attention/attention.repository.js';
import { closeAttentionInput, closeAttention } from '../../modules/attention/close-attention.js';
import { callLink, liveSettings } from '../../modules/attention/live-settings.js';
import { issuePass } from '../../modules/attention/room-passes.js';
import { listPresence, setPresence } from '../../modules/attention/set-presence.js';
import { takeAttention } from '../../modules/attention/take-attention.js';
import { listTypologies } from '../../modules/attention/typologies.js';
import { AppError } from '../../../shared/errors.js';
import type { AppContext } from '../context.js';
import { registerConsoleRoutes } from '../console-routes.js';
import { checkCsrf, requireStaff } from '../staff-auth.js';
import { errorBody } from './api-schemas.js';

const slugParams = z.object({ slug: z.string().max(40) });
const attentionParams = slugParams.extend({ id: z.uuid() });

const queueRow = z.object({
  id: z.uuid(),
  status: z.string(),
  channel: z.enum(['video', 'phone', 'callback']),
  source: z.enum(['appointment', 'queue']),
  reference: z.string().nullable(),
  procedureId: z.uuid(),
  procedureName: z.record(z.string(), z.string()),
  citizenName: z.string(),
  phone: z.string().nullable(),
  callLink: z.string().nullable(),
  email: z.string().nullable(),
  language: z.string(),
  priority: z.number(),
  priorityReasons: z.array(z.string()),
  accessibilityNeeds: z.array(z.string()),
  queuedAt: z.string(),
  dueAt: z.string(),
  startsAt: z.string().nullable(),
  agentId: z.uuid().nullable(),
  agentName: z.string().nullable(),
  takenAt: z.string().nullable(),
  attempts: z.number(),
});

const consoleView = z.object({
  me: z.object({ id: z.uuid(), fullName: z.string(), role: z.string(), state: z.enum(PRESENCE_STATES) }),
  queue: z.array(queueRow),
  presence: z.array(z.object({ staffId: z.uuid(), fullName: z.string(), state: z.enum(PRESENCE_STATES), since: z.string() })),
  typologies: z.array(z.object({ id: z.uuid(), code: z.string(), name: z.record(z.string(), z.string()) })),
  serverTime: z.string(),
});

export async function consoleApi(app: FastifyInstance, ctx: AppContext) {
  const deps = { database: ctx.database };
  registerConsoleRoutes(app, ctx, (r, prefix, hide) => {
      const tags = ['console'];
      /** Adds the click-to-call link, following the town hall's scheme (tel:, sip:, a softphone's). */
      const withLinks = (tenant: Parameters<typeof liveSettings>[0], row: Omit<z.infer<typeof queueRow>, 'callLink'>) => ({
        ...row,
        callLink: row.phone ? callLink(liveSettings(tenant), row.phone) : null,
      });

      r.get(`${prefix}/console`, {
        schema: { hide, tags, summary: 'The live queue, presence of the agents and the consultation types', params: slugParams, response: { 200: consoleView, 401: errorBody } },
      }, async (req) => {
        const staff = await requireStaff(ctx, req);
        const tenant = req.tenant!;
        const [queue, presence, typologies] = await Promise.all([
          listLiveQueue(ctx.database, tenant.id),
          listPresence(deps, tenant.id),
          listTypologies(ctx.database.db, tenant.id, { activeOnly: true }),
        ]);
        const mine = presence.find((p) => p.staffId === staff.id);
        return {
          me: { id: staff.id, fullName: staff.fullName, role: staff.role, state: mine?.state ?? 'offline' },
          queue: queue.map((row) => withLinks(tenant, row)),
          presence,
          typologies: typologies.map((t) => ({ id: t.id, code: t.code, name: t.name as Record<string, string> })),
          serverTime: new Date().toISOString(),
        };
      });

      r.post(`${prefix}/presence`, {
        schema: { hide, tags, summary: 'Set my presence', params: slugParams, body: z.object({ state: z.enum(['available', 'pause', 'offline']) }), response: { 204: z.null(), 401: errorBody, 403: errorBody } },
      }, async (req, reply) => {
        const staff = await requireStaff(ctx, req);
        checkCsrf(req);
        await setPresence(deps, { tenantId: req.tenant!.id, staffId: staff.id, state: req.body.state });
        return reply.status(204).send(null);
      });

      r.post(`${prefix}/attentions/take`, {
        schema: {
          hide,
          tags,
          summary: 'Take the next citizen in the queue, or a chosen one',
          params: slugParams,
          body: z.object({ attentionId: z.uuid().optional() }).default({}),
          response: { 200: z.object({ attention: queueRow }), 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
        },
      }, async (req) => {
        const staff = await requireStaff(ctx, req);
        checkCsrf(req);
        const tenant = req.tenant!;
        const taken = await takeAttention(deps, { tenantId: tenant.id, agent: staff, attentionId: req.body?.attentionId });
        const row = await findQueueRow(ctx.database, tenant.id, taken.id);
        return { attention: withLinks(tenant, row!) };
      });

      r.post(`${prefix}/attentions/:id/close`, {
        schema: {
          hide,
          tags,
          summary: 'Close an attention with its consultation type, outcome and notes',
          params: attentionParams,
          body: closeAttentionInput,
          response: { 204: z.null(), 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 422: errorBody },
        },
      }, async (req, reply) => {
        const staff = await requireStaff(ctx, req);
        checkCsrf(req);
        await closeAttention({ ...deps, jobMaxAttempts: ctx.config.JOB_MAX_ATTEMPTS }, { tenantId: req.tenant!.id, agent: staff, attentionId: req.params.id, input: req.body });
        ctx.booking.kickJobs(); // the survey email
        return reply.status(204).send(null);
      });

      r.post(`${prefix}/attentions/:id/invite`, {
        schema: {
          hide,
          tags,
          summary: 'A one-time link for a third participant (an interpreter, a sign-language interpreter)',
          params: attentionParams,
          body: z.object({ label: z.string().trim().min(1).max(80) }),
          response: { 200: z.object({ url: z.string() }), 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
        },
      }, async (req) => {
        const staff = await requireStaff(ctx, req);
        checkCsrf(req);
        const att = await findAttention(ctx.database, req.tenant!.id, req.params.id);
        if (!att) throw new AppError('attention_not_found');
        if (att.status !== 'in_progress' || (staff.role === 'agent' && att.agent_id !== staff.id)) throw new AppError('attention_not_active');
        const token = await issuePass(deps, { tenantId: req.tenant!.id, role: 'invite', attentionId: att.id, label: req.body.label, ttlMinutes: 60 });
        return { url: `${ctx.config.PUBLIC_URL}/${req.tenant!.slug}/guest/${token}` };
      });
  });
}
