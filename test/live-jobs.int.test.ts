import { randomBytes, randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterWaitingRoom } from '../server/modules/attention/enter-waiting-room.js';
import { leaveQueue } from '../server/modules/attention/join-queue.js';
import { sweepLive } from '../server/modules/attention/sweep-live.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { startSmtp } from './support/smtp.js';
import { api, smallTenant, startTestServer, type TestServer } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';
import { insertAppointment as insertBooked } from './support/appointments.js';

const MIN = 60_000;
const PASSWORD = 'correct horse battery staple';

type Tenant = Awaited<ReturnType<typeof smallTenant>>;

/** A booked appointment of `t` written directly (the booking rules forbid past slots); its id. */
async function insertAppointment(
  db: TestDatabase,
  t: Tenant,
  o: { channel: 'video' | 'phone' | 'callback'; startsAt: Date | null; agent?: number; email?: string | null; phone?: string | null; language?: string },
) {
  const { agent, phone, ...rest } = o;
  const row = await insertBooked(db, { tenantId: t.tenant.id, procedureId: t.procedure.id, agentId: t.agents[agent ?? 0].id, phone: phone ?? undefined, ...rest });
  return row.id;
}

async function appointment(db: TestDatabase, id: string) {
  const [row] = await db.rows<{ status: string; sequence: number; email: string | null; starts_at: Date | string | null }>(
    sql`SELECT status, sequence, email, starts_at FROM appointments WHERE id = ${id}`,
  );
  return row;
}

async function attentionOf(db: TestDatabase, appointmentId: string) {
  return db.rows<{ id: string; status: string; channel: string; queued_at: Date | string; due_at: Date | string; closed_at: Date | string | null }>(
    sql`SELECT id, status, channel, queued_at, due_at, closed_at FROM attentions WHERE appointment_id = ${appointmentId}`,
  );
}

const iso = (d: Date | string | null | undefined) => (d === null || d === undefined ? null : new Date(d).toISOString());

async function signIn(base: string, slug: string, email = 'agent0@prova.example') {
  const r = await api(base, 'POST', `/api/v1/tenants/${slug}/auth/login`, { email, password: PASSWORD });
  expect(r.status).toBe(200);
  return { cookie: r.headers.get('set-cookie')!.split(';')[0], csrf: r.json.csrfToken as string, id: r.json.staff.id as string };
}

type Session = Awaited<ReturnType<typeof signIn>>;
const as = (s: Session) => ({ cookie: s.cookie, 'x-csrf-token': s.csrf });

describe.each(DATABASE_KINDS)('live sweep and call attempts on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let server: TestServer;
  const sweep = () => sweepLive({ database: db, jobMaxAttempts: 8 });
  const mailsTo = (address: string) => smtp.received.filter((m) => m.to.includes(address));
  async function mailTo(address: string) {
    const until = Date.now() + 15_000;
    while (mailsTo(address).length === 0) {
      if (Date.now() > until) throw new Error(`no email to ${address}`);
      await smtp.waitFor(smtp.received.length + 1, 1000).catch(() => undefined);
    }
    return simpleParser(mailsTo(address)[0].raw);
  }

  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    smtp = await startSmtp();
    // The server's own sweep stays out of the way: the tests run passes themselves.
    server = await startTestServer(db, { SMTP_URL: smtp.url, LIVE_SWEEP_SECONDS: '3600' });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('marks a video citizen who never came as no-show, frees the agent and emails them once', async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db, { agents: 2 });
    const start = new Date(Date.now() - 11 * MIN);
    const email = `absent-${randomBytes(3).toString('hex')}@example.com`;
    const absent = await insertAppointment(db, town, { channel: 'video', startsAt: start, email, language: 'en' });
    const late = await insertAppointment(db, town, { channel: 'video', startsAt: new Date(Date.now() - 5 * MIN), agent: 1 });
    // the agent is held: the same slot cannot be booked again
    await expect(insertAppointment(db, town, { channel: 'video', startsAt: start })).rejects.toThrow();

    await sweep();

    expect(await appointment(db, absent)).toMatchObject({ status: 'no_show', sequence: 1 });
    const [att] = await attentionOf(db, absent);
    expect(att).toMatchObject({ status: 'no_show', channel: 'video' });
    expect(iso(att.queued_at)).toBe(start.toISOString());
    expect(iso(att.due_at)).toBe(start.toISOString());
    expect(att.closed_at).not.toBeNull();
    // inside the grace period: untouched
    expect((await appointment(db, late)).status).toBe('booked');
    expect(await attentionOf(db, late)).toEqual([]);
    // the agent is free again
    await insertAppointment(db, town, { channel: 'video', startsAt: start });

    const mail = await mailTo(email);
    expect(mail.subject).toMatch(/^Missed appointment: Procedure, /);
    expect(mail.text).toContain(`/${town.tenant.slug}?lang=en`);
    expect(mail.html).toContain('<html lang="en">');
    const jobs = await db.rows<{ payload: { template: string } }>(sql`SELECT payload FROM jobs WHERE tenant_id = ${town.tenant.id}`);
    expect(jobs.map((j) => j.payload.template)).toEqual(['no_show']);
  });

  it("follows the town hall's noShowMinutes", async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db);
    await db.rows(sql`UPDATE tenants SET settings = jsonb_set(settings, '{live}', '{"noShowMinutes": 30}') WHERE id = ${town.tenant.id}`);
    const recent = await insertAppointment(db, town, { channel: 'video', startsAt: new Date(Date.now() - 20 * MIN) });
    const old = await insertAppointment(db, town, { channel: 'video', startsAt: new Date(Date.now() - 120 * MIN) });
    await sweep();
    expect((await appointment(db, recent)).status).toBe('booked');
    expect((await appointment(db, old)).status).toBe('no_show');
  });

  it('never marks a citizen who is waiting; one who left the queue is a no-show', async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db, { agents: 2 });
    const start = new Date(Date.now() - 15 * MIN);
    const waiting = await insertAppointment(db, town, { channel: 'video', startsAt: start, agent: 0 });
    const left = await insertAppointment(db, town, { channel: 'video', startsAt: start, agent: 1 });
    const deps = { database: db };
    const room = (id: string) => ({ id, procedureId: town.procedure.id, channel: 'video', status: 'booked', startsAt: start, language: 'ca' });
    await enterWaitingRoom(deps, { tenant: town.tenant, appointment: room(waiting) });
    const entered = await enterWaitingRoom(deps, { tenant: town.tenant, appointment: room(left) });
    await leaveQueue(deps, { tenantId: town.tenant.id, attentionId: entered.id });

    await sweep();

    expect((await appointment(db, waiting)).status).toBe('booked');
    expect((await attentionOf(db, waiting))[0].status).toBe('waiting');
    expect((await appointment(db, left)).status).toBe('no_show');
    const [att] = await attentionOf(db, left);
    expect(att).toMatchObject({ id: entered.id, status: 'no_show' });
    // the no-show citizen cannot come back to the room
    await expect(enterWaitingRoom(deps, { tenant: town.tenant, appointment: room(left) })).rejects.toMatchObject({ code: 'appointment_not_active' });
  });

  it('queues exactly one email per no-show with several sweeps running at once', async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db, { agents: 3 });
    const emails: string[] = [];
    const now = Date.now();
    for (let i = 0; i < 6; i++) {
      const email = `race-${i}-${randomBytes(3).toString('hex')}@example.com`;
      emails.push(email);
      await insertAppointment(db, town, { channel: 'video', startsAt: new Date(now - (20 + 40 * Math.floor(i / 3)) * MIN), agent: i % 3, email });
    }
    const results = await Promise.all([sweep(), sweep(), sweep()]);
    expect(results.reduce((n, r) => n + r.noShows, 0)).toBeGreaterThanOrEqual(6);
    const [{ marked }] = await db.rows<{ marked: number }>(
      sql`SELECT count(*)::int AS marked FROM appointments WHERE tenant_id = ${town.tenant.id} AND status = 'no_show'`,
    );
    expect(marked).toBe(6);
    const [{ jobs }] = await db.rows<{ jobs: number }>(sql`SELECT count(*)::int AS jobs FROM jobs WHERE tenant_id = ${town.tenant.id}`);
    expect(jobs).toBe(6);
    const [{ attentions }] = await db.rows<{ attentions: number }>(
      sql`SELECT count(*)::int AS attentions FROM attentions WHERE tenant_id = ${town.tenant.id} AND status = 'no_show'`,
    );
    expect(attentions).toBe(6);
    for (const e of emails) await mailTo(e);
    await sweep();
    await new Promise((r) => setTimeout(r, 300));
    for (const e of emails) expect(mailsTo(e)).toHaveLength(1);
  });

  it('turns due phone and call-back requests into waiting attentions, once', async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db, { agents: 3 });
    const soon = new Date(Date.now() + 3 * MIN);
    const dueSoon = await insertAppointment(db, town, { channel: 'phone', startsAt: soon, agent: 0 });
    const later = await insertAppointment(db, town, { channel: 'callback', startsAt: new Date(Date.now() + 20 * MIN), agent: 1 });
    const asap = await insertAppointment(db, town, { channel: 'callback', startsAt: null });
    const video = await insertAppointment(db, town, { channel: 'video', startsAt: new Date(Date.now() + 2 * MIN), agent: 2 });

    await Promise.all([sweep(), sweep()]);
    await sweep();

    const [phone] = await attentionOf(db, dueSoon);
    expect(phone).toMatchObject({ status: 'waiting', channel: 'phone' });
    expect(iso(phone.due_at)).toBe(soon.toISOString());
    expect(await attentionOf(db, later)).toEqual([]);
    expect((await attentionOf(db, asap)).map((a) => [a.status, a.channel])).toEqual([['waiting', 'callback']]);
    expect(await attentionOf(db, video)).toEqual([]);
    const [{ n }] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM attentions WHERE tenant_id = ${town.tenant.id}`);
    expect(n).toBe(2);
    // the console shows them
    const agent = await signIn(server.base, town.tenant.slug);
    const consoleView = await api(server.base, 'GET', `/api/v1/tenants/${town.tenant.slug}/console`, undefined, { cookie: agent.cookie });
    expect(consoleView.json.queue.map((r: { channel: string }) => r.channel).sort()).toEqual(['callback', 'phone']);
  });

  it('drops from the queue a request whose appointment was cancelled after it became due', async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db, { agents: 1 });
    const asap = await insertAppointment(db, town, { channel: 'callback', startsAt: null });
    await sweep();
    expect((await attentionOf(db, asap)).map((a) => a.status)).toEqual(['waiting']);
    await db.rows(sql`UPDATE appointments SET status = 'cancelled', cancelled_at = now() WHERE id = ${asap}`);
    await sweep();
    expect((await attentionOf(db, asap)).map((a) => a.status)).toEqual(['abandoned']);
  });

  it('leaves alone appointments older than a day, takes a moved request out of the queue until it is due, and gives up old queue entries', async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db, { agents: 2 });
    const oldVideo = await insertAppointment(db, town, { channel: 'video', startsAt: new Date(Date.now() - 3 * 24 * 60 * MIN), agent: 0 });
    const oldPhone = await insertAppointment(db, town, { channel: 'phone', startsAt: new Date(Date.now() - 2 * 24 * 60 * MIN), agent: 1 });
    const phone = await insertAppointment(db, town, { channel: 'phone', startsAt: new Date(Date.now() + 2 * MIN), agent: 1 });
    await sweep();
    expect((await appointment(db, oldVideo)).status).toBe('booked');
    expect(await attentionOf(db, oldVideo)).toEqual([]);
    expect(await attentionOf(db, oldPhone)).toEqual([]);
    expect((await attentionOf(db, phone)).map((a) => a.status)).toEqual(['waiting']);
    // moved to next week: out of the queue now, back when it is due
    await db.rows(sql`UPDATE appointments SET starts_at = starts_at + interval '7 days', ends_at = ends_at + interval '7 days', blocked_until = blocked_until + interval '7 days' WHERE id = ${phone}`);
    await sweep();
    expect(await attentionOf(db, phone)).toEqual([]);
    // a virtual-queue entry left for 13 hours is given up
    const [entry] = await db.rows<{ id: string }>(sql`
      INSERT INTO attentions (tenant_id, procedure_id, channel, citizen_name, email, language, queued_at, due_at)
      VALUES (${town.tenant.id}, ${town.procedure.id}, 'video', 'Ningú', 'ningu@example.com', 'ca', now() - interval '13 hours', now() - interval '13 hours') RETURNING id`);
    await sweep();
    const [{ status }] = await db.rows<{ status: string }>(sql`SELECT status FROM attentions WHERE id = ${entry.id}`);
    expect(status).toBe('abandoned');
  });

  /** A phone request due now, taken by agent 0 through the console API. */
  async function takenCall(town: Tenant, agent: Session, o: { language?: string; email?: string } = {}) {
    const appointmentId = await insertAppointment(db, town, { channel: 'phone', startsAt: new Date(Date.now() + 2 * MIN), ...o });
    await sweep();
    const [att] = await attentionOf(db, appointmentId);
    const taken = await api(server.base, 'POST', `/api/v1/tenants/${town.tenant.slug}/attentions/take`, { attentionId: att.id }, as(agent));
    expect(taken.status).toBe(200);
    return { appointmentId, attentionId: att.id };
  }
  const attempt = (slug: string, id: string, outcome: string, headers: Record<string, string>) =>
    api(server.base, 'POST', `/api/v1/tenants/${slug}/attentions/${id}/attempts`, { outcome }, headers);

  it('ends a call-back as not reached after three failed attempts, emails the citizen in their language and frees the agent', async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db);
    const agent = await signIn(server.base, town.tenant.slug);
    const email = `unreachable-${randomBytes(3).toString('hex')}@example.com`;
    const call = await takenCall(town, agent, { language: 'es', email });
    const slug = town.tenant.slug;
    expect((await attempt(slug, call.attentionId, 'no_answer', as(agent))).json).toEqual({ attempts: 1, status: 'in_progress' });
    expect((await attempt(slug, call.attentionId, 'busy', as(agent))).json).toEqual({ attempts: 2, status: 'in_progress' });
    const [{ state: busy }] = await db.rows<{ state: string }>(sql`SELECT state FROM agent_presence WHERE staff_id = ${agent.id}`);
    expect(busy).toBe('busy');
    const last = await attempt(slug, call.attentionId, 'no_answer', as(agent));
    expect(last.status).toBe(200);
    expect(last.json).toEqual({ attempts: 3, status: 'not_reached' });

    const [att] = await db.rows<{ status: string; attempts: number; ended_at: unknown; closed_at: unknown }>(
      sql`SELECT status, attempts, ended_at, closed_at FROM attentions WHERE id = ${call.attentionId}`,
    );
    expect(att).toMatchObject({ status: 'not_reached', attempts: 3 });
    expect(att.ended_at).not.toBeNull();
    expect(att.closed_at).not.toBeNull();
    expect(await db.rows(sql`SELECT outcome FROM call_attempts WHERE attention_id = ${call.attentionId} ORDER BY created_at`)).toEqual([
      { outcome: 'no_answer' },
      { outcome: 'busy' },
      { outcome: 'no_answer' },
    ]);
    expect((await appointment(db, call.appointmentId)).status).toBe('cancelled');
    const [{ state: free }] = await db.rows<{ state: string }>(sql`SELECT state FROM agent_presence WHERE staff_id = ${agent.id}`);
    expect(free).toBe('available');

    const mail = await mailTo(email);
    expect(mail.subject).toBe('No hemos podido contactar con usted: Trámite');
    expect(mail.text).toContain('Le hemos llamado 3 veces');
    expect(mail.text).toContain('acabado en 678');
    expect(mail.text).not.toContain('612345678');
    expect(mail.text).toContain(`/${slug}?lang=es`);
    expect(mail.html).toContain('<html lang="es">');

    // over: no more attempts
    const again = await attempt(slug, call.attentionId, 'no_answer', as(agent));
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('attention_not_active');
  });

  it('ends at once on a wrong number', async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db);
    const agent = await signIn(server.base, town.tenant.slug);
    const email = `wrong-${randomBytes(3).toString('hex')}@example.com`;
    const call = await takenCall(town, agent, { email });
    const r = await attempt(town.tenant.slug, call.attentionId, 'wrong_number', as(agent));
    expect(r.json).toEqual({ attempts: 1, status: 'not_reached' });
    const mail = await mailTo(email);
    expect(mail.subject).toBe('No us hem pogut localitzar: Tràmit');
    expect(mail.text).toContain('no és correcte');
  });

  it('starts the talk when the citizen answers', async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db);
    const agent = await signIn(server.base, town.tenant.slug);
    const call = await takenCall(town, agent);
    expect((await attempt(town.tenant.slug, call.attentionId, 'busy', as(agent))).json).toEqual({ attempts: 1, status: 'in_progress' });
    expect((await attempt(town.tenant.slug, call.attentionId, 'answered', as(agent))).json).toEqual({ attempts: 1, status: 'in_progress' });
    const [att] = await db.rows<{ status: string; connected_at: unknown }>(sql`SELECT status, connected_at FROM attentions WHERE id = ${call.attentionId}`);
    expect(att.status).toBe('in_progress');
    expect(att.connected_at).not.toBeNull();
    expect((await appointment(db, call.appointmentId)).status).toBe('booked');
  });

  it('refuses attempts on video attentions, on other town halls, on attentions not taken by me, and without CSRF', async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db, { agents: 2 });
    const other = await smallTenant(db);
    const slug = town.tenant.slug;
    const agent = await signIn(server.base, slug);
    const colleague = await signIn(server.base, slug, 'agent1@prova.example');

    const videoId = await insertAppointment(db, town, { channel: 'video', startsAt: new Date(Date.now() - 2 * MIN), agent: 0 });
    const room = { id: videoId, procedureId: town.procedure.id, channel: 'video', status: 'booked', startsAt: new Date(Date.now() - 2 * MIN), language: 'ca' };
    const video = await enterWaitingRoom({ database: db }, { tenant: town.tenant, appointment: room });
    expect((await api(server.base, 'POST', `/api/v1/tenants/${slug}/attentions/take`, { attentionId: video.id }, as(agent))).status).toBe(200);
    const onVideo = await attempt(slug, video.id, 'no_answer', as(agent));
    expect(onVideo.status).toBe(422);
    expect(onVideo.json.code).toBe('channel_not_offered');
    const [typology] = await db.rows<{ id: string }>(sql`SELECT id FROM typologies WHERE tenant_id = ${town.tenant.id} LIMIT 1`);
    const closed = await api(server.base, 'POST', `/api/v1/tenants/${slug}/attentions/${video.id}/close`, { typology: typology.id, outcome: 'resolved' }, as(agent));
    expect(closed.status).toBe(204);

    const call = await takenCall(town, agent);
    // another town hall's attention is not found from here
    const foreignAppointment = await insertAppointment(db, other, { channel: 'phone', startsAt: new Date(Date.now() + MIN) });
    await sweep();
    const [foreign] = await attentionOf(db, foreignAppointment);
    const cross = await attempt(slug, foreign.id, 'no_answer', as(agent));
    expect(cross.status).toBe(404);
    expect(cross.json.code).toBe('attention_not_found');
    // a colleague (agent role) cannot record on mine; a waiting attention is not in course
    expect((await attempt(slug, call.attentionId, 'no_answer', as(colleague))).json.code).toBe('attention_not_active');
    const waitingAppointment = await insertAppointment(db, town, { channel: 'callback', startsAt: null });
    await sweep();
    const [waiting] = await attentionOf(db, waitingAppointment);
    expect(waiting.status).toBe('waiting');
    expect((await attempt(slug, waiting.id, 'busy', as(agent))).json.code).toBe('attention_not_active');
    // CSRF and session
    const noCsrf = await attempt(slug, call.attentionId, 'no_answer', { cookie: agent.cookie });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json.code).toBe('csrf_failed');
    expect((await attempt(slug, call.attentionId, 'no_answer', {})).status).toBe(401);
    expect((await api(server.base, 'POST', `/${slug}/staff/console/api/attentions/${call.attentionId}/attempts`, { outcome: 'busy' })).status).toBe(401);
    expect((await attempt(slug, call.attentionId, 'hung_up', as(agent))).status).toBe(400);
    expect((await attempt(slug, randomUUID(), 'busy', as(agent))).status).toBe(404);
    // nothing was counted by the refusals
    const [{ attempts }] = await db.rows<{ attempts: number }>(sql`SELECT attempts FROM attentions WHERE id = ${call.attentionId}`);
    expect(attempts).toBe(0);
  });

  it('is served to the browser console under the staff pages, and documented once', async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db);
    const slug = town.tenant.slug;
    const viaApi = await signIn(server.base, slug);
    const call = await takenCall(town, viaApi);
    const res = await fetch(`${server.base}/${slug}/staff/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'agent0@prova.example', password: PASSWORD }),
      redirect: 'manual',
    });
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    const page = await fetch(`${server.base}/${slug}/staff`, { headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const r = await api(server.base, 'POST', `/${slug}/staff/console/api/attentions/${call.attentionId}/attempts`, { outcome: 'busy' }, { cookie, 'x-csrf-token': csrf });
    expect(r.json).toEqual({ attempts: 1, status: 'in_progress' });
    const doc = (await api(server.base, 'GET', '/api/openapi.json')).json;
    expect(doc.paths['/api/v1/tenants/{slug}/attentions/{id}/attempts']?.post).toBeDefined();
    expect(Object.keys(doc.paths).filter((p) => p.includes('/staff/console/api/'))).toEqual([]);
  });

  it("runs on the server's own timer", async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db);
    const id = await insertAppointment(db, town, { channel: 'video', startsAt: new Date(Date.now() - 30 * MIN) });
    const ticking = await startTestServer(db, { LIVE_SWEEP_SECONDS: '1', WORKER: 'false' });
    try {
      const until = Date.now() + 10_000;
      while ((await appointment(db, id)).status !== 'no_show') {
        if (Date.now() > until) throw new Error('the timer never swept');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await ticking.close();
    }
  });
});
