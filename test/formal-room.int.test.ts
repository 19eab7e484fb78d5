/**
 * The formal procedure's room messages (docs/LIVE.md): the agent's live form and steps reach the
 * citizen and guests, across processes (a form over NOTIFY's 8000 bytes travels in parts); the
 * citizen's consent notice reaches the agent; nobody else may send them, and a form over 32 KB or
 * with fields the schema subset cannot have closes the socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../server/db/client.js';
import { joinQueue } from '../server/modules/attention/join-queue.js';
import { issuePass } from '../server/modules/attention/room-passes.js';
import { DATABASE_KINDS } from './support/databases.js';
import { liveSocket, staffCookie, staffCsrf } from './support/live-clients.js';
import { useDatabase } from './support/use-database.js';
import { api, smallTenant, startTestServer, type TestServer } from './support/test-server.js';

const ws = (base: string) => base.replace('http', 'ws');
const UUID = '0b6f3c1e-2a4d-4c8e-9f10-1234567890ab';

describe.each(DATABASE_KINDS)('formal procedure messages in a call room on %s', (kind) => {
  const state = useDatabase(kind);
  let a: TestServer;
  let b: TestServer;
  let second: Database | undefined;
  beforeAll(async () => {
    if (state.skip) return;
    a = await startTestServer(state.db);
    second = state.db.url ? await openDatabase({ url: state.db.url, poolSize: 5 }) : undefined;
    b = await startTestServer(second ?? state.db);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await second?.close();
  });

  /** A citizen in the virtual queue taken by the tenant's agent; the citizen on B, the agent on A. */
  async function callInCourse() {
    const t = await smallTenant(state.db, { agents: 1 });
    const slug = t.tenant.slug;
    const { attention, token } = await joinQueue(
      { database: state.db },
      { tenant: t.tenant, input: { procedure: 'tramit', channel: 'video', name: 'Laia Puig', email: 'laia@example.com', language: 'ca', priority: [], privacyAccepted: true, accessibility: { needs: [] } } },
    );
    const cookie = await staffCookie(a.base, slug, t.agents[0].email);
    const csrf = await staffCsrf(a.base, slug, cookie);
    const taken = await api(a.base, 'POST', `/${slug}/staff/console/api/attentions/take`, {}, { cookie, 'x-csrf-token': csrf });
    expect(taken.status).toBe(200);
    const citizen = liveSocket(`${ws(b.base)}/${slug}/room/${token}/live`);
    expect(await citizen.next('hello')).toMatchObject({ status: 'in_progress' });
    const agent = liveSocket(`${ws(a.base)}/${slug}/staff/attentions/${attention.id}/live`, { cookie });
    await agent.next('hello');
    await citizen.next('peer_joined');
    return { t, slug, attention, citizen, agent };
  }

  it('relays the live form and the steps from the agent, and the consent notice from the citizen, across processes', async (ctx) => {
    if (state.skip) return ctx.skip();
    const { citizen, agent } = await callInCourse();

    const data = { name: 'Laia Puig i Soler', amount: 12.5, urgent: true, notes: 'x'.repeat(1900), other: null };
    agent.send({ type: 'form_view', data });
    expect(await citizen.next('form_view')).toEqual({ type: 'form_view', data });

    // larger than one NOTIFY payload: goes in numbered parts and arrives whole
    const big: Record<string, string> = {};
    for (let i = 0; i < 10; i++) big[`field${i}`] = `${i}`.repeat(1500);
    agent.send({ type: 'form_view', data: big });
    expect((await citizen.next('form_view')).data).toEqual(big);

    agent.send({ type: 'filing_step', step: 'consent_request' });
    expect(await citizen.next('filing_step')).toEqual({ type: 'filing_step', step: 'consent_request' });
    citizen.send({ type: 'filing_consent', consentId: UUID });
    expect(await agent.next('filing_consent')).toEqual({ type: 'filing_consent', consentId: UUID });
    agent.send({ type: 'filing_step', step: 'filed', filingId: UUID });
    expect(await citizen.next('filing_step')).toEqual({ type: 'filing_step', step: 'filed', filingId: UUID });

    // the sender does not hear its own messages back
    await new Promise((r) => setTimeout(r, 300));
    expect(agent.messages.filter((m) => m.type === 'form_view' || m.type === 'filing_step')).toEqual([]);
    expect(citizen.messages.filter((m) => m.type === 'filing_consent')).toEqual([]);
    agent.ws.close();
    citizen.ws.close();
  });

  it('only the agent shows the form and moves the steps; only the citizen sends the consent notice; a guest neither', async (ctx) => {
    if (state.skip) return ctx.skip();
    const { t, slug, attention, citizen, agent } = await callInCourse();
    const guestToken = await issuePass({ database: state.db }, { tenantId: t.tenant.id, role: 'guest', attentionId: attention.id, label: 'Intèrpret', ttlMinutes: 60 });
    const guest = liveSocket(`${ws(a.base)}/${slug}/room/${guestToken}/live`);
    await guest.next('hello');

    // well-formed but not theirs: ignored (the socket stays), nothing reaches the others
    citizen.send({ type: 'form_view', data: { name: 'forged' } });
    citizen.send({ type: 'filing_step', step: 'filed', filingId: UUID });
    guest.send({ type: 'form_view', data: { name: 'forged' } });
    guest.send({ type: 'filing_consent', consentId: UUID });
    agent.send({ type: 'filing_consent', consentId: UUID });
    // a chat after them proves they were handled (messages of a peer are handled in order)
    citizen.send({ type: 'chat', text: 'fet' });
    guest.send({ type: 'chat', text: 'fet' });
    agent.send({ type: 'chat', text: 'fet' });
    for (const s of [agent, citizen, guest]) {
      for (let i = 0; i < 3; i++) await s.next('chat');
    }
    // the guest sees what the agent shows (an interpreter helps with the form)
    agent.send({ type: 'form_view', data: { name: 'Laia' } });
    expect((await guest.next('form_view')).data).toEqual({ name: 'Laia' });
    expect((await citizen.next('form_view')).data).toEqual({ name: 'Laia' });
    await new Promise((r) => setTimeout(r, 300));
    expect(agent.messages.filter((m) => ['form_view', 'filing_step', 'filing_consent'].includes(m.type))).toEqual([]);
    expect(citizen.messages.filter((m) => ['form_view', 'filing_step', 'filing_consent'].includes(m.type))).toEqual([]);
    expect(guest.messages.filter((m) => ['form_view', 'filing_step', 'filing_consent'].includes(m.type))).toEqual([]);
    for (const s of [agent, citizen, guest]) expect(s.ws.readyState).toBe(s.ws.OPEN);
    agent.ws.close();
    citizen.ws.close();
    guest.ws.close();
  });

  it.for([
    ['a form over 32 KB', { type: 'form_view', data: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, 'x'.repeat(1800)])) }],
    ['a field name outside the subset', { type: 'form_view', data: { 'Bad-Name': 'x' } }],
    ['a nested value', { type: 'form_view', data: { name: { first: 'x' } } }],
    ['more than 40 fields', { type: 'form_view', data: Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`f${i}`, 1])) }],
    ['an unknown step', { type: 'filing_step', step: 'sealed' }],
    ['a filing id that is not one', { type: 'filing_step', step: 'filed', filingId: '../x' }],
  ] as Array<[string, unknown]>)('closes the socket of an agent who sends %s', async ([, msg], ctx) => {
    if (state.skip) return ctx.skip();
    const { citizen, agent } = await callInCourse();
    agent.send(msg);
    expect((await agent.closed).code).toBe(1008);
    await new Promise((r) => setTimeout(r, 200));
    expect(citizen.messages.filter((m) => m.type === 'form_view' || m.type === 'filing_step')).toEqual([]);
    citizen.ws.close();
  });

  it('closes the socket of a citizen whose consent notice names no consent', async (ctx) => {
    if (state.skip) return ctx.skip();
    const { citizen, agent } = await callInCourse();
    citizen.send({ type: 'filing_consent', consentId: 'not-a-uuid' });
    expect((await citizen.closed).code).toBe(1008);
    agent.ws.close();
  });
});
