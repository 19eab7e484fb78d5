/**
 * The HTML shell every citizen email shares: the town hall's name as heading
 * in its colour, the body the email brings, a details table and the contact
 * line at the foot — and the same contact line for the plain-text part.
 */
import { h, type ComponentChild, type VNode } from 'preact';
import { renderToStaticMarkup } from 'preact-render-to-string';
import type { Language } from '../../shared/domain.js';
import type { Tenant } from '../modules/tenants/tenants.repository.js';

export type EmailDetail = [label: string, value: string];

/** "Town hall · address · phone · email" (what is set). */
export function contactLine(tenant: Pick<Tenant, 'name' | 'address' | 'contactPhone' | 'contactEmail'>): string {
  return [tenant.name, tenant.address, tenant.contactPhone, tenant.contactEmail].filter(Boolean).join(' · ');
}

/** A two-column table of label and value (values in monospace when `mono`, e.g. codes). */
export function detailsTable(details: EmailDetail[], o: { mono?: boolean } = {}): VNode {
  return h(
    'table',
    { role: 'presentation', style: 'border-collapse:collapse' },
    details.map(([k, v]) => h('tr', null, [h('th', { style: 'text-align:left;padding-right:1em' }, k), h('td', o.mono ? { style: 'font-family:monospace' } : null, v)])),
  );
}

/** The whole HTML document: heading, `body`, contact line. */
export function emailHtml(o: { tenant: Pick<Tenant, 'name' | 'colour' | 'address' | 'contactPhone' | 'contactEmail'>; lang: Language; body: ComponentChild[] }): string {
  const html = renderToStaticMarkup(
    h('html', { lang: o.lang }, [
      h('body', { style: 'font-family:sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;max-width:40em' }, [
        h('h1', { style: `font-size:1.3em;color:${o.tenant.colour}` }, o.tenant.name),
        ...o.body,
        h('p', { style: 'color:#555;font-size:.9em' }, contactLine(o.tenant)),
      ]),
    ]),
  );
  return `<!doctype html>${html}`;
}
