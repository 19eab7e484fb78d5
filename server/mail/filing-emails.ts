/**
 * The one-time code that signs a citizen's consent to file a request
 * (modules/filing/give-consent.ts), emailed in the consent's language. The
 * job carries the consent id and the code (`accessCode`, removed by the job
 * runner once the email is sent or fails for good); the rest is read when the
 * job runs. A consent already verified or past its ten minutes gets no email.
 */
import { h } from 'preact';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { pickText, type Language, type LocalizedText } from '../../shared/domain.js';
import { AppError } from '../../shared/errors.js';
import type { Database } from '../db/client.js';
import { translator } from '../i18n/i18n.js';
import { OTP_MINUTES } from '../modules/filing/give-consent.js';
import { findTenantById, type Tenant } from '../modules/tenants/tenants.repository.js';
import { citizenContactSql } from '../modules/filing/citizen-contact.js';
import type { RenderedEmail } from './booking-emails.js';
import { contactLine, emailHtml } from './email-layout.js';

/** Job type `email`, told apart from the other emails by `template`. */
export const filingEmailPayload = z.object({
  template: z.literal('filing_otp'),
  consentId: z.uuid(),
  accessCode: z.string().regex(/^\d{6}$/).optional(),
});
export type FilingEmailPayload = z.infer<typeof filingEmailPayload>;

export function renderFilingOtpEmail(o: { tenant: Tenant; to: string; language: Language; procedureName: LocalizedText; code: string }): RenderedEmail {
  const { tenant, language: lang } = o;
  const t = translator(lang);
  const procedure = pickText(o.procedureName, lang);
  const subject = t('filing.otp_email.subject', { town: tenant.name });
  const paragraphs = [t('filing.otp_email.intro', { procedure }), t('filing.otp_email.code_is'), o.code, t('filing.otp_email.expires', { count: OTP_MINUTES }), t('filing.otp_email.not_you')];
  const text = [...paragraphs, '', contactLine(tenant)].join('\n');
  const html = emailHtml({
    tenant,
    lang,
    body: [
      h('p', null, paragraphs[0]),
      h('p', null, paragraphs[1]),
      h('p', { style: 'font-size:2em;font-weight:bold;letter-spacing:.2em' }, o.code),
      h('p', null, paragraphs[3]),
      h('p', null, paragraphs[4]),
    ],
  });
  return { to: o.to, subject, text, html, attachments: [] };
}

/** Loads what the job describes and renders it; null when there is nothing (left) to send. */
export async function renderFilingEmailJob(database: Database, tenantId: string | null, payload: FilingEmailPayload): Promise<RenderedEmail | null> {
  const tenant = tenantId ? await findTenantById(database.db, tenantId) : undefined;
  if (!tenant) throw new AppError('not_found');
  const [row] = await database.rows<{ language: Language; email: string | null; procedure_name: LocalizedText; verified: boolean; expired: boolean }>(sql`
    SELECT c.language, ${citizenContactSql('email')} AS email, p.name AS procedure_name,
           c.otp_verified_at IS NOT NULL AS verified, c.otp_expires_at < now() AS expired
      FROM filing_consents c
      JOIN attentions at ON at.tenant_id = c.tenant_id AND at.id = c.attention_id
      JOIN procedures p ON p.tenant_id = at.tenant_id AND p.id = at.procedure_id
      LEFT JOIN appointments ap ON ap.tenant_id = at.tenant_id AND ap.id = at.appointment_id
     WHERE c.tenant_id = ${tenant.id} AND c.id = ${payload.consentId}`);
  if (!row) throw new AppError('not_found');
  if (!payload.accessCode || !row.email || row.verified || row.expired) return null;
  return renderFilingOtpEmail({ tenant, to: row.email, language: row.language, procedureName: row.procedure_name, code: payload.accessCode });
}
