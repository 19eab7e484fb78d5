/**
 * The hand-off of evidence packages to the town hall's case-management system:
 *
 * - pull API for that system (`/api/v1/handoff/:slug/packages…`, bearer token,
 *   rate-limited): list, get a package, stream a part or its ENI XML, ack;
 * - integration settings (admins): page `/:slug/staff/integration` and API
 *   `/api/v1/tenants/:slug/integration…` (webhook URL, new secret, new token),
 *   and on the same page and `/api/v1/tenants/:slug/formal-settings` the
 *   formal procedure's settings;
 * - the hand-off list (supervisors, admins): page `/:slug/staff/handoffs` with
 *   "Retry", API `/api/v1/tenants/:slug/handoffs` and `…/:filingId/retry`.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import { z } from 'zod';
import { AppError, isAppError } from '../../../shared/errors.js';
import { HANDOFF_STATES } from '../../db/schema.js';
import { translator } from '../../i18n/i18n.js';
import { formalSettings } from '../../modules/filing/formal-settings.js';
import { getIntegration, newPullToken, newWebhookSecret, pullTokenMatches, saveWebhookUrl } from '../../modules/handoff/integration-settings.js';
import { HANDOFF_ERRORS, listHandoffs, type HandoffListItem } from '../../modules/handoff/list-handoffs.js';
import { markDelivered } from '../../modules/handoff/mark-delivered.js';
import { readIndex, type IndexedFile } from '../../modules/handoff/package-files.js';
import { findHandoff, packageView, pullBase } from '../../modules/handoff/package-view.js';
import { queueWaitingDeliveries, retryHandoff } from '../../modules/handoff/retry-handoff.js';
import { formalSettingsInput, saveFormalSettings } from '../../modules/handoff/save-formal-settings.js';
import { findTenantById } from '../../modules/tenants/tenants.repository.js';
import type { AppContext } from '../context.js';
import { answerErrorsAsJson } from '../error-handler.js';
import { pageCtx, redirectUnauthenticatedToLogin, sendHtml } from '../page-helpers.js';
import { renderPage } from '../pages/layout.js';
import { tenantPath } from '../pages/page-context.js';
import { HandoffsPage } from '../pages/staff/handoffs.page.js';
import { IntegrationPage } from '../pages/staff/integration.page.js';
import { resolveStaff, resolveTenant } from '../request-tenant.js';
import { checkCsrf, requireStaff, staffApiAccess } from '../staff-auth.js';
import { errorBody } from './api-schemas.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const slugParams = z.object({ slug: z.string().max(40) });
const filingParams = slugParams.extend({ filingId: z.string().max(64) });
const partParams = filingParams.extend({ name: z.string().max(128) });
const status = z.enum(HANDOFF_STATES);

const handoffItem = z.object({
  filingId: z.uuid(),
  registerCode: z.string(),
  registeredAt: z.string(),
  procedureCode: z.string(),
  status,
  attempts: z.number().int(),
  lastError: z
    .string()
    .nullable()
    .describe(`A failure code: ${HANDOFF_ERRORS.join(', ')} or http_<status>; never the receiver's answer.`),
  lastAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  deliveredVia: z.enum(['webhook', 'pull']).nullable(),
  purgeAfter: z.string().nullable(),
  createdAt: z.string(),
  deliveryQueued: z.boolean().describe('A build or delivery job is waiting or running.'),
  built: z.boolean().describe('The package is built; a hand-off whose build failed for good is listed (failed, build_failed) but not built.'),
});
const partView = z.object({
  name: z.string(),
  contentType: z.string(),
  bytes: z.number().int(),
  sha256: z.string(),
  eniIdentifier: z.string().nullable(),
  url: z.string(),
  metadataUrl: z.string().nullable(),
});
const packageBody = z.object({
  event: z.literal('package.ready'),
  idempotencyKey: z.string(),
  tenant: z.object({ slug: z.string(), dir3: z.string() }),
  filing: z.object({ id: z.string(), registerCode: z.string(), registeredAt: z.string(), procedureCode: z.string() }),
  manifestSha256: z.string(),
  manifest: z.string().describe('manifest.json (RFC 8785 canonical JSON), base64.'),
  manifestSeal: z.string().describe('manifest.p7s: detached CAdES (DER) over manifest.json, base64.'),
  packageUrl: z.string(),
  ackUrl: z.string(),
  parts: z.array(partView),
  status: status.optional(),
});
const integrationView = z.object({
  webhookUrl: z.string().nullable(),
  webhookSecretSet: z.boolean(),
  pullTokenSet: z.boolean(),
  updatedAt: z.string().nullable(),
});
const apiErrors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 422: errorBody, 429: errorBody };

const bearer = (req: FastifyRequest) => {
  const m = /^Bearer ([A-Za-z0-9_\-.~+/=]{1,200})$/.exec(req.headers.authorization ?? '');
  return m?.[1];
};

export async function handoffRoutes(app: FastifyInstance, ctx: AppContext) {
  const deliverAttempts = () => ctx.config.HANDOFF_MAX_ATTEMPTS;
  const retryDeps = () => ({ database: ctx.database, maxAttempts: deliverAttempts(), buildMaxAttempts: ctx.config.JOB_MAX_ATTEMPTS, kickJobs: ctx.kickJobs });
  const allowPrivate = () => ctx.config.WEBHOOK_ALLOW_PRIVATE;
  /** The town hall as stored now (not the cache): the admin sees what was just saved. */
  const freshFormal = async (req: FastifyRequest) => formalSettings((await findTenantById(ctx.database.db, req.tenant!.id)) ?? req.tenant!);

  /* ───── pull API (the case-management system) ───── */
  app.register(async (root) => {
    const r = root.withTypeProvider<ZodTypeProvider>();
    r.addHook('onRequest', async (req, reply) => {
      answerErrorsAsJson(req);
      await resolveTenant(ctx, req, reply);
    });
    // After the route's rate limiter (an onRequest hook of its own): wrong tokens are counted and end in 429.
    r.addHook('preHandler', async (req, reply) => {
      if (!(await pullTokenMatches(ctx.database, req.tenant!.id, bearer(req)))) {
        reply.header('www-authenticate', 'Bearer realm="finestreta-handoff"');
        throw new AppError('unauthenticated');
      }
    });
    const config = { rateLimit: { max: ctx.config.RATE_LIMIT_HANDOFF_PER_MINUTE, timeWindow: '1 minute' } };
    const tags = ['handoff-pull'];

    /** A built package of this tenant that still has its files, or handoff_not_found. */
    const livePackage = async (req: FastifyRequest, filingId: string) => {
      if (!UUID.test(filingId)) throw new AppError('handoff_not_found');
      const found = await findHandoff(ctx.database, req.tenant!.id, filingId);
      if (!found || !found.manifest_key || found.status === 'purged') throw new AppError('handoff_not_found');
      return found;
    };
    const stream = async (reply: FastifyReply, tenantId: string, file: IndexedFile) => {
      const files = await ctx.files();
      return reply
        .header('content-type', file.contentType)
        .header('content-length', String(file.bytes))
        .header('x-content-sha256', file.sha256)
        .header('cache-control', 'no-store')
        .send(Readable.from(files.read(tenantId, file.storageKey)));
    };

    r.get(
      '/api/v1/handoff/:slug/packages',
      {
        config,
        schema: {
          tags,
          summary: 'Evidence packages of the town hall, oldest first (for the case-management system)',
          description: 'Bearer token: the pull token generated in the integration settings. `status` defaults to pending (not yet acknowledged).',
          params: slugParams,
          querystring: z.object({ status: status.default('pending'), limit: z.coerce.number().int().min(1).max(500).default(100) }),
          response: { 200: z.object({ packages: z.array(handoffItem.extend({ url: z.string() })) }), ...apiErrors },
        },
      },
      async (req) => {
        const list = await listHandoffs(ctx.database, { tenantId: req.tenant!.id, status: req.query.status, limit: req.query.limit, oldestFirst: true, builtOnly: true });
        const base = pullBase(ctx.config.PUBLIC_URL, req.tenant!.slug);
        return { packages: list.map((p) => ({ ...p, url: `${base}/${p.filingId}` })) };
      },
    );

    r.get(
      '/api/v1/handoff/:slug/packages/:filingId',
      {
        config,
        schema: {
          tags,
          summary: 'One package: the filing, the sealed manifest (base64), its CAdES seal (base64) and every part with its URL',
          description: 'The same document the webhook receives. Verify the seal with `openssl cms -verify -binary -inform DER -in manifest.p7s -content manifest.json -CAfile seal.pem -purpose any`.',
          params: filingParams,
          response: { 200: packageBody, ...apiErrors },
        },
      },
      async (req) => {
        const found = await livePackage(req, req.params.filingId);
        const view = await packageView({ files: await ctx.files(), publicUrl: ctx.config.PUBLIC_URL }, { handoff: found, tenant: { slug: req.tenant!.slug, dir3Code: req.tenant!.dir3Code } });
        return { ...view, status: found.status };
      },
    );

    const partRoute = (metadata: boolean) =>
      r.get(
        `/api/v1/handoff/:slug/packages/:filingId/parts/:name${metadata ? '/metadata' : ''}`,
        {
          config,
          schema: {
            tags,
            summary: metadata ? 'The ENI XML (NTI metadata) of one part' : 'One part of a package, decrypted (streamed); header X-Content-SHA256 holds its SHA-256',
            params: partParams,
            response: { 200: z.any().describe(metadata ? 'application/xml' : 'The part\'s own content type'), ...apiErrors },
          },
        },
        async (req, reply) => {
          const found = await livePackage(req, req.params.filingId);
          const index = await readIndex(await ctx.files(), req.tenant!.id, found.filing_id, found.manifest_key!);
          const part = Object.hasOwn(index.parts, req.params.name) ? index.parts[req.params.name] : undefined;
          const file = metadata ? part?.metadata : part;
          if (!file) throw new AppError('not_found');
          return stream(reply, req.tenant!.id, file);
        },
      );
    partRoute(false);
    partRoute(true);

    r.get(
      '/api/v1/handoff/:slug/packages/:filingId/manifest-metadata',
      { config, schema: { tags, summary: 'The ENI XML of the manifest itself (signature TF04: manifest.p7s)', params: filingParams, response: { 200: z.any(), ...apiErrors } } },
      async (req, reply) => {
        const found = await livePackage(req, req.params.filingId);
        const index = await readIndex(await ctx.files(), req.tenant!.id, found.filing_id, found.manifest_key!);
        return stream(reply, req.tenant!.id, index.manifestMetadata);
      },
    );

    r.post(
      '/api/v1/handoff/:slug/packages/:filingId/ack',
      {
        config,
        schema: {
          tags,
          summary: 'Acknowledge a package: it is delivered (its retention period starts); a repeat answers the same',
          params: filingParams,
          response: { 200: z.object({ filingId: z.string(), status, deliveredVia: z.enum(['webhook', 'pull']).nullable() }), ...apiErrors },
        },
      },
      async (req) => {
        const found = await livePackage(req, req.params.filingId);
        if (found.status === 'pending' || found.status === 'failed') await markDelivered(ctx.database, { tenantId: req.tenant!.id, filingId: found.filing_id, via: 'pull' });
        const now = (await findHandoff(ctx.database, req.tenant!.id, found.filing_id))!;
        return { filingId: now.filing_id, status: now.status, deliveredVia: now.delivered_via };
      },
    );
  });

  /* ───── staff pages ───── */
  app.register(async (r) => {
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
      await resolveStaff(ctx, req);
    });
    redirectUnauthenticatedToLogin(r);
    const form = (req: FastifyRequest) => {
      const b = req.body;
      return b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
    };
    const field = (f: Record<string, unknown>, k: string) => (typeof f[k] === 'string' ? (f[k] as string) : '');

    const integrationPage = async (req: FastifyRequest, reply: FastifyReply, o: Omit<Parameters<typeof IntegrationPage>[0], 'ctx' | 'integration' | 'pullBase' | 'formal'> & { status?: number } = {}) => {
      const integration = await getIntegration(ctx.database, req.tenant!.id);
      const formal = await freshFormal(req);
      const { status: code, ...rest } = o;
      return sendHtml(reply, renderPage(h(IntegrationPage, { ctx: pageCtx(req), integration, formal, pullBase: pullBase(ctx.config.PUBLIC_URL, req.tenant!.slug), ...rest })), code);
    };

    r.get('/:slug/staff/integration', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      const q = req.query as Record<string, unknown>;
      const t = translator(req.lang);
      const queued = Number(q.queued);
      const notice =
        q.done === 'saved' ? [t('handoff.integration.url_saved'), queued > 0 ? t('handoff.integration.queued_again', { count: queued }) : ''].filter(Boolean).join(' ')
        : q.done === 'removed' ? t('handoff.integration.url_removed')
        : q.done === 'formal' ? t('handoff.formal.saved')
        : undefined;
      return integrationPage(req, reply, { notice });
    });

    r.post('/:slug/staff/integration', async (req, reply) => {
      await requireStaff(ctx, req, ['admin']);
      checkCsrf(req);
      const f = form(req);
      const tenantId = req.tenant!.id;
      const t = translator(req.lang);
      switch (field(f, 'action')) {
        case 'save_url': {
          const url = field(f, 'webhookUrl');
          try {
            const saved = await saveWebhookUrl(ctx.database, { tenantId, url, allowPrivate: allowPrivate() });
            const queued = saved.webhookUrl ? await queueWaitingDeliveries(retryDeps(), tenantId) : 0;
            return reply.redirect(`${tenantPath({ tenant: req.tenant! }, 'staff', 'integration')}?done=${saved.webhookUrl ? 'saved' : 'removed'}&queued=${queued}`, 303);
          } catch (e) {
            if (!isAppError(e) || e.code !== 'webhook_url_invalid') throw e;
            return integrationPage(req, reply, { webhookUrl: url, errors: { webhookUrl: t('errors.webhook_url_invalid') }, status: 422 });
          }
        }
        case 'save_formal': {
          const values = { uploadDeadlineHours: field(f, 'uploadDeadlineHours'), consentOtp: field(f, 'consentOtp'), personalDataRetentionDays: field(f, 'personalDataRetentionDays') };
          const whole = (v: string) => (/^\s*\d{1,6}\s*$/.test(v) ? Number(v) : v);
          try {
            await saveFormalSettings({
              db: ctx.database.db,
              tenantId,
              input: { uploadDeadlineHours: whole(values.uploadDeadlineHours), consentOtp: values.consentOtp, personalDataRetentionDays: whole(values.personalDataRetentionDays) },
            });
          } catch (e) {
            if (!isAppError(e) || e.code !== 'validation_failed') throw e;
            const wrong = new Set(((e.details?.fields as Array<{ path: string }> | undefined) ?? []).map((x) => x.path));
            const errors: Record<string, string> = {};
            if (wrong.has('uploadDeadlineHours')) errors.uploadDeadlineHours = t('handoff.formal.invalid_hours');
            if (wrong.has('consentOtp')) errors.consentOtp = t('handoff.formal.invalid_otp');
            if (wrong.has('personalDataRetentionDays')) errors.personalDataRetentionDays = t('handoff.formal.invalid_days');
            return integrationPage(req, reply, { formalValues: values, errors, status: 422 });
          }
          ctx.tenants.invalidate(req.tenant!.slug);
          return reply.redirect(`${tenantPath({ tenant: req.tenant! }, 'staff', 'integration')}?done=formal`, 303);
        }
        case 'new_secret':
          // Shown on this answer only (never in a URL, never again).
          return integrationPage(req, reply, { revealed: { kind: 'secret', value: await newWebhookSecret({ database: ctx.database, config: ctx.config }, tenantId) } });
        case 'new_token':
          return integrationPage(req, reply, { revealed: { kind: 'token', value: await newPullToken(ctx.database, tenantId) } });
        default:
          throw new AppError('validation_failed', { fields: [{ path: 'action', code: 'invalid' }] });
      }
    });

    const handoffsPage = async (req: FastifyRequest, reply: FastifyReply, o: { notice?: string; errors?: Record<string, string>; status?: number } = {}) => {
      const handoffs = await listHandoffs(ctx.database, { tenantId: req.tenant!.id, limit: 200 });
      return sendHtml(reply, renderPage(h(HandoffsPage, { ctx: pageCtx(req), handoffs, notice: o.notice, errors: o.errors })), o.status);
    };

    r.get('/:slug/staff/handoffs', async (req, reply) => {
      await requireStaff(ctx, req, ['supervisor', 'admin']);
      const retried = (req.query as Record<string, unknown>).done === 'retried';
      return handoffsPage(req, reply, { notice: retried ? translator(req.lang)('handoff.list.retried') : undefined });
    });

    r.post('/:slug/staff/handoffs', async (req, reply) => {
      await requireStaff(ctx, req, ['supervisor', 'admin']);
      checkCsrf(req);
      const f = form(req);
      if (field(f, 'action') !== 'retry') throw new AppError('validation_failed', { fields: [{ path: 'action', code: 'invalid' }] });
      const filingId = field(f, 'filingId');
      if (!UUID.test(filingId)) throw new AppError('handoff_not_found');
      try {
        await retryHandoff(retryDeps(), { tenantId: req.tenant!.id, filingId });
      } catch (e) {
        if (!isAppError(e) || e.code !== 'conflict') throw e;
        // delivered or queued meanwhile: the list shows how it stands now
      }
      return reply.redirect(`${tenantPath({ tenant: req.tenant! }, 'staff', 'handoffs')}?done=retried`, 303);
    });
  });

  /* ───── staff JSON API ───── */
  app.register(async (root) => {
    const r = root.withTypeProvider<ZodTypeProvider>();
    r.addHook('onRequest', staffApiAccess(ctx, ['admin']));
    const tags = ['admin'];

    r.get(
      '/api/v1/tenants/:slug/integration',
      { schema: { tags, summary: 'The case-management connection (never the secret or the token)', params: slugParams, response: { 200: integrationView, ...apiErrors } } },
      async (req) => getIntegration(ctx.database, req.tenant!.id),
    );

    r.put(
      '/api/v1/tenants/:slug/integration',
      {
        schema: {
          tags,
          summary: 'Set (or with null remove) the webhook address; waiting packages are queued for it',
          description:
            'https:// only, to a host that resolves to public addresses only (loopback, private, link-local, CGNAT, unique-local, multicast refused; checked again at every delivery); anything else answers 422 webhook_url_invalid. WEBHOOK_ALLOW_PRIVATE (local tests) allows plain http and private addresses.',
          params: slugParams,
          body: z.object({ webhookUrl: z.string().max(4000).nullable() }),
          response: { 200: integrationView.extend({ queued: z.number().int() }), ...apiErrors },
        },
      },
      async (req) => {
        const saved = await saveWebhookUrl(ctx.database, { tenantId: req.tenant!.id, url: req.body.webhookUrl, allowPrivate: allowPrivate() });
        const queued = saved.webhookUrl ? await queueWaitingDeliveries(retryDeps(), req.tenant!.id) : 0;
        return { ...saved, queued };
      },
    );

    r.post(
      '/api/v1/tenants/:slug/integration/webhook-secret',
      {
        schema: {
          tags,
          summary: 'Generate a new webhook signing secret (the old one stops working); answered this once',
          params: slugParams,
          response: { 201: z.object({ webhookSecret: z.string() }), ...apiErrors },
        },
      },
      async (req, reply) => reply.code(201).send({ webhookSecret: await newWebhookSecret({ database: ctx.database, config: ctx.config }, req.tenant!.id) }),
    );

    r.post(
      '/api/v1/tenants/:slug/integration/pull-token',
      {
        schema: {
          tags,
          summary: 'Generate a new pull API bearer token (the old one stops working); answered this once',
          params: slugParams,
          response: { 201: z.object({ pullToken: z.string() }), ...apiErrors },
        },
      },
      async (req, reply) => reply.code(201).send({ pullToken: await newPullToken(ctx.database, req.tenant!.id) }),
    );

    r.get(
      '/api/v1/tenants/:slug/formal-settings',
      { schema: { tags, summary: 'The formal procedure\'s settings (defaults for what was never set)', params: slugParams, response: { 200: formalSettingsInput, ...apiErrors } } },
      async (req) => freshFormal(req),
    );

    r.put(
      '/api/v1/tenants/:slug/formal-settings',
      {
        schema: {
          tags,
          summary: 'Set the formal procedure\'s settings: upload deadline (0–720 h), consent code (off or email), personal-data retention (1–3650 days)',
          params: slugParams,
          body: formalSettingsInput,
          response: { 200: formalSettingsInput, ...apiErrors },
        },
      },
      async (req) => {
        const saved = await saveFormalSettings({ db: ctx.database.db, tenantId: req.tenant!.id, input: req.body });
        ctx.tenants.invalidate(req.tenant!.slug);
        return saved;
      },
    );
  });

  app.register(async (root) => {
    const r = root.withTypeProvider<ZodTypeProvider>();
    r.addHook('onRequest', staffApiAccess(ctx, ['supervisor', 'admin']));
    const tags = ['handoff'];

    r.get(
      '/api/v1/tenants/:slug/handoffs',
      {
        schema: {
          tags,
          summary: 'Hand-offs of evidence packages to the case-management system, newest first (supervisors)',
          params: slugParams,
          querystring: z.object({ status: status.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
          response: { 200: z.object({ handoffs: z.array(handoffItem) }), ...apiErrors },
        },
      },
      async (req) => ({ handoffs: (await listHandoffs(ctx.database, { tenantId: req.tenant!.id, status: req.query.status, limit: req.query.limit })) satisfies HandoffListItem[] }),
    );

    r.post(
      '/api/v1/tenants/:slug/handoffs/:filingId/retry',
      {
        schema: {
          tags,
          summary: 'Queue a failed (or stuck) delivery again',
          description: 'Answers 409 conflict when the package is delivered already or a delivery is queued; 404 handoff_not_found for an unknown package.',
          params: filingParams,
          response: { 202: z.object({ filingId: z.string(), status }), ...apiErrors },
        },
      },
      async (req, reply) => {
        if (!UUID.test(req.params.filingId)) throw new AppError('handoff_not_found');
        await retryHandoff(retryDeps(), { tenantId: req.tenant!.id, filingId: req.params.filingId });
        return reply.code(202).send({ filingId: req.params.filingId, status: 'pending' as const });
      },
    );
  });
}
