import { sql } from 'drizzle-orm';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuePass } from '../server/modules/attention/room-passes.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { useDatabase } from './support/use-database.js';
import { api, bookingBody, smallTenant, startTestServer, type TestServer } from './support/test-server.js';
import { getPage as get, postForm } from './support/pages.js';

/** The first message of `type` on a room socket. */
function firstMessage(url: string, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error(`no ${type}`)), 5000);
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.type === type) {
        clearTimeout(timer);
        ws.close();
        resolve(m);
      }
    });
    ws.on('close', (code) => reject(new Error(`closed ${code}`)));
  });
}

const validQueue = (over: Record<string, string> = {}): Array<[string, string]> => {
  const base: Record<string, string> = { procedure: 'tramit', channel: 'video', name: 'Rosa Vidal', email: 'rosa@example.com', phone: '', privacyAccepted: 'yes', lang: 'en', ...over };
  return Object.entries(base);
};

describe.each(DATABASE_KINDS)('room and queue pages on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  let server: TestServer;
  let limited: TestServer;
  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    server = await startTestServer(db, { RATE_LIMIT_QUEUE_PER_MINUTE: '100000' });
    limited = await startTestServer(db, { RATE_LIMIT_QUEUE_PER_MINUTE: '2' });
  });
  afterAll(async () => {
    await server?.close();
    await limited?.close();
  });

  it('answers 404 for unknown, malformed and foreign room passes, and never opens the room with an invitation', async (t) => {
    if (state.skip) return t.skip();
    const { tenant } = await smallTenant(db);
    const other = await smallTenant(db);
    for (const token of ['x'.repeat(43), 'short', 'a%00b'.padEnd(50, 'c'), 'é'.repeat(44), '..%2F..%2Fetc']) {
      const r = await get(server.base, `/${tenant.slug}/room/${token}`);
      expect(r.status, token).toBe(404);
      expect(r.type).toContain('text/html');
    }
    expect((await get(server.base, `/no-such-town/room/${'x'.repeat(43)}`)).status).toBe(404);
    expect((await get(server.base, `/${tenant.slug}/room/${'A'.repeat(300)}`)).status).toBe(414);

    const joined = await postForm(server.base, `/${tenant.slug}/queue`, validQueue());
    expect(joined.status).toBe(303);
    const citizenToken = joined.location!.split('/room/')[1];
    // another town hall's slug does not open this town hall's pass
    expect((await get(server.base, `/${other.tenant.slug}/room/${citizenToken}`)).status).toBe(404);

    const [{ id: attentionId }] = await db.rows<{ id: string }>(sql`SELECT id FROM attentions WHERE tenant_id = ${tenant.id}`);
    const invite = await issuePass({ database: db }, { tenantId: tenant.id, role: 'invite', attentionId, label: 'Intèrpret', ttlMinutes: 60 });
    expect((await get(server.base, `/${tenant.slug}/room/${invite}`)).status).toBe(404);
    const expired = await issuePass({ database: db }, { tenantId: tenant.id, role: 'citizen', attentionId, ttlMinutes: -1 });
    expect((await get(server.base, `/${tenant.slug}/room/${expired}`)).status).toBe(404);
  });

  it('exchanges an invitation once for a guest pass; a used or unknown one says so with 410', async (t) => {
    if (state.skip) return t.skip();
    const { tenant } = await smallTenant(db);
    const joined = await postForm(server.base, `/${tenant.slug}/queue`, validQueue());
    const [{ id: attentionId }] = await db.rows<{ id: string }>(sql`SELECT id FROM attentions WHERE tenant_id = ${tenant.id}`);
    const invite = await issuePass({ database: db }, { tenantId: tenant.id, role: 'invite', attentionId, label: 'Intèrpret de signes', ttlMinutes: 60 });

    // opening the link (a mail scanner, a link preview) does not use it up: only the button does
    for (let i = 0; i < 2; i++) {
      const shown = await get(server.base, `/${tenant.slug}/guest/${invite}?lang=en`);
      expect(shown.status).toBe(200);
      expect(shown.text).toContain('You will join as: Intèrpret de signes.');
    }
    const first = await postForm(server.base, `/${tenant.slug}/guest/${invite}?lang=en`, []);
    expect(first.status).toBe(303);
    expect(first.location).toMatch(new RegExp(`^/${tenant.slug}/room/[A-Za-z0-9_-]{43}$`));
    const room = await get(server.base, first.location!, { 'accept-language': 'en' });
    expect(room.status).toBe(200);
    expect(room.text).toContain('Video call with the town hall');
    expect(room.text).toContain('Join the call');
    expect(room.text).not.toContain('Rosa Vidal');
    expect(room.text).toContain('"role":"guest"');

    for (const token of [invite, 'y'.repeat(43), 'bad']) {
      for (const again of [
        await get(server.base, `/${tenant.slug}/guest/${token}`, { 'accept-language': 'en' }),
        await postForm(server.base, `/${tenant.slug}/guest/${token}`, [], { 'accept-language': 'en' }),
      ]) {
        expect(again.status, token).toBe(410);
        expect(again.text).toContain('This link has already been used or has expired');
      }
    }
    expect(joined.status).toBe(303);
  });

  it('shows the room of a queue entry with its procedure, socket path and the strings for the script', async (t) => {
    if (state.skip) return t.skip();
    const { tenant } = await smallTenant(db);
    const joined = await postForm(server.base, `/${tenant.slug}/queue`, validQueue({ channel: 'callback', phone: '612 345 678', email: '' }));
    expect(joined.status).toBe(303);
    const room = await get(server.base, joined.location!, { 'accept-language': 'es' });
    expect(room.status).toBe(200);
    expect(room.text).toContain('<html lang="es"');
    expect(room.text).toContain('Trámite');
    expect(room.text).toContain(`"ws":"${joined.location}/live"`);
    expect(room.text).toContain('"mode":"callback"');
    expect(room.text).toContain('"queue":true');
    expect(room.text).toContain('Salir de la cola');
    expect(room.text).toContain('src="/assets/call.js"');
    expect(room.text).toContain('href="/assets/room.css"');
    // the JSON block cannot end its <script> early
    const json = /<script type="application\/json" id="room-data">([^<]*)<\/script>/.exec(room.text);
    expect(json).not.toBeNull();
    expect(JSON.parse(json![1]).strings['room.position']).toBe('Su turno en la cola: {position}');
  });

  it('sends a booked video citizen from the join form to the room; call-back appointments keep the joined page; wrong codes learn nothing', async (t) => {
    if (state.skip) return t.skip();
    const { tenant } = await smallTenant(db);
    const slots = (await api(server.base, 'GET', `/api/v1/tenants/${tenant.slug}/procedures/tramit/slots?channel=video&days=10`)).json as Array<{ start: string }>;
    const video = await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(slots[0].start));
    expect(video.status).toBe(201);
    const callback = await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(slots[1].start, { channel: 'callback', phone: '612 345 678' }));
    expect(callback.status).toBe(201);

    const ok = await postForm(server.base, `/${tenant.slug}/join`, [['reference', video.json.reference], ['code', video.json.accessCode]]);
    expect(ok.status).toBe(303);
    expect(ok.location).toMatch(new RegExp(`^/${tenant.slug}/room/[A-Za-z0-9_-]{43}$`));
    const room = await get(server.base, ok.location!, { 'accept-language': 'en' });
    expect(room.status).toBe(200);
    expect(room.text).toContain(video.json.reference);
    expect(room.text).toContain('Check my camera and microphone');
    expect(room.text).toContain('The waiting room opens on');
    expect(room.text).toContain('ID card');
    const [{ expires_at }] = await db.rows<{ expires_at: Date }>(sql`SELECT expires_at FROM room_passes WHERE tenant_id = ${tenant.id} AND role = 'citizen'`);
    const expected = Date.parse(video.json.end) + 3 * 3_600_000;
    expect(Math.abs(new Date(expires_at).getTime() - expected)).toBeLessThan(2 * 60_000);

    // the pass works on the room socket: the citizen waits in the lobby until the room opens
    const hello = await firstMessage(`${server.base.replace('http', 'ws')}${ok.location}/live`, 'hello');
    expect(hello).toMatchObject({ status: 'lobby', room: null, you: { role: 'citizen' } });
    expect(Date.parse(String(hello.opensAt))).toBe(Date.parse(video.json.start) - 10 * 60_000);

    const cb = await postForm(server.base, `/${tenant.slug}/join`, [['reference', callback.json.reference], ['code', callback.json.accessCode]], { 'accept-language': 'en' });
    expect(cb.status).toBe(200);
    expect(cb.text).toContain('Your appointment');

    const wrongCode = await postForm(server.base, `/${tenant.slug}/join`, [['reference', video.json.reference], ['code', '00000000']], { 'accept-language': 'en' });
    const noSuch = await postForm(server.base, `/${tenant.slug}/join`, [['reference', 'ZZZ-ZZZ'], ['code', '12345678']], { 'accept-language': 'en' });
    expect(wrongCode.status).toBe(401);
    expect(noSuch.status).toBe(401);
    const message = (html: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)![0];
    expect(message(wrongCode.text)).toBe(message(noSuch.text));
    expect(message(wrongCode.text)).toContain('The reference or the access code is not correct.');
  });

  it('lists every problem of the queue form at once, keeps what was typed, and joins with the priorities', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, procedure } = await smallTenant(db);
    const page = await get(server.base, `/${tenant.slug}/queue?lang=en`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<option value="tramit">Procedure</option>');
    expect(page.text).toContain('I am over 65');

    const empty = await postForm(server.base, `/${tenant.slug}/queue`, [['lang', 'en']], { 'accept-language': 'en' });
    expect(empty.status).toBe(422);
    for (const m of ['Choose a procedure from the list.', 'Choose how you want to be attended: video call or phone call.', 'Enter your full name (2 to 120 characters).', 'Give us at least an email or a mobile phone.', 'You need to accept the privacy notice to join the queue.']) {
      expect(empty.text).toContain(m);
    }
    // the summary lists them in the order of the form
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(empty.text)![0];
    expect([...summary.matchAll(/href="#f-(\w+)"/g)].map((m) => m[1])).toEqual(['procedure', 'channel', 'name', 'email', 'privacyAccepted']);

    const bad = await postForm(
      server.base,
      `/${tenant.slug}/queue`,
      [['procedure', 'no-such'], ['channel', 'fax'], ['name', 'R'], ['email', 'not-an-email'], ['phone', '12'], ['priority', 'royalty'], ['lang', 'en']],
      { 'accept-language': 'en' },
    );
    expect(bad.status).toBe(422);
    for (const m of ['Choose a procedure from the list.', 'Choose how you want to be attended', 'Enter your full name', 'Enter a valid email', 'Enter a valid phone number', 'Choose only from the options shown.', 'You need to accept the privacy notice']) {
      expect(bad.text).toContain(m);
    }
    expect(bad.text).toContain('value="not-an-email"');

    const noPhone = await postForm(server.base, `/${tenant.slug}/queue`, validQueue({ channel: 'callback' }), { 'accept-language': 'en' });
    expect(noPhone.status).toBe(422);
    expect(noPhone.text).toContain('We will phone you: enter a phone number.');

    // a procedure without video or call-back is not offered; a channel it lacks is refused
    await db.rows(sql`UPDATE procedures SET channels = '{video}' WHERE id = ${procedure.id}`);
    const notOffered = await postForm(server.base, `/${tenant.slug}/queue`, validQueue({ channel: 'callback', phone: '612345678' }), { 'accept-language': 'en' });
    expect(notOffered.status).toBe(422);
    expect(notOffered.text).toContain('This procedure cannot be attended that way');

    const ok = await postForm(server.base, `/${tenant.slug}/queue`, [...validQueue(), ['priority', 'over_65'], ['priority', 'disability']]);
    expect(ok.status).toBe(303);
    const [row] = await db.rows<{ status: string; priority: number; priority_reasons: string[]; citizen_name: string; language: string }>(
      sql`SELECT status, priority, priority_reasons, citizen_name, language FROM attentions WHERE tenant_id = ${tenant.id}`,
    );
    expect(row).toMatchObject({ status: 'waiting', priority: 2, priority_reasons: ['over_65', 'disability'], citizen_name: 'Rosa Vidal', language: 'en' });
  });

  it('says the queue is closed and links to booking; the home page offers the queue only when open', async (t) => {
    if (state.skip) return t.skip();
    const { tenant } = await smallTenant(db);
    const home = await get(server.base, `/${tenant.slug}?lang=en`);
    expect(home.text).toContain(`href="/${tenant.slug}/queue"`);
    expect(home.text).toContain('Join the queue now, without an appointment');

    const closed = await smallTenant(db);
    await db.rows(sql`UPDATE tenants SET settings = jsonb_set(settings, '{live}', '{"queueOpen": false}'::jsonb) WHERE id = ${closed.tenant.id}`);
    const closedHome = await get(server.base, `/${closed.tenant.slug}?lang=en`);
    expect(closedHome.text).not.toContain(`/${closed.tenant.slug}/queue`);
    const page = await get(server.base, `/${closed.tenant.slug}/queue?lang=en`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('The queue is closed at the moment. You can book an appointment instead.');
    expect(page.text).toContain(`<a class="button" href="/${closed.tenant.slug}">Book an appointment</a>`);
    const post = await postForm(server.base, `/${closed.tenant.slug}/queue`, validQueue(), { 'accept-language': 'en' });
    expect(post.status).toBe(409);
    expect(post.text).toContain('The queue is closed');
  });

  it('limits queue requests per address and never answers 500 to malformed ones', async (t) => {
    if (state.skip) return t.skip();
    const { tenant } = await smallTenant(db);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await postForm(limited.base, `/${tenant.slug}/queue`, [['lang', 'en']])).status);
    expect(statuses).toEqual([422, 422, 429]);

    const path = `/${tenant.slug}/queue`;
    const odd = [
      await fetch(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 5, priority: { a: 1 } }) }),
      await fetch(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' }),
      await fetch(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }),
      await fetch(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=' + 'x'.repeat(600) }),
      await fetch(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams([...validQueue({ name: 'Ro\u0000sa' })]) }),
      await fetch(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(Array.from({ length: 20 }, () => ['priority', 'over_65'] as [string, string])) }),
      await fetch(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x'.repeat(70_000) }),
      await fetch(`${server.base}/${tenant.slug}/room/${'%FF'.repeat(20)}`),
      await fetch(`${server.base}/${tenant.slug}/guest/${'%00'.repeat(20)}`),
    ];
    for (const r of odd) {
      expect(r.status, `${r.url} ${r.status}`).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      await r.text();
    }
    const weird = await fetch(`${server.base}/${tenant.slug}/queue?procedure[]=1&lang[]=x&procedure=tramit&procedure=x`);
    expect(weird.status).toBe(200);
    await weird.text();
    const joinedWithNul = await db.rows(sql`SELECT 1 FROM attentions WHERE tenant_id = ${tenant.id}`);
    expect(joinedWithNul).toEqual([]);
  });
});
