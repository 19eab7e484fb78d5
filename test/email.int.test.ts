import ICAL from 'ical.js';
import { simpleParser } from 'mailparser';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { useDatabase } from './support/use-database.js';
import { startSmtp } from './support/smtp.js';
import { api, bookingBody, smallTenant, startTestServer } from './support/test-server.js';

async function firstSlot(base: string, slug: string) {
  const r = await api(base, 'GET', `/api/v1/tenants/${slug}/procedures/tramit/slots?channel=video&days=10`);
  return r.json[0].start as string;
}

describe.each(DATABASE_KINDS)('confirmation emails on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  beforeAll(() => {
    db = state.db;
  });

  it('sends the confirmation in the citizen language with a parseable calendar file', async (t) => {
    if (state.skip) return t.skip();
    const smtp = await startSmtp();
    const server = await startTestServer(db, { SMTP_URL: smtp.url, MAIL_FROM: 'OAC <oac@prova.example>' });
    try {
      const { tenant } = await smallTenant(db);
      const start = await firstSlot(server.base, tenant.slug);
      const booked = await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(start, { language: 'es', email: 'ana@example.com' }));
      expect(booked.status).toBe(201);
      const [mail] = await smtp.waitFor(1);
      expect(mail.to).toEqual(['ana@example.com']);
      const parsed = await simpleParser(mail.raw);
      expect(parsed.subject).toMatch(/^Cita reservada: Trámite, /);
      expect(parsed.text).toContain(booked.json.reference);
      expect(parsed.text).toContain(`${booked.json.accessCode.slice(0, 4)} ${booked.json.accessCode.slice(4)}`);
      expect(parsed.text).toContain('DNI');
      expect(parsed.text).toContain(`/${tenant.slug}/manage/`);
      expect(parsed.text).toContain(`/${tenant.slug}/join?ref=`);
      expect(parsed.html).toContain('<html lang="es">');
      const ics = parsed.attachments.find((a) => a.contentType === 'text/calendar');
      expect(ics?.filename).toBe('cita.ics');
      const comp = new ICAL.Component(ICAL.parse(ics!.content.toString('utf8')));
      const tz = comp.getFirstSubcomponent('vtimezone')!;
      ICAL.TimezoneService.register(tz);
      const ev = new ICAL.Event(comp.getFirstSubcomponent('vevent')!);
      expect(ev.startDate.zone.tzid).toBe('Europe/Madrid');
      expect(ev.startDate.toJSDate().toISOString()).toBe(start);
      expect(ev.endDate.toJSDate().getTime() - ev.startDate.toJSDate().getTime()).toBe(30 * 60_000);
      expect(ev.summary).toBe('Trámite — Ajuntament de Prova');
      const [{ status }] = await db.rows<{ status: string }>(sql`SELECT status FROM jobs WHERE tenant_id = ${tenant.id}`);
      expect(status).toBe('done');
    } finally {
      await server.close();
      await smtp.close();
    }
  });

  it('retries when the SMTP server refuses, then delivers once', async (t) => {
    if (state.skip) return t.skip();
    const smtp = await startSmtp({ failFirst: 1 });
    const server = await startTestServer(db, { SMTP_URL: smtp.url });
    try {
      const { tenant } = await smallTenant(db);
      const start = await firstSlot(server.base, tenant.slug);
      await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(start));
      // the first attempt fails; the retry is scheduled 10 s later: bring it forward
      const until = Date.now() + 10_000;
      for (;;) {
        const [job] = await db.rows<{ attempts: number; status: string; last_error: string | null }>(sql`SELECT attempts, status, last_error FROM jobs WHERE tenant_id = ${tenant.id}`);
        if (job?.attempts === 1 && job.status === 'pending') {
          expect(job.last_error).not.toContain('@');
          break;
        }
        if (Date.now() > until) throw new Error(`job never failed once: ${JSON.stringify(job)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await db.rows(sql`UPDATE jobs SET run_at = now() WHERE tenant_id = ${tenant.id}`);
      await smtp.waitFor(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(smtp.received).toHaveLength(1);
    } finally {
      await server.close();
      await smtp.close();
    }
  });

  it('keeps emails in the outbox without SMTP and sends them after a restart with SMTP', async (t) => {
    if (state.skip) return t.skip();
    const first = await startTestServer(db);
    const { tenant } = await smallTenant(db);
    const start = await firstSlot(first.base, tenant.slug);
    await api(first.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(start));
    await new Promise((r) => setTimeout(r, 500)); // several polls of the worker
    expect(await db.rows(sql`SELECT status, attempts FROM jobs WHERE tenant_id = ${tenant.id}`)).toEqual([{ status: 'pending', attempts: 0 }]);
    await first.close();
    const smtp = await startSmtp();
    const second = await startTestServer(db, { SMTP_URL: smtp.url });
    try {
      const [mail] = await smtp.waitFor(1);
      expect(mail.to).toEqual(['nuria@example.com']);
    } finally {
      await second.close();
      await smtp.close();
    }
  });

  it('picks up a job whose worker died mid-way once its lease expires (several workers, one delivery)', async (t) => {
    if (state.skip) return t.skip();
    const smtp = await startSmtp();
    const noWorker = await startTestServer(db, { WORKER: 'false' });
    const { tenant } = await smallTenant(db);
    const start = await firstSlot(noWorker.base, tenant.slug);
    await api(noWorker.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(start));
    // simulate a crash: the job was claimed by a worker that vanished
    await db.rows(sql`UPDATE jobs SET status = 'running', attempts = 1, locked_until = now() - interval '1 second' WHERE tenant_id = ${tenant.id}`);
    await noWorker.close();
    const a = await startTestServer(db, { SMTP_URL: smtp.url });
    const b = await startTestServer(db, { SMTP_URL: smtp.url });
    try {
      await smtp.waitFor(1);
      await new Promise((r) => setTimeout(r, 500));
      expect(smtp.received.filter((m) => m.to[0] === 'nuria@example.com')).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
      await smtp.close();
    }
  });

  it('never sends an email made stale by a later change, and forgets the secrets once sent', async (t) => {
    if (state.skip) return t.skip();
    const smtp = await startSmtp();
    const quiet = await startTestServer(db, { WORKER: 'false' });
    const { tenant } = await smallTenant(db);
    const start = await firstSlot(quiet.base, tenant.slug);
    const booked = await api(quiet.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(start, { email: 'stale@example.com' }));
    const token = booked.json.manageUrl.split('/manage/')[1];
    await api(quiet.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments/manage/${token}/cancel`);
    await quiet.close();
    const worker = await startTestServer(db, { SMTP_URL: smtp.url });
    try {
      const until = Date.now() + 10_000;
      while ((await db.rows(sql`SELECT 1 FROM jobs WHERE tenant_id = ${tenant.id} AND status <> 'done'`)).length > 0) {
        if (Date.now() > until) throw new Error('jobs not done');
        await new Promise((r) => setTimeout(r, 100));
      }
      const mine = smtp.received.filter((m) => m.to.includes('stale@example.com'));
      expect(mine).toHaveLength(1);
      expect((await simpleParser(mine[0].raw)).subject).toMatch(/^Cita anul·lada/);
      const payloads = await db.rows<{ payload: Record<string, unknown> }>(sql`SELECT payload FROM jobs WHERE tenant_id = ${tenant.id}`);
      expect(payloads).toHaveLength(2);
      for (const { payload } of payloads) {
        expect(payload).not.toHaveProperty('accessCode');
        expect(payload).not.toHaveProperty('manageToken');
      }
    } finally {
      await worker.close();
      await smtp.close();
    }
  });
});
