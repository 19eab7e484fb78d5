import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../server/db/client.js';
import { joinQueue } from '../server/modules/attention/join-queue.js';
import { issuePass } from '../server/modules/attention/room-passes.js';
import { insertAppointment } from './support/appointments.js';
import { DATABASE_KINDS } from './support/databases.js';
import { liveSocket, staffCookie, staffCsrf } from './support/live-clients.js';
import { useDatabase } from './support/use-database.js';
import { api, smallTenant, startTestServer, type TestServer } from './support/test-server.js';

type Small = Awaited<ReturnType<typeof smallTenant>>;

const ws = (base: string) => base.replace('http', 'ws');

describe.each(DATABASE_KINDS)('call rooms on %s', (kind) => {
  const state = useDatabase(kind);
  let a: TestServer;
  let b: TestServer;
  let second: Database | undefined;
  beforeAll(async () => {
    if (state.skip) return;
    a = await startTestServer(state.db);
    // a second process on the same database (PostgreSQL: its own pool and LISTEN connection)
    second = state.db.url ? await openDatabase({ url: state.db.url, poolSize: 5 }) : undefined;
    b = await startTestServer(second ?? state.db);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await second?.close();
  });

  async function queueCitizen(t: Small, name = 'Pere Soler', priority: Array<'over_65'> = []) {
    const { attention, token } = await joinQueue(
      { database: state.db },
      { tenant: t.tenant, input: { procedure: 'tramit', channel: 'video', name, email: 'pere@example.com', language: 'ca', priority, privacyAccepted: true, accessibility: { needs: [] } } },
    );
    return { attention, token };
  }

  async function console(base: string, t: Small, i = 0) {
    const cookie = await staffCookie(base, t.tenant.slug, t.agents[i].email);
    const csrf = await staffCsrf(base, t.tenant.slug, cookie);
    const call = (method: string, path: string, body?: unknown) =>
      api(base, method, `/${t.tenant.slug}/staff/console/api${path}`, body, { cookie, 'x-csrf-token': csrf });
    return { cookie, csrf, call };
  }

  it('a citizen on one process and the agent on another: queue place, take, join, signaling (large SDP in parts), chat', async (ctx) => {
    if (state.skip) return ctx.skip();
    const t = await smallTenant(state.db, { agents: 1 });
    const slug = t.tenant.slug;
    const first = await queueCitizen(t, 'Anna Vives');
    const second = await queueCitizen(t, 'Joan Mas', ['over_65']);

    const citizen = liveSocket(`${ws(b.base)}/${slug}/room/${first.token}/live`);
    const hello = await citizen.next('hello');
    expect(hello).toMatchObject({ status: 'waiting', room: first.attention.id, you: { role: 'citizen' } });
    // the over-65 citizen goes first: Anna is second
    expect(await citizen.next('queue')).toMatchObject({ position: 2 });

    const agent = await console(a.base, t);
    const taken = await agent.call('POST', '/attentions/take', {});
    expect(taken.status).toBe(200);
    expect(taken.json.attention.id).toBe(second.attention.id);
    // (earlier queue changes may still announce place 2 first)
    expect(await citizen.next('queue', 5000, (m) => m.position === 1)).toMatchObject({ position: 1 });
    const chosen = await agent.call('POST', '/attentions/take', { attentionId: first.attention.id });
    expect(chosen.json?.code, chosen.text).toBe('agent_busy');
    await agent.call('POST', `/attentions/${second.attention.id}/close`, { typology: (await typology(t)).id, outcome: 'resolved' });
    expect((await agent.call('POST', '/attentions/take', { attentionId: first.attention.id })).status).toBe(200);
    expect(await citizen.next('status')).toMatchObject({ status: 'in_progress' });

    const room = liveSocket(`${ws(a.base)}/${slug}/staff/attentions/${first.attention.id}/live`, { cookie: agent.cookie });
    const agentHello = await room.next('hello');
    expect(agentHello.you.role).toBe('agent');
    const joined = await citizen.next('peer_joined');
    expect(joined.peer).toEqual(agentHello.you);
    // the agent, on the other process, hears that the citizen is already there
    expect((await room.next('peer_present')).peer).toEqual(hello.you);

    const sdp = `v=0\r\n${'a=candidate:1 1 udp 2122260223 192.168.1.10 54400 typ host generation 0\r\n'.repeat(300)}`;
    expect(sdp.length).toBeGreaterThan(20_000);
    citizen.send({ type: 'signal', to: agentHello.you.id, description: { type: 'offer', sdp } });
    const offer = await room.next('signal');
    expect(offer).toEqual({ type: 'signal', from: hello.you.id, description: { type: 'offer', sdp } });

    room.send({ type: 'chat', text: 'Bon dia! Mireu https://seu.example.cat/tramit' });
    expect(await citizen.next('chat')).toMatchObject({ role: 'agent', text: 'Bon dia! Mireu https://seu.example.cat/tramit' });
    expect(await room.next('chat')).toMatchObject({ role: 'agent' });

    // a reconnecting citizen gets the chat so far
    const again = liveSocket(`${ws(a.base)}/${slug}/room/${first.token}/live`);
    expect((await again.next('hello')).chat).toEqual([expect.objectContaining({ role: 'agent', text: 'Bon dia! Mireu https://seu.example.cat/tramit' })]);
    again.ws.close();

    room.send({ type: 'connected' });
    room.send({ type: 'hangup' });
    await citizen.next('call_ended');
    const [row] = await state.db.rows<{ connected_at: Date | null; ended_at: Date | null }>(sql`SELECT connected_at, ended_at FROM attentions WHERE id = ${first.attention.id}`);
    expect(row.connected_at).not.toBeNull();
    expect(row.ended_at).not.toBeNull();
    room.ws.close();
    citizen.ws.close();
  });

  it('consent: asked by the agent, answered by the citizen, stored with the text in the citizen language', async (ctx) => {
    if (state.skip) return ctx.skip();
    const t = await smallTenant(state.db, { agents: 1 });
    const q = await queueCitizen(t);
    const agent = await console(a.base, t);
    await agent.call('POST', '/attentions/take', {});
    const citizen = liveSocket(`${ws(b.base)}/${t.tenant.slug}/room/${q.token}/live`);
    await citizen.next('hello');
    const room = liveSocket(`${ws(a.base)}/${t.tenant.slug}/staff/attentions/${q.attention.id}/live`, { cookie: agent.cookie });
    await room.next('hello');
    room.send({ type: 'consent_request' });
    expect((await citizen.next('consent_request')).text).toMatch(/enregistra/);
    citizen.send({ type: 'consent_answer', given: true });
    const consent = await room.next('consent');
    expect(consent).toMatchObject({ given: true, recordingId: expect.any(String) });
    const [rec] = await state.db.rows<{ consent_text: string; attention_id: string }>(sql`SELECT consent_text, attention_id FROM recordings WHERE id = ${consent.recordingId}`);
    expect(rec.attention_id).toBe(q.attention.id);
    expect(rec.consent_text).toMatch(/Esteu d'acord/);
    room.ws.close();
    citizen.ws.close();
  });

  it('a booked citizen waits in the lobby until the room opens, then enters and the console hears it', async (ctx) => {
    if (state.skip) return ctx.skip();
    const t = await smallTenant(state.db, { agents: 1 });
    const soon = await bookedVideo(t, 5);
    const later = await bookedVideo(t, 60);
    const staff = liveSocket(`${ws(a.base)}/${t.tenant.slug}/staff/live`, { cookie: await staffCookie(a.base, t.tenant.slug, t.agents[0].email) });
    await staff.next('hello');

    const early = liveSocket(`${ws(b.base)}/${t.tenant.slug}/room/${later.token}/live`);
    expect(await early.next('hello')).toMatchObject({ status: 'lobby', room: null });
    early.send({ type: 'enter' });
    expect(Date.parse((await early.next('room_opens')).opensAt)).toBe(later.startsAt.getTime() - 10 * 60_000);

    const citizen = liveSocket(`${ws(b.base)}/${t.tenant.slug}/room/${soon.token}/live`);
    expect(await citizen.next('hello')).toMatchObject({ status: 'lobby' });
    citizen.send({ type: 'enter' });
    expect(await citizen.next('status')).toMatchObject({ status: 'waiting' });
    expect(await citizen.next('queue')).toMatchObject({ position: 1 });
    await staff.next('queue.changed');
    const agent = await console(a.base, t);
    const view = await agent.call('GET', '/console');
    expect(view.json.queue).toEqual([expect.objectContaining({ source: 'appointment', channel: 'video', citizenName: 'Núria Prats', status: 'waiting' })]);
    // entering twice keeps one attention
    const twice = liveSocket(`${ws(a.base)}/${t.tenant.slug}/room/${soon.token}/live`);
    expect(await twice.next('hello')).toMatchObject({ status: 'waiting' });
    const [{ n }] = await state.db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM attentions WHERE tenant_id = ${t.tenant.id}`);
    expect(n).toBe(1);
    for (const s of [early, citizen, twice, staff]) s.ws.close();
  });

  it('a server restart during a call keeps the attention, the chat and the room: both sides come back to it', async (ctx) => {
    if (state.skip) return ctx.skip();
    const t = await smallTenant(state.db, { agents: 1 });
    const q = await queueCitizen(t);
    const restarting = await startTestServer(state.db);
    const agent = await console(restarting.base, t);
    await agent.call('POST', '/attentions/take', {});
    const room = liveSocket(`${ws(restarting.base)}/${t.tenant.slug}/staff/attentions/${q.attention.id}/live?peer=agent-peer-1`, { cookie: agent.cookie });
    const agentId = (await room.next('hello')).you.id;
    const citizen = liveSocket(`${ws(restarting.base)}/${t.tenant.slug}/room/${q.token}/live?peer=citizen-peer-1`);
    const citizenId = (await citizen.next('hello')).you.id;

    // somebody else proposing the agent's nonce gets an id of their own; the agent stays connected
    const impostor = liveSocket(`${ws(restarting.base)}/${t.tenant.slug}/room/${q.token}/live?peer=agent-peer-1`);
    expect((await impostor.next('hello')).you.id).not.toBe(agentId);
    impostor.ws.close();
    await room.next('peer_left');
    expect(room.ws.readyState).toBe(room.ws.OPEN);
    citizen.send({ type: 'chat', text: 'Em sentiu?' });
    await room.next('chat');

    await restarting.close();
    expect((await room.closed).code).toBeGreaterThanOrEqual(1000);
    await citizen.closed;
    const back = await startTestServer(state.db);
    try {
      // the same peers reconnect (same ids), to the new process
      const room2 = liveSocket(`${ws(back.base)}/${t.tenant.slug}/staff/attentions/${q.attention.id}/live?peer=agent-peer-1`, { cookie: agent.cookie });
      const hello = await room2.next('hello');
      expect(hello).toMatchObject({ status: 'in_progress', room: q.attention.id, you: { id: agentId } });
      expect(hello.chat).toEqual([expect.objectContaining({ role: 'citizen', text: 'Em sentiu?' })]);
      const citizen2 = liveSocket(`${ws(back.base)}/${t.tenant.slug}/room/${q.token}/live?peer=citizen-peer-1`);
      expect(await citizen2.next('hello')).toMatchObject({ status: 'in_progress', you: { id: citizenId }, peers: [expect.objectContaining({ id: agentId })] });
      expect((await room2.next('peer_joined')).peer.id).toBe(citizenId);
      room2.ws.close();
      citizen2.ws.close();
    } finally {
      await back.close();
    }
  });

  it('keeps rooms and town halls apart and closes on bad frames', async (ctx) => {
    if (state.skip) return ctx.skip();
    const one = await smallTenant(state.db, { agents: 2 });
    const two = await smallTenant(state.db, { agents: 1 });
    const q = await queueCitizen(one);
    const other = await queueCitizen(one, 'Marta Riu');

    // a pass of one town hall under another's address
    const wrongTenant = liveSocket(`${ws(a.base)}/${two.tenant.slug}/room/${q.token}/live`);
    expect(await wrongTenant.closed).toEqual({ code: 1008, reason: 'access denied' });
    const forged = liveSocket(`${ws(a.base)}/${one.tenant.slug}/room/${'x'.repeat(43)}/live`);
    expect(await forged.closed).toEqual({ code: 1008, reason: 'access denied' });

    // agent 0 takes q; agent 1 may not enter that room; nor may another town hall's agent
    const mine = await console(a.base, one, 0);
    await mine.call('POST', '/attentions/take', { attentionId: q.attention.id });
    const intruder = await console(a.base, one, 1);
    const nope = liveSocket(`${ws(a.base)}/${one.tenant.slug}/staff/attentions/${q.attention.id}/live`, { cookie: intruder.cookie });
    expect(await nope.closed).toEqual({ code: 1008, reason: 'not your attention' });
    const foreign = await console(a.base, two, 0);
    const nope2 = liveSocket(`${ws(a.base)}/${one.tenant.slug}/staff/attentions/${q.attention.id}/live`, { cookie: foreign.cookie });
    expect((await nope2.closed).code).toBe(1008);

    // a waiting citizen cannot signal anyone
    const waiting = liveSocket(`${ws(a.base)}/${one.tenant.slug}/room/${other.token}/live`);
    const wHello = await waiting.next('hello');
    const room = liveSocket(`${ws(a.base)}/${one.tenant.slug}/staff/attentions/${q.attention.id}/live`, { cookie: mine.cookie });
    const rHello = await room.next('hello');
    waiting.send({ type: 'signal', to: rHello.you.id, description: { type: 'offer', sdp: 'v=0' } });
    waiting.send({ type: 'chat', text: 'hola?' });
    await expect(room.next('signal', 800)).rejects.toThrow(/no signal/);
    expect(wHello.room).toBe(other.attention.id);

    // malformed, oversized, binary
    waiting.send('{"type":"signal","to":"../../etc"}');
    expect(await waiting.closed).toEqual({ code: 1008, reason: 'malformed message' });
    const big = liveSocket(`${ws(a.base)}/${one.tenant.slug}/staff/attentions/${q.attention.id}/live`, { cookie: mine.cookie });
    await big.next('hello');
    big.send({ type: 'chat', text: 'x'.repeat(70_000) });
    expect((await big.closed).code).toBe(1009);
    const evil = liveSocket(`${ws(a.base)}/${one.tenant.slug}/room/${q.token}/live`, { origin: 'https://evil.example' });
    expect(await evil.closed).toEqual({ code: 1008, reason: 'origin not allowed' });
    room.ws.close();
  });

  async function typology(t: Small) {
    const [row] = await state.db.rows<{ id: string }>(sql`SELECT id FROM typologies WHERE tenant_id = ${t.tenant.id} ORDER BY position LIMIT 1`);
    return row;
  }

  /** A booked video appointment starting in `minutes` (written directly: booking rules forbid short notice) and its citizen's pass. */
  async function bookedVideo(t: Small, minutes: number) {
    const startsAt = new Date(Math.ceil((Date.now() + minutes * 60_000) / 60_000) * 60_000);
    const { id } = await insertAppointment(state.db, { tenantId: t.tenant.id, procedureId: t.procedure.id, agentId: t.agents[0].id, channel: 'video', startsAt, email: 'nuria@example.com' });
    const token = await issuePass({ database: state.db }, { tenantId: t.tenant.id, role: 'citizen', appointmentId: id, ttlMinutes: 180 });
    return { id, token, startsAt };
  }
});
