/**
 * Sends email over SMTP with nodemailer (loaded with the first email). With no
 * SMTP configured there is no mailer: email jobs wait in the outbox, readable
 * by admins, until one is.
 */
import type { Transporter } from 'nodemailer';
import type { RenderedEmail } from './booking-emails.js';

export type Mailer = { send(email: RenderedEmail): Promise<void>; close(): void };

export function createMailer(smtpUrl: string | undefined, from: string): Mailer | null {
  if (!smtpUrl) return null;
  // Timeouts well below the job lease (5 min), so a slow server is retried, not sent twice.
  const url = new URL(smtpUrl);
  for (const [k, v] of Object.entries({ connectionTimeout: '30000', greetingTimeout: '30000', socketTimeout: '60000' })) {
    if (!url.searchParams.has(k)) url.searchParams.set(k, v);
  }
  let transport: Promise<Transporter> | undefined;
  const open = () => (transport ??= import('nodemailer').then((m) => m.default.createTransport(url.toString())));
  return {
    async send(email) {
      await (await open()).sendMail({
        from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        attachments: email.attachments,
      });
    },
    close: () => void transport?.then((t) => t.close()),
  };
}

/** Removes email addresses and phone-like numbers from an error text before it is stored or logged. */
export function scrubPersonalData(text: string): string {
  return text
    .replace(/[^\s<>@"']+@[^\s<>@"']+/g, '[email]')
    .replace(/\b[XYZ]?\d{7,8}[A-Z]\b/gi, '[id]')
    .replace(/\+?\d[\d\s-]{6,}\d/g, '[number]')
    .slice(0, 500);
}
