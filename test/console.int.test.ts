import { sql } from 'drizzle-orm';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinQueue, queueEntryInput } from '../server/modules/attention/join-queue.js';
import type { Tenant } from '../server/modules/tenants/tenants.repository.js';
import { DATABASE_KINDS } from './support/databases.js';
import { useDatabase } from './support/use-database.js';
import { smallTenant, startTestServer, type TestServer } from './support/test-server.js';

type Agent = { cookie: string; csrf: string; id: string };

/** Signs in through the staff page and reads the CSRF token the console page hands its script. */
async function signIn(base: string, slug: string, email: string, id: string): Promise<Agent> {
  const res = await fetch(`${base}/${slug}/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password: 'correct horse battery staple' }),
    redirect: 'manual',
  });
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  const page = await fetch(`${base}/${slug}/staff/console?lang=en`, { headers: { cookie } });
  expect(page.status).toBe(200);
  const csrf = /"csrf":"([^"]+)"/.exec(await page.text())![1];
  return { cookie, csrf, id };
}

/** The browser console API as console.js calls it (page session cookie, CSRF header on changes, the page language). */
async function consoleApi(base: string, slug: string, who: Agent | undefined, method: string, path: string, body?: unknown, o: { csrf?: boolean } = {}) {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (who) headers.cookie = who.cookie;
  if (who && method !== 'GET' && o.csrf !== false) headers['x-csrf-token'] = who.csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}/${slug}/staff/console/api${path}?lang=en`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** A staff socket that keeps what it hears. */
async function listen(base: string, slug: string, who: Agent) {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/${slug}/staff/live`, { headers: { cookie: who.cookie } });
  const messages: Array<Record<string, unknown>> = [];
  ws.on('message', (d) => messages.push(JSON.parse(String(d))));
  async function next(match: (m: Record<string, unknown>) => boolean, ms = 5000) {
    const until = Date.now() + ms;
    for (;;) {
      const i = messages.findIndex(match);
      if (i >= 0) return messages.splice(i, 1)[0];
      if (Date.now() > until) throw new Error(`not heard; got ${JSON.stringify(messages)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await next((m) => m.type === 'hello');
  return { ws, next };
}

async function enqueue(database: Parameters<typeof joinQueue>[0]['database'], tenant: Tenant, name: string, priority: string[] = []) {
  const { attention } = await joinQueue(
    { database },
    { tenant, input: queueEntryInput.parse({ procedure: 'tramit', channel: 'callback', name, phone: '+34 612 345 678', email: 'citizen@example.com', language: 'ca', privacyAccepted: true, priority }) },
  );
  return attention.id;
}

describe.each(DATABASE_KINDS)('agent console on %s', (kind) => {
  const state = useDatabase(kind);
  let server: TestServer;
  beforeAll(async () => {
    if (state.skip) return;
    server = await startTestServer(state.db);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function town(agents = 2) {
    const t = await smallTenant(state.db, { agents });
    const signed = await Promise.all(t.agents.map((a) => signIn(server.base, t.tenant.slug, a.email, a.id)));
    const call = (who: Agent | undefined, method: string, path: string, body?: unknown, o?: { csrf?: boolean }) => consoleApi(server.base, t.tenant.slug, who, method, path, body, o);
    return { ...t, signed, call };
  }

  it('serves the page to signed-in staff only and the API to sessions only', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, call } = await town(1);
    const page = await fetch(`${server.base}/${tenant.slug}/staff/console?lang=en`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe(`/${tenant.slug}/staff/login?lang=en`);
    expect((await call(undefined, 'GET', '/console')).status).toBe(401);
  });

  it('takes the next citizen by priority first, then by due time; or a chosen one', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, signed, call } = await town(4);
    const first = await enqueue(state.db, tenant, 'Anna First');
    const elder = await enqueue(state.db, tenant, 'Berta Elder', ['over_65']);
    const due = await enqueue(state.db, tenant, 'Carla Due');
    const chosen = await enqueue(state.db, tenant, 'Dora Chosen');
    // Carla was due before Anna (a call-back whose time came earlier)
    await state.db.rows(sql`UPDATE attentions SET due_at = now() - interval '10 minutes' WHERE id = ${due}`);

    const view = await call(signed[0], 'GET', '/console');
    expect(view.status).toBe(200);
    expect(view.json.queue.map((r: { citizenName: string }) => r.citizenName)).toEqual(['Berta Elder', 'Carla Due', 'Anna First', 'Dora Chosen']);
    expect(view.json.queue[0]).toMatchObject({ status: 'waiting', channel: 'callback', source: 'queue', priorityReasons: ['over_65'], phone: '+34612345678', callLink: 'tel:%2B34612345678' });
    expect(Math.abs(Date.parse(view.json.serverTime) - Date.now())).toBeLessThan(5000);
    expect(view.json.typologies).toHaveLength(6);

    const picked = await call(signed[3], 'POST', '/attentions/take', { attentionId: chosen });
    expect(picked.status).toBe(200);
    expect(picked.json.attention).toMatchObject({ id: chosen, status: 'in_progress', agentId: signed[3].id, agentName: 'Agent 3' });

    const order = [];
    for (const who of signed.slice(0, 3)) {
      const res = await call(who, 'POST', '/attentions/take', {});
      expect(res.status).toBe(200);
      order.push(res.json.attention.id);
    }
    expect(order).toEqual([elder, due, first]);

    const me = (await call(signed[0], 'GET', '/console')).json;
    expect(me.me.state).toBe('busy');
    expect(me.queue.filter((r: { status: string }) => r.status === 'waiting')).toEqual([]);
    const extra = await town(1);
    expect((await extra.call(extra.signed[0], 'POST', '/attentions/take', {})).json.code).toBe('queue_empty');
  });

  it('gives a citizen to exactly one of two agents who race for them; a busy agent cannot take another', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, signed, call } = await town(2);
    const one = await enqueue(state.db, tenant, 'Elena Race');
    const two = await enqueue(state.db, tenant, 'Fina Later');
    const results = await Promise.all(signed.map((who) => call(who, 'POST', '/attentions/take', { attentionId: one })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = results.find((r) => r.status === 409)!;
    expect(loser.json).toMatchObject({ code: 'attention_taken' });
    expect(loser.json.message).toBe('Another agent has already taken this citizen.');

    const winner = signed[results.findIndex((r) => r.status === 200)];
    const busy = await call(winner, 'POST', '/attentions/take', { attentionId: two });
    expect(busy.status).toBe(409);
    expect(busy.json.code).toBe('agent_busy');
    expect((await call(winner, 'POST', '/attentions/take', {})).json.code).toBe('agent_busy');
    // the other citizen still waits
    const view = (await call(winner, 'GET', '/console')).json;
    expect(view.queue.find((r: { id: string }) => r.id === two).status).toBe('waiting');
  });

  it('closes with a known consultation type and outcome; the agent is available again', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, signed, call } = await town(1);
    const id = await enqueue(state.db, tenant, 'Gina Close');
    expect((await call(signed[0], 'POST', '/attentions/take', { attentionId: id })).status).toBe(200);
    const typology = (await call(signed[0], 'GET', '/console')).json.typologies[0].id;

    const unknown = await call(signed[0], 'POST', `/attentions/${id}/close`, { typology: '00000000-0000-4000-8000-000000000000', outcome: 'resolved' });
    expect(unknown.status).toBe(422);
    expect(unknown.json.code).toBe('typology_not_found');
    const bad = await call(signed[0], 'POST', `/attentions/${id}/close`, { typology, outcome: 'sort_of' });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('validation_failed');
    const missing = await call(signed[0], 'POST', `/attentions/${id}/close`, { outcome: 'resolved' });
    expect(missing.status).toBe(400);

    const closed = await call(signed[0], 'POST', `/attentions/${id}/close`, { typology, outcome: 'follow_up', notes: 'Bring the form.' });
    expect(closed.status).toBe(204);
    const view = (await call(signed[0], 'GET', '/console')).json;
    expect(view.me.state).toBe('available');
    expect(view.queue).toEqual([]);
    const [row] = await state.db.rows<{ status: string; outcome: string; notes: string; typology_id: string }>(sql`SELECT status, outcome, notes, typology_id FROM attentions WHERE id = ${id}`);
    expect(row).toEqual({ status: 'closed', outcome: 'follow_up', notes: 'Bring the form.', typology_id: typology });
    // once closed, it cannot be closed again
    expect((await call(signed[0], 'POST', `/attentions/${id}/close`, { typology, outcome: 'resolved' })).json.code).toBe('attention_not_active');
  });

  it('refuses changes without the CSRF token', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, signed, call } = await town(1);
    const id = await enqueue(state.db, tenant, 'Helena Csrf');
    for (const [path, body] of [
      ['/presence', { state: 'available' }],
      ['/attentions/take', { attentionId: id }],
      [`/attentions/${id}/close`, { typology: '00000000-0000-4000-8000-000000000000', outcome: 'resolved' }],
    ] as const) {
      const res = await call(signed[0], 'POST', path, body, { csrf: false });
      expect(res.status, path).toBe(403);
      expect(res.json.code).toBe('csrf_failed');
    }
    const wrong = await consoleApi(server.base, tenant.slug, { ...signed[0], csrf: 'x'.repeat(signed[0].csrf.length) }, 'POST', '/presence', { state: 'pause' });
    expect(wrong.status).toBe(403);
    const view = (await call(signed[0], 'GET', '/console')).json;
    expect(view.me.state).toBe('offline');
    expect(view.queue[0].status).toBe('waiting');
  });

  it("keeps town halls apart: another town hall's attention is not found and not listed", async (t) => {
    if (state.skip) return t.skip();
    const here = await town(1);
    const there = await town(1);
    const theirs = await enqueue(state.db, there.tenant, 'Irene Elsewhere');
    expect((await here.call(here.signed[0], 'GET', '/console')).json.queue).toEqual([]);
    const take = await here.call(here.signed[0], 'POST', '/attentions/take', { attentionId: theirs });
    expect(take.status).toBe(404);
    expect(take.json.code).toBe('attention_not_found');
    const typology = (await here.call(here.signed[0], 'GET', '/console')).json.typologies[0].id;
    const close = await here.call(here.signed[0], 'POST', `/attentions/${theirs}/close`, { typology, outcome: 'resolved' });
    expect(close.status).toBe(404);
    expect(close.json.code).toBe('attention_not_found');
    const invite = await here.call(here.signed[0], 'POST', `/attentions/${theirs}/invite`, { label: 'Interpreter' });
    expect(invite.status).toBe(404);
    expect(invite.json.code).toBe('attention_not_found');
    // the other town hall's session does not work here either
    expect((await consoleApi(server.base, here.tenant.slug, there.signed[0], 'GET', '/console')).status).toBe(401);
    const view = (await there.call(there.signed[0], 'GET', '/console')).json;
    expect(view.queue).toMatchObject([{ id: theirs, status: 'waiting', agentId: null }]);
  });

  it('tells the other agents about presence changes and takes on the staff socket', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, signed, agents, call } = await town(2);
    const colleague = await listen(server.base, tenant.slug, signed[1]);
    expect((await call(signed[0], 'POST', '/presence', { state: 'available' })).status).toBe(204);
    expect(await colleague.next((m) => m.type === 'presence.changed')).toEqual({ type: 'presence.changed', staffId: agents[0].id, state: 'available' });
    expect((await call(signed[0], 'POST', '/presence', { state: 'pause' })).status).toBe(204);
    expect(await colleague.next((m) => m.type === 'presence.changed')).toEqual({ type: 'presence.changed', staffId: agents[0].id, state: 'pause' });
    const view = (await call(signed[1], 'GET', '/console')).json;
    expect(view.presence.find((p: { staffId: string }) => p.staffId === agents[0].id).state).toBe('pause');

    const id = await enqueue(state.db, tenant, 'Julia Live');
    await colleague.next((m) => m.type === 'queue.changed');
    await call(signed[0], 'POST', '/attentions/take', { attentionId: id });
    expect(await colleague.next((m) => m.type === 'attention.changed')).toEqual({ type: 'attention.changed', attentionId: id, status: 'in_progress' });
    expect(await colleague.next((m) => m.type === 'presence.changed')).toEqual({ type: 'presence.changed', staffId: agents[0].id, state: 'busy' });
    colleague.ws.close();
  });
});
