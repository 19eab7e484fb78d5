/** What every page component needs: translation, language, tenant, where we are. */
import type { Language } from '../../../shared/domain.js';
import type { T } from '../../i18n/i18n.js';
import type { Staff } from '../../modules/staff/staff.repository.js';
import type { Tenant } from '../../modules/tenants/tenants.repository.js';

export type PageCtx = {
  t: T;
  lang: Language;
  tenant: Tenant;
  /** Current path and query, used to build the language switch links. */
  url: string;
  staff?: Staff;
  csrf?: string;
};

/** The same URL with `lang` set to another language. */
export function withLang(url: string, lang: Language): string {
  const u = new URL(url, 'http://x');
  u.searchParams.set('lang', lang);
  return `${u.pathname}${u.search}`;
}

/** A tenant path: tenantPath(ctx, 'book', code) → /demo/book/code */
export function tenantPath(ctx: Pick<PageCtx, 'tenant'>, ...parts: string[]): string {
  return `/${ctx.tenant.slug}${parts.length ? '/' : ''}${parts.map(encodeURIComponent).join('/')}`;
}
