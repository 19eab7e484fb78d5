/**
 * Per-request tenant, language and staff session, resolved once by hooks so
 * routes stay thin. Another tenant's slug simply finds nothing (404).
 */
import '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LANGUAGES, type Language } from '../../shared/domain.js';
import { AppError } from '../../shared/errors.js';
import { negotiateLanguage } from '../i18n/i18n.js';
import { currentSession } from '../modules/staff/login.js';
import type { Staff } from '../modules/staff/staff.repository.js';
import type { Tenant } from '../modules/tenants/tenants.repository.js';
import type { AppContext } from './context.js';

export const SESSION_COOKIE = 'fin_session';
export const LANG_COOKIE = 'fin_lang';

declare module 'fastify' {
  interface FastifyRequest {
    lang: Language;
    tenant?: Tenant;
    staff?: Staff;
    csrfToken?: string;
  }
}

const SLUG = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

/** Language for requests outside any tenant (health, errors on unknown paths). */
export function platformLanguage(req: FastifyRequest): Language {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  return negotiateLanguage(LANGUAGES, 'en', [typeof q === 'string' ? q : undefined, req.cookies?.[LANG_COOKIE]], req.headers['accept-language']);
}

/** Loads the tenant named by the `slug` path parameter, or answers tenant_not_found. */
export async function resolveTenant(ctx: AppContext, req: FastifyRequest, reply: FastifyReply): Promise<Tenant> {
  const slug = (req.params as Record<string, unknown>).slug;
  const tenant = typeof slug === 'string' && SLUG.test(slug) ? await ctx.tenants.bySlug(slug) : undefined;
  if (!tenant) throw new AppError('tenant_not_found');
  req.tenant = tenant;
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  const explicit = typeof q === 'string' ? q : undefined;
  req.lang = negotiateLanguage(tenant.languages, tenant.defaultLanguage, [explicit, req.cookies?.[LANG_COOKIE]], req.headers['accept-language']);
  if (explicit && explicit === req.lang && req.cookies?.[LANG_COOKIE] !== explicit) {
    reply.setCookie(LANG_COOKIE, explicit, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 365 * 86_400, secure: ctx.config.PUBLIC_URL.startsWith('https:') });
  }
  return tenant;
}

/** The signed-in staff member of this tenant, if any. */
export async function resolveStaff(ctx: AppContext, req: FastifyRequest): Promise<Staff | undefined> {
  if (!req.tenant) return undefined;
  const found = await currentSession(ctx.database.db, req.tenant, req.cookies?.[SESSION_COOKIE]);
  if (!found) return undefined;
  req.staff = found.staff;
  req.csrfToken = found.session.csrfToken;
  return found.staff;
}
