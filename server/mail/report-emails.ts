/**
 * The monthly report email: sent to each configured recipient with the PDF
 * attached, in the report's language, rendered when the job runs from the
 * stored report (the payload carries its id and the address only).
 */
import { h } from 'preact';
import { renderToStaticMarkup } from 'preact-render-to-string';
import { z } from 'zod';
import { AppError } from '../../shared/errors.js';
import type { Database } from '../db/client.js';
import { translator } from '../i18n/i18n.js';
import { capitalise, monthName, reportFileName } from '../modules/reports/report-format.js';
import { findReport } from '../modules/reports/reports.repository.js';
import { findTenantById, type Tenant } from '../modules/tenants/tenants.repository.js';
import type { Language } from '../../shared/domain.js';
import type { RenderedEmail } from './booking-emails.js';

/** Job type `email`, told apart from the other emails by `template`. `sourceJob` is the report job that queued it. */
export const reportEmailPayload = z.object({
  template: z.literal('monthly_report'),
  reportId: z.uuid(),
  to: z.email(),
  sourceJob: z.uuid().optional(),
});
export type ReportEmailPayload = z.infer<typeof reportEmailPayload>;

export function renderReportEmail(o: {
  publicUrl: string;
  tenant: Tenant;
  report: { month: string; language: Language; pdf: Buffer };
  to: string;
}): RenderedEmail {
  const { tenant, report } = o;
  const lang = report.language;
  const t = translator(lang);
  const month = monthName(report.month, lang);
  const link = `${o.publicUrl}/${tenant.slug}/staff/reports?lang=${lang}`;
  const subject = t('report.email.subject', { month, town: tenant.name });
  const paragraphs = [t('report.email.intro', { month, town: tenant.name }), t('report.email.attached'), t('report.email.automatic')];
  const text = [...paragraphs, '', `${t('report.email.link')}: ${link}`, '', tenant.name].join('\n');
  const html = renderToStaticMarkup(
    h('html', { lang }, [
      h('body', { style: 'font-family:sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;max-width:40em' }, [
        h('h1', { style: `font-size:1.3em;color:${tenant.colour}` }, tenant.name),
        h('h2', { style: 'font-size:1.1em' }, `${t('report.title')}: ${capitalise(month)}`),
        ...paragraphs.map((p) => h('p', null, p)),
        h('p', null, h('a', { href: link }, t('report.email.link'))),
      ]),
    ]),
  );
  return {
    to: o.to,
    subject,
    text,
    html: `<!doctype html>${html}`,
    attachments: [{ filename: reportFileName(tenant, report.month, lang), content: report.pdf, contentType: 'application/pdf' }],
  };
}

/** Loads the stored report an email job names and renders the email; null when the report no longer exists. */
export async function renderReportEmailJob(database: Database, publicUrl: string, tenantId: string | null, payload: ReportEmailPayload): Promise<RenderedEmail | null> {
  const tenant = tenantId ? await findTenantById(database.db, tenantId) : undefined;
  if (!tenant) throw new AppError('not_found');
  const report = await findReport(database.db, tenant.id, payload.reportId);
  if (!report) return null;
  return renderReportEmail({ publicUrl, tenant, report, to: payload.to });
}
