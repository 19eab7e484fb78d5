/**
 * The emails a booking sends — confirmed, rescheduled, cancelled — in the
 * citizen's language, with the calendar file attached when there is a time.
 */
import { h } from 'preact';
import { renderToStaticMarkup } from 'preact-render-to-string';
import { pickText, type Language } from '../../shared/domain.js';
import type { EmailJobPayload } from '../jobs/job-types.js';
import { formatDateTime } from '../i18n/format.js';
import { translator } from '../i18n/i18n.js';
import type { Procedure } from '../modules/catalogue/catalogue.repository.js';
import type { Appointment } from '../modules/booking/booking.repository.js';
import { formatAccessCode } from '../modules/booking/secrets.js';
import type { Tenant } from '../modules/tenants/tenants.repository.js';
import { calendarFile } from './calendar-file.js';

export type RenderedEmail = {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments: Array<{ filename: string; content: string | Buffer; contentType: string }>;
};

/** Links a citizen follows from an email. */
export function citizenLinks(publicUrl: string, tenant: Tenant, a: Pick<Appointment, 'reference' | 'language'>, manageToken?: string) {
  const base = `${publicUrl}/${tenant.slug}`;
  return {
    home: `${base}?lang=${a.language}`,
    join: `${base}/join?ref=${encodeURIComponent(a.reference)}&lang=${a.language}`,
    manage: manageToken ? `${base}/manage/${manageToken}?lang=${a.language}` : undefined,
  };
}

export function renderBookingEmail(o: {
  publicUrl: string;
  tenant: Tenant;
  appointment: Appointment;
  procedure: Procedure;
  payload: EmailJobPayload;
}): RenderedEmail | null {
  const { tenant, appointment: a, procedure, payload } = o;
  if (!a.email) return null;
  const lang = a.language as Language;
  const t = translator(lang);
  const procedureName = pickText(procedure.name, lang);
  const when = a.startsAt ? formatDateTime(a.startsAt, tenant.timeZone, lang) : t('booking.asap');
  const manageToken = payload.template === 'booking_cancelled' ? undefined : payload.manageToken;
  const links = citizenLinks(o.publicUrl, tenant, a, manageToken);
  const kind = payload.template;
  const subject = t(`email.${kind}.subject`, { procedure: procedureName, when, reference: a.reference });

  const details: Array<[string, string]> = [
    [t('booking.reference'), a.reference],
    [t('booking.procedure'), procedureName],
    [t('booking.when'), when],
    [t('booking.channel'), t(`channel.${a.channel}.name`)],
  ];
  if (a.startsAt) details.push([t('booking.time_zone'), tenant.timeZone]);
  const paragraphs: string[] = [t('email.greeting', { name: a.citizenName }), t(`email.${kind}.intro`)];
  const documents = kind === 'booking_cancelled' ? [] : procedure.documents.map((d) => pickText(d.description, lang));
  let accessCode: string | undefined;
  if (kind !== 'booking_cancelled') {
    paragraphs.push(
      a.kind === 'asap' ? t('email.how.asap', { phone: a.phone ?? '' }) : t(`email.how.${a.channel}`, { address: tenant.address ?? tenant.name }),
    );
    if (payload.accessCode) accessCode = formatAccessCode(payload.accessCode);
  }
  const cutoffHours = Math.round(tenant.settings.cancelCutoffMinutes / 60);
  const contact = [tenant.name, tenant.address, tenant.contactPhone, tenant.contactEmail].filter(Boolean).join(' · ');

  const textLines = [
    ...paragraphs,
    '',
    ...details.map(([k, v]) => `${k}: ${v}`),
    ...(documents.length ? ['', t('booking.documents_title'), ...documents.map((d) => `- ${d}`)] : []),
    ...(accessCode ? ['', `${t('email.join_link')}: ${links.join}`, `${t('booking.access_code')}: ${accessCode}`] : []),
    ...(links.manage ? ['', `${t('email.manage_link', { count: cutoffHours })}: ${links.manage}`] : []),
    ...(kind === 'booking_cancelled' ? ['', `${t('email.book_again')}: ${links.home}`] : []),
    '',
    contact,
  ];

  const html = renderToStaticMarkup(
    h('html', { lang }, [
      h('body', { style: 'font-family:sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;max-width:40em' }, [
        h('h1', { style: `font-size:1.3em;color:${tenant.colour}` }, tenant.name),
        ...paragraphs.map((p) => h('p', null, p)),
        h(
          'table',
          { role: 'presentation', style: 'border-collapse:collapse' },
          details.map(([k, v]) => h('tr', null, [h('th', { style: 'text-align:left;padding-right:1em' }, k), h('td', null, v)])),
        ),
        documents.length ? h('h2', { style: 'font-size:1.1em' }, t('booking.documents_title')) : null,
        documents.length ? h('ul', null, documents.map((d) => h('li', null, d))) : null,
        accessCode
          ? h('p', null, [
              h('a', { href: links.join }, t('email.join_link')),
              h('br', null),
              `${t('booking.access_code')}: `,
              h('strong', { style: 'font-size:1.2em;letter-spacing:.1em' }, accessCode),
            ])
          : null,
        links.manage ? h('p', null, h('a', { href: links.manage }, t('email.manage_link', { count: cutoffHours }))) : null,
        kind === 'booking_cancelled' ? h('p', null, h('a', { href: links.home }, t('email.book_again'))) : null,
        h('p', { style: 'color:#555;font-size:.9em' }, contact),
      ]),
    ]),
  );

  const attachments: RenderedEmail['attachments'] = [];
  if (a.startsAt && a.endsAt) {
    attachments.push({
      filename: `${t('email.calendar_filename')}.ics`,
      contentType: `text/calendar; charset=utf-8; method=${kind === 'booking_cancelled' ? 'CANCEL' : 'PUBLISH'}`,
      content: calendarFile({
        uid: `${a.id}@finestreta`,
        sequence: a.sequence,
        cancelled: kind === 'booking_cancelled',
        start: a.startsAt,
        end: a.endsAt,
        timeZone: tenant.timeZone,
        summary: t('calendar.summary', { procedure: procedureName, town: tenant.name }),
        description: [
          t(`email.how.${a.channel}`, { address: tenant.address ?? tenant.name }),
          `${t('booking.reference')}: ${a.reference}`,
        ].join('\n'),
        location: a.channel === 'in_person' ? (tenant.address ?? tenant.name) : links.join,
        url: links.join,
        organizer: tenant.contactEmail ? { name: tenant.name, email: tenant.contactEmail } : undefined,
      }),
    });
  }
  return { to: a.email, subject, text: textLines.join('\n'), html: `<!doctype html>${html}`, attachments };
}
