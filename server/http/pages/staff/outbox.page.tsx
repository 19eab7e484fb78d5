/** The email outbox: what was sent, what waits, what failed; readable when no SMTP is configured. */
import type { RenderedEmail } from '../../../mail/booking-emails.js';
import { formatDateTime } from '../../../i18n/format.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';

export type OutboxRow = { id: string; status: string; attempts: number; createdAt: Date; lastError: string | null; email: RenderedEmail | null };

export function OutboxPage({ ctx, rows, smtpConfigured }: { ctx: PageCtx; rows: OutboxRow[]; smtpConfigured: boolean }) {
  const { t, tenant, lang } = ctx;
  return (
    <Layout ctx={ctx} title={t('staff.outbox.title')} staffArea>
      <h1>{t('staff.outbox.title')}</h1>
      <p class={smtpConfigured ? '' : 'notice'}>{smtpConfigured ? t('staff.outbox.smtp_on') : t('staff.outbox.smtp_off')}</p>
      {rows.length === 0 ? <p>{t('staff.outbox.empty')}</p> : null}
      {rows.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('staff.outbox.created')}</th>
              <th scope="col">{t('staff.outbox.to')}</th>
              <th scope="col">{t('staff.outbox.subject')}</th>
              <th scope="col">{t('booking.status')}</th>
              <th scope="col">{t('staff.outbox.attempts')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>{formatDateTime(r.createdAt, tenant.timeZone, lang)}</td>
                <td>{r.email?.to ?? '—'}</td>
                <td>{r.email ? <a href={tenantPath(ctx, 'staff', 'outbox', r.id)}>{r.email.subject}</a> : t('staff.outbox.no_email')}</td>
                <td>
                  {t(`staff.outbox.status_${r.status}`)}
                  {r.lastError ? <span class="hint"> ({r.lastError})</span> : null}
                </td>
                <td>{r.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Layout>
  );
}

export function OutboxMessagePage({ ctx, id, email }: { ctx: PageCtx; id: string; email: RenderedEmail }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={email.subject} staffArea>
      <h1>{email.subject}</h1>
      <p>
        {t('staff.outbox.to')}: {email.to}
      </p>
      <pre class="email">{email.text}</pre>
      {email.attachments.map((a, i) => (
        <p>
          <a href={tenantPath(ctx, 'staff', 'outbox', id, String(i))} download={a.filename}>
            {a.filename}
          </a>
        </p>
      ))}
      <p>
        <a href={tenantPath(ctx, 'staff', 'outbox')}>{t('form.back')}</a>
      </p>
    </Layout>
  );
}
