/**
 * The receipt email: sent to the citizen once their request's receipt is
 * sealed, in their language, with the sealed PDF attached, the register
 * number, the secure verification code and the link to check it. Rendered
 * when the job runs, from the stored receipt. The payload carries the filing
 * id and the code as `accessCode`, which the job runner removes from the
 * payload once the email is sent (or has failed for good), as it does for the
 * booking secrets.

 */
import { h } from 'preact';
import { z } from 'zod';
import { pickText } from '../../shared/domain.js';
import { AppError } from '../../shared/errors.js';
import type { Database } from '../db/client.js';
import { translator } from '../i18n/i18n.js';
import { receiptFileName, verifyUrl } from '../modules/receipt/receipt-file.js';
import { findReceiptFiling, type ReceiptFiling } from '../modules/receipt/receipt.repository.js';
import { findTenantById, type Tenant } from '../modules/tenants/tenants.repository.js';
import type { FileStore } from '../storage/encrypted-files.js';
import type { RenderedEmail } from './booking-emails.js';
import { contactLine, detailsTable, emailHtml } from './email-layout.js';

/** Job type `email`, told apart from the other emails by `template`. */
export const receiptEmailPayload = z.object({
  template: z.literal('receipt'),
  filingId: z.uuid(),
  /** The secure verification code, printed form; removed by the job runner once the email is sent. */
  accessCode: z.string().max(64).optional(),
});
export type ReceiptEmailPayload = z.infer<typeof receiptEmailPayload>;

export function renderReceiptEmail(o: {
  publicUrl: string;
  tenant: Tenant;
  filing: Pick<ReceiptFiling, 'email' | 'language' | 'citizenName' | 'registerCode' | 'procedureName'>;
  csv: string | null;
  pdf: Buffer;
}): RenderedEmail | null {
  const { tenant, filing } = o;
  if (!filing.email) return null;
  const lang = filing.language;
  const t = translator(lang);
  const procedure = pickText(filing.procedureName, lang, tenant.defaultLanguage);
  const link = o.csv ? verifyUrl(o.publicUrl, tenant.slug, o.csv) : `${o.publicUrl}/${tenant.slug}/verify`;
  const subject = t('receipt.email.subject', { code: filing.registerCode, town: tenant.name });
  const paragraphs = [
    ...(filing.citizenName ? [t('email.greeting', { name: filing.citizenName })] : []),
    t('receipt.email.intro', { procedure }),
    t('receipt.email.keep'),
  ];
  const details: Array<[string, string]> = [[t('receipt.email.code'), filing.registerCode]];
  if (o.csv) details.push([t('receipt.email.csv'), o.csv]);
  const text = [...paragraphs, '', ...details.map(([k, v]) => `${k}: ${v}`), '', `${t('receipt.email.verify_link')}: ${link}`, '', contactLine(tenant)].join('\n');
  const html = emailHtml({
    tenant,
    lang,
    body: [...paragraphs.map((p) => h('p', null, p)), detailsTable(details, { mono: true }), h('p', null, h('a', { href: link }, t('receipt.email.verify_link')))],
  });
  return {
    to: filing.email,
    subject,
    text,
    html,
    attachments: [{ filename: receiptFileName(filing.registerCode, lang), content: o.pdf, contentType: 'application/pdf' }],
  };
}

/** Loads the sealed receipt a job names and renders the email; null when there is nothing to send. */
export async function renderReceiptEmailJob(
  database: Database,
  files: () => Promise<FileStore>,
  publicUrl: string,
  tenantId: string | null,
  payload: ReceiptEmailPayload,
): Promise<RenderedEmail | null> {
  const tenant = tenantId ? await findTenantById(database.db, tenantId) : undefined;
  if (!tenant) throw new AppError('not_found');
  const filing = await findReceiptFiling(database, tenant.id, payload.filingId);
  if (!filing) throw new AppError('filing_not_found');
  if (!filing.email || filing.status !== 'sealed' || !filing.receiptKey) return null;
  const pdf = await (await files()).readAll(tenant.id, filing.receiptKey);
  return renderReceiptEmail({ publicUrl, tenant, filing, csv: payload.accessCode ?? null, pdf });
}
