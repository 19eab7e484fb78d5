import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../server/db/client.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { useDatabase } from './support/use-database.js';
import { api, bookingBody, smallTenant, startTestServer, type TestServer } from './support/test-server.js';

/** Signs in through the staff page (cookie path /{slug}) and opens the live socket. */
async function staffSocket(base: string, slug: string, email: string, signOutVia?: string, origin?: string) {
  const res = await fetch(`${base}/${slug}/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password: 'correct horse battery staple' }),
    redirect: 'manual',
  });
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  const ws = new WebSocket(`${base.replace('http', 'ws')}/${slug}/staff/live`, { headers: { cookie, ...(origin ? { origin } : {}) } });
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (d) => {
    messages.push(JSON.parse(String(d)));
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  async function next(type: string, ms = 5000) {
    const until = Date.now() + ms;
    for (;;) {
      const i = messages.findIndex((m) => m.type === type);
      if (i >= 0) return messages.splice(i, 1)[0];
      if (Date.now() > until) throw new Error(`no ${type} message; got ${JSON.stringify(messages)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }
  if (origin) return { ws, next, closed };
  await next('hello');
  if (signOutVia) {
    const page = await fetch(`${signOutVia}/${slug}/staff`, { headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    await fetch(`${signOutVia}/${slug}/staff/logout`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf }),
      redirect: 'manual',
    });
  }
  return { ws, next, closed };
}

describe.each(DATABASE_KINDS)('live events on %s', (kind) => {
  const state = useDatabase(kind);
  let a: TestServer;
  let b: TestServer;
  let second: Database | undefined;
  beforeAll(async () => {
    if (state.skip) return;
    a = await startTestServer(state.db, { LIVE_SESSION_CHECK_SECONDS: '1' });
    // a second process on the same database: PostgreSQL gets its own pool; PGlite is one process anyway
    second = state.db.url ? await openDatabase({ url: state.db.url, poolSize: 5 }) : undefined;
    b = await startTestServer(second ?? state.db);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await second?.close();
  });

  it("tells a signed-in agent on one process about a booking made through another, and refreshes that process's free slots", async (t) => {
    if (state.skip) return t.skip();
    const db: TestDatabase = state.db;
    const { tenant, agents } = await smallTenant(db, { agents: 2 });
    const live = await staffSocket(a.base, tenant.slug, agents[0].email);
    const slotsOnA = async () => (await api(a.base, 'GET', `/api/v1/tenants/${tenant.slug}/procedures/tramit/slots?channel=video&days=5`)).json as Array<{ start: string; capacity: number }>;
    const [first] = await slotsOnA(); // A now holds a snapshot
    expect(first.capacity).toBe(2);
    const booked = await api(b.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(first.start));
    expect(booked.status).toBe(201);
    expect(await live.next('agenda.changed')).toEqual({ type: 'agenda.changed', change: 'booked' });
    expect((await slotsOnA()).find((s) => s.start === first.start)?.capacity).toBe(1);
    const token = booked.json.manageUrl.split('/manage/')[1];
    await api(b.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments/manage/${token}/cancel`);
    expect(await live.next('agenda.changed')).toEqual({ type: 'agenda.changed', change: 'cancelled' });
    live.ws.send(JSON.stringify({ type: 'ping' }));
    expect(await live.next('pong')).toEqual({ type: 'pong' });
    live.ws.close();
  });

  it('keeps town halls apart and refuses strangers and malformed frames', async (t) => {
    if (state.skip) return t.skip();
    const db: TestDatabase = state.db;
    const one = await smallTenant(db);
    const two = await smallTenant(db);
    const live = await staffSocket(a.base, one.tenant.slug, one.agents[0].email);
    const [slot] = (await api(b.base, 'GET', `/api/v1/tenants/${two.tenant.slug}/procedures/tramit/slots?channel=video&days=5`)).json;
    await api(b.base, 'POST', `/api/v1/tenants/${two.tenant.slug}/appointments`, bookingBody(slot.start));
    await expect(live.next('agenda.changed', 1500)).rejects.toThrow(/no agenda.changed/);

    live.ws.send('{"type":"take","id":1}');
    expect(await live.closed).toEqual({ code: 1008, reason: 'malformed message' });

    const big = await staffSocket(a.base, one.tenant.slug, one.agents[0].email);
    big.ws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(10_000) }));
    expect((await big.closed).code).toBe(1009);

    const stranger = new WebSocket(`${a.base.replace('http', 'ws')}/${one.tenant.slug}/staff/live`);
    const code = await new Promise<number>((resolve) => stranger.on('close', (c) => resolve(c)));
    expect(code).toBe(1008);

    const foreign = await staffSocket(a.base, one.tenant.slug, one.agents[0].email, undefined, 'https://evil.example');
    expect(await foreign.closed).toEqual({ code: 1008, reason: 'origin not allowed' });
  });

  it('disconnects a socket whose session ended (signed out on another process)', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, agents } = await smallTenant(state.db);
    const live = await staffSocket(a.base, tenant.slug, agents[0].email, b.base);
    expect(await live.closed).toEqual({ code: 1008, reason: 'session ended' });
  });
});
