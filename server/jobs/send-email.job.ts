/** The `email` job: renders the email (booking, live attention, monthly report) from current data and sends it. */
import { AppError } from '../../shared/errors.js';
import type { Database } from '../db/client.js';
import { renderBookingEmail, type RenderedEmail } from '../mail/booking-emails.js';
import { liveEmailPayload, renderLiveEmailJob } from '../mail/live-emails.js';
import { filingEmailPayload, renderFilingEmailJob } from '../mail/filing-emails.js';
import type { Mailer } from '../mail/mailer.js';
import type { FileStore } from '../storage/encrypted-files.js';
import { renderReportEmailJob, reportEmailPayload } from '../mail/report-emails.js';
import { receiptEmailPayload, renderReceiptEmailJob } from '../mail/receipt-emails.js';
import { documentEmailPayload, renderDocumentEmailJob } from '../mail/document-emails.js';
import { findAppointmentById } from '../modules/booking/booking.repository.js';
import { findProcedureById } from '../modules/catalogue/catalogue.repository.js';
import { findTenantById } from '../modules/tenants/tenants.repository.js';
import type { JobHandler, JobRow } from './job-runner.js';
import { emailJobPayload } from './job-types.js';

/** Renders the email a job will send; null when the citizen gave no email address or a later change superseded it. */
export async function renderEmailJob(
  database: Database,
  publicUrl: string,
  job: Pick<JobRow, 'tenant_id' | 'payload'>,
  files: () => Promise<FileStore>,
): Promise<RenderedEmail | null> {
  // Emails of the live attention (no-show, not reached) have their own payloads and templates.
  const live = liveEmailPayload.safeParse(job.payload);
  if (live.success) return renderLiveEmailJob(database, publicUrl, job.tenant_id, live.data);
  // The monthly report, with its PDF, to a configured recipient.
  const report = reportEmailPayload.safeParse(job.payload);
  if (report.success) return renderReportEmailJob(database, publicUrl, job.tenant_id, report.data);
  // The sealed receipt of a filed request, with its PDF.
  const receipt = receiptEmailPayload.safeParse(job.payload);
  if (receipt.success) return renderReceiptEmailJob(database, files, publicUrl, job.tenant_id, receipt.data);
  // The one-time code that signs a consent to file a request.
  const filing = filingEmailPayload.safeParse(job.payload);
  if (filing.success) return renderFilingEmailJob(database, job.tenant_id, filing.data);
  // A document the agent rejected: which one, why, and how to send it again.
  const document = documentEmailPayload.safeParse(job.payload);
  if (document.success) return renderDocumentEmailJob(database, publicUrl, job.tenant_id, document.data);
  const payload = emailJobPayload.parse(job.payload);
  if (!job.tenant_id) throw new AppError('not_found');
  const tenant = await findTenantById(database.db, job.tenant_id);
  const appointment = tenant && (await findAppointmentById(database, tenant.id, payload.appointmentId));
  const procedure = appointment && (await findProcedureById(database.db, tenant.id, appointment.procedureId));
  if (!tenant || !appointment || !procedure) throw new AppError('not_found');
  // A later change (moved, cancelled) has its own email; this one would mislead.
  if (payload.sequence !== appointment.sequence) return null;
  return renderBookingEmail({ publicUrl, tenant, appointment, procedure, payload });
}

/** `site.PUBLIC_URL` is read when each email is rendered. Registered only when SMTP is configured. */
export function sendEmailJob(deps: { database: Database; mailer: Mailer; site: { PUBLIC_URL: string }; files: () => Promise<FileStore> }): JobHandler {
  return async (job) => {
    const email = await renderEmailJob(deps.database, deps.site.PUBLIC_URL, job, deps.files);
    if (!email) return; // phone-only contact, or made stale by a later change: nothing to send
    await deps.mailer.send(email);
  };
}
