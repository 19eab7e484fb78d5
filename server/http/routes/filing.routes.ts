/**
 * The formal procedure's identity, consent and filing steps (docs/FILING.md).
 * Staff (console API, under /api/v1/tenants/{slug} and /{slug}/staff/console/api):
 * the ID images captured from the video, the identity check, the filing state
 * and filing itself. Citizen (room pass token in the path, rate-limited): the
 * form and consent text, the consent, and its one-time code.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import { findAppointmentById } from '../../modules/booking/booking.repository.js';
import { checkIdentity, identityInput } from '../../modules/filing/check-identity.js';
import { fileRequest } from '../../modules/filing/file-request.js';
import { citizenFilingState, staffFilingState } from '../../modules/filing/filing-state.js';
import { findFilingAttention } from '../../modules/filing/filing.repository.js';
import { giveConsent, verifyConsentOtp, type OtpKey } from '../../modules/filing/give-consent.js';
import { ID_IMAGE_MAX_BYTES, ID_IMAGE_TYPES, storeIdentityImage } from '../../modules/filing/identity-images.js';
import type { AppContext } from '../context.js';
import { registerConsoleRoutes } from '../console-routes.js';
import { answerErrorsAsJson } from '../error-handler.js';
import { resolveTenant } from '../request-tenant.js';
import { citizenRoomAccess } from '../room-access.js';
import { checkCsrf, requireStaff } from '../staff-auth.js';
import { errorBody } from './api-schemas.js';

/** Form data and consent bodies: 40 fields of up to 2,000 characters fit. */
const FORM_BODY_LIMIT = 256 * 1024;
const STAFF_ROLES = ['agent', 'supervisor', 'admin'] as const;

const attentionParams = z.object({ slug: z.string().max(40), id: z.uuid() });
const imageParams = attentionParams.extend({ side: z.enum(['front', 'back']) });
const roomParams = z.object({ slug: z.string().max(40), token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) });
const otpParams = roomParams.extend({ consentId: z.string().max(64) });

const schemaView = z.record(z.string(), z.unknown()).nullable().describe('The request form (JSON Schema subset, docs/FILING.md); null = no form.');
const consentView = z.object({ id: z.uuid(), formSha256: z.string(), givenAt: z.string(), otpRequired: z.boolean(), otpVerified: z.boolean() });
const formBody = z.object({ formData: z.unknown().optional().describe('The request form data: an object that fits the procedure\'s schema ({} without a form).') });
const apiErrors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 422: errorBody };

export async function filingRoutes(app: FastifyInstance, ctx: AppContext) {
  // The one-time codes' key: the town hall's 'consent-otp' key, from the storage key ring.
  const otpKey: OtpKey = async (tenantId) => (await ctx.files()).keys.purposeKey(tenantId, 'consent-otp');

  registerConsoleRoutes(app, ctx, (r, prefix, hide) => {
    const tags = ['filing'];
    // Raw image bodies, in this plugin only; the size limit is on the image route alone.
    r.addContentTypeParser([...ID_IMAGE_TYPES], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    // Every route: a signed-in staff member; changes carry the CSRF header (checked before any body is read).
    r.addHook('onRequest', async (req) => {
      await requireStaff(ctx, req, [...STAFF_ROLES]);
      if (req.method !== 'GET' && req.method !== 'HEAD') checkCsrf(req);
    });
    const base = `${prefix}/attentions/:id`;

    r.post(`${base}/identity/images/:side`, {
      bodyLimit: ID_IMAGE_MAX_BYTES,
      schema: {
        hide,
        tags,
        summary: 'Store a capture of the ID (front or back) taken from the video',
        description: `Body: the image as image/jpeg or image/png, at most ${ID_IMAGE_MAX_BYTES} bytes. Stored encrypted as an accepted document of kind id_front / id_back.`,
        params: imageParams,
        response: { 201: z.object({ documentId: z.uuid() }), ...apiErrors, 413: errorBody, 415: errorBody },
      },
    }, async (req, reply) => {
      const data = req.body as unknown;
      // no body at all (an empty capture sent without a type) is an empty file; a body of another type never gets here (415)
      if ((data === undefined || data === null) && !Number(req.headers['content-length'] ?? 0)) throw new AppError('file_empty');
      if (!Buffer.isBuffer(data)) throw new AppError('unsupported_media_type');
      const out = await storeIdentityImage(
        { database: ctx.database, files: await ctx.files() },
        { tenantId: req.tenant!.id, attentionId: req.params.id, actor: req.staff!, side: req.params.side, bytes: data },
      );
      return reply.status(201).send(out);
    });

    r.post(`${base}/identity`, {
      schema: {
        hide,
        tags,
        summary: 'Record the identity check: name and ID number stated, face confirmed, both ID images',
        description: 'The ID number is checked by its control character (DNI/NIE/NIF, CIF). A later check replaces the earlier.',
        params: attentionParams,
        body: identityInput,
        response: { 201: z.object({ identityCheckId: z.uuid(), idKind: z.enum(['dni', 'nie', 'cif']) }), ...apiErrors },
      },
    }, async (req, reply) => {
      const out = await checkIdentity({ database: ctx.database }, { tenantId: req.tenant!.id, attentionId: req.params.id, actor: req.staff!, input: req.body });
      return reply.status(201).send({ identityCheckId: out.identityCheckId, idKind: out.idKind });
    });

    r.get(`${base}/filing`, {
      schema: {
        hide,
        tags,
        summary: 'Where the formal procedure of an attention stands (for the console)',
        params: attentionParams,
        response: {
          200: z.object({
            procedure: z.object({ id: z.uuid(), code: z.string(), name: z.string() }),
            schema: schemaView,
            official: z.boolean().describe('Whether the signed-in staff member is an authorised official now.'),
            identity: z.object({ id: z.uuid(), idKind: z.enum(['dni', 'nie', 'cif']), checkedAt: z.string() }).nullable(),
            consent: consentView.nullable(),
            filing: z.object({ id: z.uuid(), registerCode: z.string(), registeredAt: z.string(), status: z.enum(['registered', 'sealed']), receiptReady: z.boolean() }).nullable(),
          }),
          ...apiErrors,
        },
      },
    }, async (req) => {
      return staffFilingState({ database: ctx.database }, { tenant: req.tenant!, attentionId: req.params.id, actor: req.staff!, lang: req.lang });
    });

    r.post(`${base}/filing`, {
      bodyLimit: FORM_BODY_LIMIT,
      schema: {
        hide,
        tags,
        summary: 'File the request on the citizen\'s behalf (authorised officials): register number, receipt sealed by a job',
        description: 'Needs an identity check and the citizen\'s consent for exactly this form data (its RFC 8785 SHA-256).',
        params: attentionParams,
        body: formBody,
        response: { 201: z.object({ filingId: z.uuid(), registerCode: z.string(), registeredAt: z.string() }), ...apiErrors },
      },
    }, async (req, reply) => {
      const out = await fileRequest(
        { database: ctx.database, kickJobs: ctx.kickJobs, maxAttempts: ctx.config.JOB_MAX_ATTEMPTS },
        { tenant: req.tenant!, attentionId: req.params.id, official: req.staff!, formData: req.body.formData },
      );
      return reply.status(201).send({ filingId: out.filingId, registerCode: out.registerCode, registeredAt: out.registeredAt });
    });
  });

  // The citizen's side, by the room pass in the path.
  app.register(async (root) => {
    const r = root.withTypeProvider<ZodTypeProvider>();
    r.addHook('onRequest', async (req, reply) => {
      answerErrorsAsJson(req);
      await resolveTenant(ctx, req, reply);
    });
    const perMinute = ctx.config.RATE_LIMIT_QUEUE_PER_MINUTE;
    // the room polls the state until the receipt is ready; consent and codes are a handful per call
    const readLimit = { rateLimit: { max: Math.max(120, perMinute * 12), timeWindow: '1 minute' } };
    const writeLimit = { rateLimit: { max: Math.max(10, perMinute), timeWindow: '1 minute' } };
    const base = '/:slug/room/:token/filing';

    const room = async (req: FastifyRequest, p: { token: string }) => citizenRoomAccess(ctx, req.tenant!.id, p.token);
    const roomAttention = async (req: FastifyRequest, p: { token: string }) => {
      const access = await room(req, p);
      if (!access.attention) throw new AppError('attention_not_active');
      return access.attention;
    };

    r.get(base, {
      config: readLimit,
      schema: {
        hide: true,
        params: roomParams,
        querystring: z.object({ lang: z.string().max(10).optional() }),
        response: {
          200: z.object({
            procedure: z.object({ name: z.string() }),
            schema: schemaView,
            language: z.string(),
            consentText: z.string(),
            otpRequired: z.boolean(),
            consent: consentView.nullable(),
            filing: z.object({ id: z.uuid(), registerCode: z.string(), receiptReady: z.boolean() }).nullable(),
          }),
          ...apiErrors,
        },
      },
    }, async (req) => {
      const tenant = req.tenant!;
      const access = await room(req, req.params);
      let procedureId: string;
      let citizenLanguage: string;
      const attention = access.attention ? await findFilingAttention(ctx.database, tenant.id, access.attention.id) : undefined;
      if (attention) {
        procedureId = attention.procedure_id;
        citizenLanguage = attention.language;
      } else {
        const appointment = access.appointmentId ? await findAppointmentById(ctx.database, tenant.id, access.appointmentId) : undefined;
        if (!appointment) throw new AppError('not_found');
        procedureId = appointment.procedureId;
        citizenLanguage = appointment.language;
      }
      return citizenFilingState({ database: ctx.database }, { tenant, attention, procedureId, citizenLanguage, lang: req.query.lang });
    });

    r.post(`${base}/consent`, {
      config: writeLimit,
      bodyLimit: FORM_BODY_LIMIT,
      schema: {
        hide: true,
        params: roomParams,
        body: formBody.extend({ language: z.string().max(10).optional() }),
        response: { 201: z.object({ consentId: z.uuid(), formSha256: z.string(), otpRequired: z.boolean() }), ...apiErrors, 429: errorBody },
      },
    }, async (req, reply) => {
      const attention = await roomAttention(req, req.params);
      const out = await giveConsent(
        { database: ctx.database, otpKey, maxAttempts: ctx.config.JOB_MAX_ATTEMPTS, kickJobs: ctx.kickJobs },
        { tenant: req.tenant!, attentionId: attention.id, formData: req.body.formData, language: req.body.language },
      );
      return reply.status(201).send({ consentId: out.consentId, formSha256: out.formSha256, otpRequired: out.otpRequired });
    });

    r.post(`${base}/consent/:consentId/otp`, {
      config: writeLimit,
      schema: {
        hide: true,
        params: otpParams,
        body: z.object({ code: z.string().max(20) }),
        response: { 200: z.object({ verified: z.literal(true) }), ...apiErrors, 410: errorBody, 429: errorBody },
      },
    }, async (req) => {
      if (!z.uuid().safeParse(req.params.consentId).success) throw new AppError('not_found');
      const attention = await roomAttention(req, req.params);
      return verifyConsentOtp({ database: ctx.database, otpKey }, { tenantId: req.tenant!.id, attentionId: attention.id, consentId: req.params.consentId, code: req.body.code });
    });
  });
}
