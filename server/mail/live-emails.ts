/**
 * The emails the live attention sends on its own — a video appointment the
 * citizen never joined (`no_show`) and a phone or call-back request nobody
 * could answer (`not_reached`) — in the citizen's language, from the town hall.
 * Like the booking emails they are rendered when the job runs, from current
 * data; the job payload carries ids only. The only personal data in them is
 * the greeting and, for a call, the last digits of the number that was called
 * (so that a citizen who gave a wrong number can tell).
 */
import { h } from 'preact';
import { renderToStaticMarkup } from 'preact-render-to-string';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { pickText, type Language, type LocalizedText } from '../../shared/domain.js';
import { AppError } from '../../shared/errors.js';
import type { Database } from '../db/client.js';
import { formatDateTime } from '../i18n/format.js';
import { isLanguage, translator } from '../i18n/i18n.js';
import { findAttention } from '../modules/attention/attention.repository.js';
import { liveSettings } from '../modules/attention/live-settings.js';
import { findAppointmentById, type Appointment } from '../modules/booking/booking.repository.js';
import { findProcedureById, type Procedure } from '../modules/catalogue/catalogue.repository.js';
import { SURVEY_LINK_DAYS } from '../modules/surveys/survey-invitations.js';
import { findTenantById, type Tenant } from '../modules/tenants/tenants.repository.js';
import type { RenderedEmail } from './booking-emails.js';

/**
 * Payloads of the live emails (job type `email`, told apart from the booking
 * emails by `template`). `sequence` is the appointment's, as for booking emails:
 * a later change makes the email stale.
 */
export const liveEmailPayload = z.discriminatedUnion('template', [
  z.object({ template: z.literal('no_show'), appointmentId: z.uuid(), sequence: z.number().int().min(0) }),
  z.object({
    template: z.literal('not_reached'),
    attentionId: z.uuid(),
    attempts: z.number().int().min(1).max(1000),
    wrongNumber: z.boolean().default(false),
  }),
  // the token travels in the job until the email is sent, then the runner removes it
  z.object({ template: z.literal('survey'), attentionId: z.uuid(), surveyToken: z.string().optional() }),
]);
export type LiveEmailPayload = z.infer<typeof liveEmailPayload>;

/** The last three digits of a phone number, enough for the citizen to recognise it. */
export function phoneTail(phone: string | null | undefined): string | null {
  const digits = (phone ?? '').replace(/\D/g, '');
  return digits.length >= 3 ? digits.slice(-3) : null;
}

type Detail = [string, string];

/** Shared frame: heading with the town hall's name and colour, paragraphs, details, links, contact line. */
function frame(o: { tenant: Tenant; lang: Language; subject: string; paragraphs: string[]; details: Detail[]; links: Array<{ href: string; label: string }>; to: string }): RenderedEmail {
  const { tenant, lang } = o;
  const contact = [tenant.name, tenant.address, tenant.contactPhone, tenant.contactEmail].filter(Boolean).join(' · ');
  const text = [
    ...o.paragraphs,
    '',
    ...o.details.map(([k, v]) => `${k}: ${v}`),
    '',
    ...o.links.map((l) => `${l.label}: ${l.href}`),
    '',
    contact,
  ].join('\n');
  const html = renderToStaticMarkup(
    h('html', { lang }, [
      h('body', { style: 'font-family:sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;max-width:40em' }, [
        h('h1', { style: `font-size:1.3em;color:${tenant.colour}` }, tenant.name),
        ...o.paragraphs.map((p) => h('p', null, p)),
        h(
          'table',
          { role: 'presentation', style: 'border-collapse:collapse' },
          o.details.map(([k, v]) => h('tr', null, [h('th', { style: 'text-align:left;padding-right:1em' }, k), h('td', null, v)])),
        ),
        ...o.links.map((l) => h('p', null, h('a', { href: l.href }, l.label))),
        h('p', { style: 'color:#555;font-size:.9em' }, contact),
      ]),
    ]),
  );
  return { to: o.to, subject: o.subject, text, html: `<!doctype html>${html}`, attachments: [] };
}

/** The citizen's language (or the town hall's when theirs is not offered), its translator and the procedure's name in it. */
function wording(tenant: Tenant, language: string, procedureName: LocalizedText) {
  const lang: Language = isLanguage(language) ? language : tenant.defaultLanguage;
  return { lang, t: translator(lang), procedure: pickText(procedureName, lang) };
}

/** "You did not join your video appointment": with the link to book again. Null without an email address. */
export function renderNoShowEmail(o: {
  publicUrl: string;
  tenant: Tenant;
  appointment: Pick<Appointment, 'email' | 'language' | 'citizenName' | 'reference' | 'startsAt'>;
  procedure: Pick<Procedure, 'name' | 'channels'>;
}): RenderedEmail | null {
  const { tenant, appointment: a } = o;
  if (!a.email) return null;
  const { lang, t, procedure } = wording(tenant, a.language, o.procedure.name);
  const when = a.startsAt ? formatDateTime(a.startsAt, tenant.timeZone, lang) : '';
  return frame({
    tenant,
    lang,
    to: a.email,
    subject: t('email.no_show.subject', { procedure, when }),
    paragraphs: [
      t('email.greeting', { name: a.citizenName }),
      t('email.no_show.intro'),
      // the suggestion of a phone appointment only when this procedure offers one
      ...(o.procedure.channels.some((c) => c === 'phone' || c === 'callback') ? [t('email.no_show.help')] : []),
      t('email.no_show.again'),
    ],
    details: [
      [t('booking.reference'), a.reference],
      [t('booking.procedure'), procedure],
      [t('booking.when'), when],
    ],
    links: [{ href: `${o.publicUrl}/${tenant.slug}?lang=${lang}`, label: t('email.no_show.book_link') }],
  });
}

/**
 * "We tried to call you N times and could not reach you": with the links to
 * book again and, when the town hall's queue is open, to ask to be attended
 * without an appointment. Null without an email address.
 */
export function renderNotReachedEmail(o: {
  publicUrl: string;
  tenant: Tenant;
  citizen: { email: string | null; phone: string | null; name: string; language: string };
  appointment?: Pick<Appointment, 'reference' | 'startsAt'> | null;
  procedure: Pick<Procedure, 'name'>;
  attempts: number;
  wrongNumber: boolean;
}): RenderedEmail | null {
  const { tenant, citizen } = o;
  if (!citizen.email) return null;
  const { lang, t, procedure } = wording(tenant, citizen.language, o.procedure.name);
  const digits = phoneTail(citizen.phone);
  const paragraphs = [t('email.greeting', { name: citizen.name }), t('email.not_reached.intro', { count: o.attempts })];
  if (o.wrongNumber) paragraphs.push(t('email.not_reached.wrong_number'));
  if (digits) paragraphs.push(t('email.not_reached.number_hint', { digits }));
  paragraphs.push(t('email.not_reached.again'));
  const details: Detail[] = [];
  if (o.appointment) details.push([t('booking.reference'), o.appointment.reference]);
  details.push([t('booking.procedure'), procedure]);
  if (o.appointment?.startsAt) details.push([t('booking.when'), formatDateTime(o.appointment.startsAt, tenant.timeZone, lang)]);
  const base = `${o.publicUrl}/${tenant.slug}`;
  const links = [{ href: `${base}?lang=${lang}`, label: t('email.not_reached.book_link') }];
  if (liveSettings(tenant).queueOpen) links.push({ href: `${base}/queue?lang=${lang}`, label: t('email.not_reached.queue_link') });
  return frame({ tenant, lang, to: citizen.email, subject: t('email.not_reached.subject', { procedure }), paragraphs, details, links });
}

/** "How did it go?": the link to the satisfaction survey after an attention. Null without an email address. */
export function renderSurveyEmail(o: {
  publicUrl: string;
  tenant: Tenant;
  citizen: { email: string | null; name: string; language: string };
  procedure: Pick<Procedure, 'name'>;
  token: string;
  days: number;
}): RenderedEmail | null {
  const { tenant, citizen } = o;
  if (!citizen.email) return null;
  const { lang, t, procedure } = wording(tenant, citizen.language, o.procedure.name);
  return frame({
    tenant,
    lang,
    to: citizen.email,
    subject: t('email.survey.subject', { procedure }),
    paragraphs: [t('email.greeting', { name: citizen.name }), t('email.survey.intro'), t('email.survey.expires', { count: o.days })],
    details: [[t('booking.procedure'), procedure]],
    links: [{ href: `${o.publicUrl}/${tenant.slug}/survey/${o.token}?lang=${lang}`, label: t('email.survey.link') }],
  });
}

/**
 * Loads what a live email job describes and renders it; null when there is
 * nothing to send (no email address, or a later change made it stale).
 */
export async function renderLiveEmailJob(database: Database, publicUrl: string, tenantId: string | null, payload: LiveEmailPayload): Promise<RenderedEmail | null> {
  const tenant = tenantId ? await findTenantById(database.db, tenantId) : undefined;
  if (!tenant) throw new AppError('not_found');
  if (payload.template === 'no_show') {
    const appointment = await findAppointmentById(database, tenant.id, payload.appointmentId);
    const procedure = appointment && (await findProcedureById(database.db, tenant.id, appointment.procedureId));
    if (!appointment || !procedure) throw new AppError('not_found');
    if (payload.sequence !== appointment.sequence || appointment.status !== 'no_show') return null;
    return renderNoShowEmail({ publicUrl, tenant, appointment, procedure });
  }
  const attention = (await findAttention(database, tenant.id, payload.attentionId)) as
    | (Awaited<ReturnType<typeof findAttention>> & { email: string | null; phone: string | null; citizen_name: string | null })
    | undefined;
  if (!attention) throw new AppError('not_found');
  if (payload.template === 'survey') {
    // no token left (already sent), or the citizen already answered from the end screen: nothing to send
    if (!payload.surveyToken || attention.status !== 'closed') return null;
    const answered = await database.rows(sql`SELECT 1 FROM survey_responses WHERE tenant_id = ${tenant.id} AND attention_id = ${attention.id}`);
    if (answered.length) return null;
    const appointment = attention.appointment_id ? await findAppointmentById(database, tenant.id, attention.appointment_id) : undefined;
    const procedure = await findProcedureById(database.db, tenant.id, attention.procedure_id);
    if (!procedure) throw new AppError('not_found');
    return renderSurveyEmail({
      publicUrl,
      tenant,
      citizen: { email: attention.email ?? appointment?.email ?? null, name: attention.citizen_name ?? appointment?.citizenName ?? '', language: attention.language },
      procedure,
      token: payload.surveyToken,
      days: SURVEY_LINK_DAYS,
    });
  }
  if (attention.status !== 'not_reached') return null;
  const appointment = attention.appointment_id ? await findAppointmentById(database, tenant.id, attention.appointment_id) : undefined;
  const procedure = await findProcedureById(database.db, tenant.id, attention.procedure_id);
  if (!procedure || (attention.appointment_id && !appointment)) throw new AppError('not_found');
  return renderNotReachedEmail({
    publicUrl,
    tenant,
    citizen: {
      email: attention.email ?? appointment?.email ?? null,
      phone: attention.phone ?? appointment?.phone ?? null,
      name: attention.citizen_name ?? appointment?.citizenName ?? '',
      language: attention.language,
    },
    appointment: appointment ?? null,
    procedure,
    attempts: payload.attempts,
    wrongNumber: payload.wrongNumber,
  });
}
