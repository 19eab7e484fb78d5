/**
 * "A document you sent was not accepted": tells the citizen which document
 * (the required document it answers and its file name) and the agent's
 * reason, and how to send it again — from the join page with the reference
 * and access code of their confirmation email (appointments), or from the
 * page of the call (queue entries). Rendered when the job runs, in the
 * citizen's language; the payload carries the document id only (no token:
 * the citizen already has their way in).
 */
import { h } from 'preact';
import { pickText, type Language } from '../../shared/domain.js';
import { AppError } from '../../shared/errors.js';
import type { Database } from '../db/client.js';
import { formatDateTime } from '../i18n/format.js';
import { isLanguage, translator } from '../i18n/i18n.js';
import { findAttention } from '../modules/attention/attention.repository.js';
import { findAppointmentById } from '../modules/booking/booking.repository.js';
import { findProcedureById } from '../modules/catalogue/catalogue.repository.js';
import { findDocument } from '../modules/documents/documents.repository.js';
import type { DocumentEmailPayload } from '../modules/documents/review-document.js';
import { findTenantById } from '../modules/tenants/tenants.repository.js';
import { citizenLinks, type RenderedEmail } from './booking-emails.js';
import { contactLine, detailsTable, emailHtml } from './email-layout.js';

export { documentEmailPayload } from '../modules/documents/review-document.js';

export async function renderDocumentEmailJob(database: Database, publicUrl: string, tenantId: string | null, payload: DocumentEmailPayload): Promise<RenderedEmail | null> {
  const tenant = tenantId ? await findTenantById(database.db, tenantId) : undefined;
  if (!tenant) throw new AppError('not_found');
  const doc = await findDocument(database, tenant.id, payload.documentId);
  if (!doc) throw new AppError('document_not_found');
  // Only a document still rejected is worth an email (it could have been purged since).
  if (doc.status !== 'rejected' || !doc.rejectReason) return null;
  const appointment = doc.appointmentId ? await findAppointmentById(database, tenant.id, doc.appointmentId) : undefined;
  const attention = !appointment && doc.attentionId ? ((await findAttention(database, tenant.id, doc.attentionId)) as (Awaited<ReturnType<typeof findAttention>> & { email: string | null; citizen_name: string | null }) | undefined) : undefined;
  const email = appointment?.email ?? attention?.email ?? null;
  if (!email || appointment?.anonymisedAt) return null;
  const procedure = await findProcedureById(database.db, tenant.id, appointment?.procedureId ?? attention!.procedure_id);
  if (!procedure) throw new AppError('not_found');
  const language = appointment?.language ?? attention?.language;
  const lang: Language = isLanguage(language) ? language : tenant.defaultLanguage;
  const t = translator(lang);
  const procedureName = pickText(procedure.name, lang);
  const requirement = doc.requirement !== null ? procedure.documents[doc.requirement] : undefined;
  const which = requirement ? pickText(requirement.description, lang) : t('documents.other');
  const name = appointment?.citizenName ?? attention?.citizen_name ?? '';
  const when = appointment?.startsAt ? formatDateTime(appointment.startsAt, tenant.timeZone, lang) : null;
  const link = appointment ? citizenLinks(publicUrl, tenant, appointment).join : null;

  const subject = t('documents.email.rejected.subject', { procedure: procedureName });
  const paragraphs = [
    t('email.greeting', { name }),
    t('documents.email.rejected.intro', { document: which, file: doc.fileName }),
    t('documents.email.rejected.reason_label'),
  ];
  const again = appointment ? t('documents.email.rejected.again_appointment') : t('documents.email.rejected.again_queue');
  const details: Array<[string, string]> = [
    [t('booking.procedure'), procedureName],
    ...(appointment ? ([[t('booking.reference'), appointment.reference]] as Array<[string, string]>) : []),
    ...(when ? ([[t('booking.when'), when]] as Array<[string, string]>) : []),
  ];
  const text = [...paragraphs, '', `  ${doc.rejectReason}`, '', again, ...(link ? [link] : []), '', ...details.map(([k, v]) => `${k}: ${v}`), '', contactLine(tenant)].join('\n');
  const html = emailHtml({
    tenant,
    lang,
    body: [
      ...paragraphs.map((p) => h('p', null, p)),
      h('blockquote', { style: 'border-left:4px solid #999;margin:0 0 1em;padding:.2em 1em' }, doc.rejectReason),
      h('p', null, again),
      link ? h('p', null, h('a', { href: link }, t('documents.email.rejected.join_link'))) : null,
      detailsTable(details),
    ],
  });
  return { to: email, subject, text, html, attachments: [] };
}
