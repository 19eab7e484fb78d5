import { describe, expect, it } from 'vitest';
import type { Tenant } from '../modules/tenants/tenants.repository.js';
import { liveEmailPayload, phoneTail, renderNoShowEmail, renderNotReachedEmail } from './live-emails.js';

const tenant = {
  id: '00000000-0000-4000-8000-000000000001',
  slug: 'prova',
  name: 'Ajuntament de Prova',
  timeZone: 'Europe/Madrid',
  languages: ['ca', 'es', 'en'],
  defaultLanguage: 'ca',
  colour: '#0b5394',
  address: 'Plaça Major, 1',
  contactPhone: '+34 930 000 000',
  contactEmail: 'oac@prova.example',
  settings: { cancelCutoffMinutes: 60 },
} as unknown as Tenant;
const procedure = { name: { ca: 'Tràmit', es: 'Trámite', en: 'Procedure' }, channels: ['video', 'phone'] as Array<'video' | 'phone'> };
const startsAt = new Date('2030-03-04T09:30:00Z');

describe('phoneTail', () => {
  it('keeps only the last three digits', () => {
    expect(phoneTail('+34 612 345 678')).toBe('678');
    expect(phoneTail('12')).toBeNull();
    expect(phoneTail(null)).toBeNull();
  });
});

describe('live email payloads', () => {
  it('do not accept booking payloads', () => {
    expect(liveEmailPayload.safeParse({ template: 'booking_cancelled', appointmentId: tenant.id, sequence: 1 }).success).toBe(false);
    expect(liveEmailPayload.parse({ template: 'not_reached', attentionId: tenant.id, attempts: 3 })).toEqual({
      template: 'not_reached',
      attentionId: tenant.id,
      attempts: 3,
      wrongNumber: false,
    });
  });
});

describe('renderNoShowEmail', () => {
  it('writes in the citizen language with the link to book again, in text and HTML', () => {
    const mail = renderNoShowEmail({
      publicUrl: 'https://seu.example',
      tenant,
      appointment: { email: 'ana@example.com', language: 'ca', citizenName: 'Anna', reference: 'ABC-123', startsAt },
      procedure,
    })!;
    expect(mail.to).toBe('ana@example.com');
    expect(mail.subject).toMatch(/^No us vau connectar a la cita: Tràmit, /);
    expect(mail.text).toContain('https://seu.example/prova?lang=ca');
    expect(mail.text).toContain('ABC-123');
    expect(mail.text).toContain('Ajuntament de Prova');
    expect(mail.html).toContain('<html lang="ca">');
    expect(mail.html).toContain('href="https://seu.example/prova?lang=ca"');
    expect(mail.text).toContain('per telèfon');
    expect(mail.attachments).toEqual([]);
  });

  it('suggests a phone appointment only when the procedure offers one', () => {
    const mail = renderNoShowEmail({
      publicUrl: 'https://seu.example',
      tenant,
      appointment: { email: 'ana@example.com', language: 'en', citizenName: 'Anna', reference: 'ABC-123', startsAt },
      procedure: { ...procedure, channels: ['video'] },
    })!;
    expect(mail.text).not.toContain('by phone');
  });

  it('sends nothing without an email address', () => {
    expect(renderNoShowEmail({ publicUrl: 'x', tenant, appointment: { email: null, language: 'es', citizenName: 'A', reference: 'R', startsAt }, procedure })).toBeNull();
  });
});

describe('renderNotReachedEmail', () => {
  const citizen = { email: 'joan@example.com', phone: '+34612345678', name: 'Joan', language: 'es' };

  it('says how many times we called, the end of the number, and how to ask again', () => {
    const mail = renderNotReachedEmail({ publicUrl: 'https://seu.example', tenant, citizen, procedure, attempts: 3, wrongNumber: false })!;
    expect(mail.subject).toBe('No hemos podido contactar con usted: Trámite');
    expect(mail.text).toContain('Le hemos llamado 3 veces');
    expect(mail.text).toContain('acabado en 678');
    expect(mail.text).not.toContain('612345678');
    expect(mail.text).toContain('https://seu.example/prova?lang=es');
    expect(mail.text).toContain('https://seu.example/prova/queue?lang=es');
  });

  it('mentions a wrong number, uses the singular, and leaves out the queue when it is closed', () => {
    const closed = { ...tenant, settings: { cancelCutoffMinutes: 60, live: { queueOpen: false } } } as Tenant;
    const mail = renderNotReachedEmail({
      publicUrl: 'https://seu.example',
      tenant: closed,
      citizen: { ...citizen, language: 'en' },
      appointment: { reference: 'XYZ-9', startsAt },
      procedure,
      attempts: 1,
      wrongNumber: true,
    })!;
    expect(mail.text).toContain('We tried to call you once');
    expect(mail.text).toContain('seems to be wrong');
    expect(mail.text).toContain('XYZ-9');
    expect(mail.text).not.toContain('/queue');
  });
});
