/**
 * Public verification of receipts by their secure verification code (CSV):
 * the page `/{slug}/verify` (`?csv=` from the receipt's QR code opens the
 * result at once), the sealed receipt by code `/{slug}/verify/receipt?csv=`,
 * and the API `GET /api/v1/verify/{slug}?csv=`. One rate limit per IP is
 * shared by the three (RATE_LIMIT_VERIFY_PER_MINUTE): codes cannot be
 * guessed faster than that. A malformed code answers its csv_* code; an
 * unknown one (or another town hall's) verify_not_found, and nothing else.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { h } from 'preact';
import { z } from 'zod';
import { pickText } from '../../../shared/domain.js';
import { isAppError } from '../../../shared/errors.js';
import { formatDate, formatDateTime } from '../../i18n/format.js';
import { translator } from '../../i18n/i18n.js';
import { formatCsvCode } from '../../modules/evidence/csv-code.js';
import type { ReceiptFiling } from '../../modules/receipt/receipt.repository.js';
import { readSealedReceipt, sealOfFiling, verifyCsv, type SealView } from '../../modules/receipt/verify-receipt.js';
import type { Tenant } from '../../modules/tenants/tenants.repository.js';
import type { AppContext } from '../context.js';
import { pageCtx, sendHtml } from '../page-helpers.js';
import { VerifyPage, type SealDetails } from '../pages/citizen/verify.page.js';
import { renderPage } from '../pages/layout.js';
import { resolveTenant } from '../request-tenant.js';
import { errorBody } from './api-schemas.js';
import { sendReceipt } from './receipt.routes.js';

const CSV_PAGE_ERRORS = new Set(['csv_malformed', 'csv_length', 'csv_character', 'csv_checksum', 'verify_not_found']);

const sealSchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  sha256Fingerprint: z.string(),
  demo: z.boolean().describe('A self-signed demo seal: what it seals has no legal validity.'),
});

const verifyView = z.object({
  valid: z.literal(true),
  registerCode: z.string().describe('E.g. E/2026/000123.'),
  registeredAt: z.string().describe('ISO 8601.'),
  procedure: z.string().describe("The procedure's name in the request's language."),
  sealedAt: z.string().nullable().describe('Null while the receipt is being sealed.'),
  receiptUrl: z.string().nullable().describe('The sealed receipt (application/pdf); null until it is sealed.'),
  seal: sealSchema.describe("The certificate that sealed this receipt (read from its signature); while it is being sealed, the town hall's current seal."),
});

/** The query value of `csv` when it is one string (anything else is not a code). */
function csvOf(req: FastifyRequest): unknown {
  const csv = (req.query as Record<string, unknown> | undefined)?.csv;
  return typeof csv === 'string' ? csv : undefined;
}

function receiptUrl(base: string, tenant: Tenant, filing: ReceiptFiling, code: string): string | null {
  return filing.status === 'sealed' ? `${base}/${tenant.slug}/verify/receipt?csv=${encodeURIComponent(formatCsvCode(code))}` : null;
}

export async function verifyRoutes(app: FastifyInstance, ctx: AppContext) {
  // One limiter (one counter per IP) shared by the page, the download and the API.
  const limit = app.rateLimit({ max: ctx.config.RATE_LIMIT_VERIFY_PER_MINUTE, timeWindow: '1 minute', keyGenerator: (req) => `verify:${req.ip}` });
  const seal = async (filing: ReceiptFiling): Promise<SealView> => sealOfFiling(await ctx.files(), filing, await ctx.sealer());

  app.register(async (r) => {
    r.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      await resolveTenant(ctx, req, reply);
    });

    r.get('/:slug/verify', { onRequest: limit }, async (req, reply) => {
      const tenant = req.tenant!;
      const page = pageCtx(req);
      const input = csvOf(req);
      if (input === undefined) return sendHtml(reply, renderPage(h(VerifyPage, { ctx: page, value: '' })));
      const value = String(input).slice(0, 100);
      const t = translator(req.lang);
      try {
        const { filing, code } = await verifyCsv(ctx.database, tenant.id, input);
        const s = await seal(filing);
        const details: SealDetails = {
          subject: s.subject,
          issuer: s.issuer,
          from: formatDate(s.validFrom, tenant.timeZone, req.lang),
          to: formatDate(s.validTo, tenant.timeZone, req.lang),
          fingerprint: s.sha256Fingerprint,
          demo: s.demo,
        };
        const result = {
          registerCode: filing.registerCode,
          registeredAt: formatDateTime(filing.registeredAt, tenant.timeZone, req.lang),
          procedure: pickText(filing.procedureName, req.lang, tenant.defaultLanguage),
          sealedAt: filing.sealedAt ? formatDateTime(filing.sealedAt, tenant.timeZone, req.lang) : null,
          receiptHref: receiptUrl('', tenant, filing, code),
        };
        return sendHtml(reply, renderPage(h(VerifyPage, { ctx: page, value, result, seal: details })));
      } catch (e) {
        if (!isAppError(e) || !CSV_PAGE_ERRORS.has(e.code)) throw e;
        return sendHtml(reply, renderPage(h(VerifyPage, { ctx: page, value, errors: { csv: t(`errors.${e.code}`) } })), e.status);
      }
    });

    r.get('/:slug/verify/receipt', { onRequest: limit }, async (req, reply) => {
      const { filing } = await verifyCsv(ctx.database, req.tenant!.id, csvOf(req));
      return sendReceipt(reply, async () => readSealedReceipt(await ctx.files(), filing));
    });
  });

  app.register(async (root) => {
    const r = root.withTypeProvider<ZodTypeProvider>();
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
    });
    r.get(
      '/api/v1/verify/:slug',
      {
        onRequest: limit,
        schema: {
          tags: ['verification'],
          summary: 'Verify a register receipt by its secure verification code (CSV)',
          description:
            'Public. The code as printed (groups and dashes optional, case-insensitive). A malformed code answers 422 with csv_malformed, csv_length, csv_character or csv_checksum; an unknown code 404 verify_not_found. Rate-limited per IP (429 rate_limited).',
          params: z.object({ slug: z.string().max(40) }),
          querystring: z.object({ csv: z.string().optional(), lang: z.string().max(10).optional() }),
          response: { 200: verifyView, 404: errorBody, 422: errorBody, 429: errorBody },
        },
      },
      async (req) => {
        const tenant = req.tenant!;
        const { filing, code } = await verifyCsv(ctx.database, tenant.id, req.query.csv);
        const s = await seal(filing);
        return {
          valid: true as const,
          registerCode: filing.registerCode,
          registeredAt: filing.registeredAt.toISOString(),
          procedure: pickText(filing.procedureName, req.lang, tenant.defaultLanguage),
          sealedAt: filing.sealedAt ? filing.sealedAt.toISOString() : null,
          receiptUrl: receiptUrl(ctx.config.PUBLIC_URL, tenant, filing, code),
          seal: { ...s, validFrom: s.validFrom.toISOString(), validTo: s.validTo.toISOString() },
        };
      },
    );
  });
}
