/**
 * Sends email over SMTP with nodemailer. With no SMTP configured there is no
 * mailer: email jobs wait in the outbox, readable by admins, until one is.
 */
import nodemailer from 'nodemailer';
import type { RenderedEmail } from './booking-emails.js';

export type Mailer = { send(email: RenderedEmail): Promise<void>; close(): void };

export function createMailer(smtpUrl: string | undefined, from: string): Mailer | null {
  if (!smtpUrl) return null;
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(email) {
      await transport.sendMail({
        from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        attachments: email.attachments,
      });
    },
    close: () => transport.close(),
  };
}

/** Removes email addresses and phone-like numbers from an error text before it is stored or logged. */
export function scrubPersonalData(text: string): string {
  return text
    .replace(/[^\s<>@"']+@[^\s<>@"']+/g, '[email]')
    .replace(/\+?\d[\d\s-]{7,}\d/g, '[number]')
    .slice(0, 500);
}
