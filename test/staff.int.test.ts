import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { useDatabase } from './support/use-database.js';
import { api, bookingBody, seedTenant, smallTenant, startTestServer, type TestServer } from './support/test-server.js';

const PASSWORD = 'correct horse battery staple';

describe.each(DATABASE_KINDS)('staff and admin API on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    server = await startTestServer(db, { LOGIN_MAX_FAILURES: '3' });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function signIn(slug: string, email: string) {
    const r = await api(server.base, 'POST', `/api/v1/tenants/${slug}/auth/login`, { email, password: PASSWORD });
    expect(r.status).toBe(200);
    const cookie = r.headers.get('set-cookie')!.split(';')[0];
    expect(r.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    return { cookie, csrf: r.json.csrfToken as string, staff: r.json.staff };
  }

  it('signs in, shows the agent only their own agenda, and signs out', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, agents } = await smallTenant(db, { agents: 2 });
    const slots = (await api(server.base, 'GET', `/api/v1/tenants/${tenant.slug}/procedures/tramit/slots?channel=video&days=10`)).json;
    for (const s of slots.slice(0, 4)) {
      expect((await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(s.start))).status).toBe(201);
    }
    // agents are picked at random: sign in as one who got some, and compare with the database
    const counts = await db.rows<{ agent_id: string; n: number }>(sql`SELECT agent_id, count(*)::int AS n FROM appointments WHERE tenant_id = ${tenant.id} GROUP BY agent_id`);
    const mine = agents.find((a) => counts.some((c) => c.agent_id === a.id))!;
    const expected = counts.find((c) => c.agent_id === mine.id)!.n;
    const me = await signIn(tenant.slug, mine.email.toUpperCase());
    expect(me.staff.role).toBe('agent');
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 20 * 86_400_000).toISOString();
    const agenda = await api(server.base, 'GET', `/api/v1/tenants/${tenant.slug}/agenda?from=${from}&to=${to}`, undefined, { cookie: me.cookie });
    expect(agenda.status).toBe(200);
    expect(agenda.json).toHaveLength(expected);
    expect(agenda.json.every((a: { agentName: string }) => a.agentName === mine.fullName)).toBe(true);
    const filtered = await api(server.base, 'GET', `/api/v1/tenants/${tenant.slug}/agenda?from=${from}&to=${to}&channel=phone`, undefined, { cookie: me.cookie });
    expect(filtered.json).toEqual([]);
    const bad = await api(server.base, 'GET', `/api/v1/tenants/${tenant.slug}/agenda?from=${to}&to=${from}`, undefined, { cookie: me.cookie });
    expect(bad.json.code).toBe('validation_failed');
    expect((await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/auth/logout`, undefined, { cookie: me.cookie })).status).toBe(403);
    expect((await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/auth/logout`, undefined, { cookie: me.cookie, 'x-csrf-token': me.csrf })).status).toBe(204);
    expect((await api(server.base, 'GET', `/api/v1/tenants/${tenant.slug}/auth/me`, undefined, { cookie: me.cookie })).status).toBe(401);
  });

  it('answers the same for an unknown email and a wrong password, and locks after repeated failures', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, agents } = await smallTenant(db);
    const unknown = await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/auth/login`, { email: 'nobody@x.example', password: 'x' });
    const wrong = await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/auth/login`, { email: agents[0].email, password: 'x' });
    expect(unknown.json.code).toBe('invalid_credentials');
    expect(wrong.json.code).toBe('invalid_credentials');
    await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/auth/login`, { email: agents[0].email, password: 'y' });
    await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/auth/login`, { email: agents[0].email, password: 'z' });
    const locked = await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/auth/login`, { email: agents[0].email, password: PASSWORD });
    // locked: even the right password is refused, with the same answer as a wrong one
    expect(locked.status).toBe(401);
    expect(locked.json.code).toBe('invalid_credentials');
  });

  it('does not accept a session of one town hall in another', async (t) => {
    if (state.skip) return t.skip();
    const a = await smallTenant(db);
    const b = await smallTenant(db);
    const me = await signIn(a.tenant.slug, a.agents[0].email);
    const r = await api(server.base, 'GET', `/api/v1/tenants/${b.tenant.slug}/auth/me`, undefined, { cookie: me.cookie });
    expect(r.status).toBe(401);
  });

  it('lets admins manage the catalogue, not agents, and validates every language', async (t) => {
    if (state.skip) return t.skip();
    const demo = await seedTenant(db);
    const slug = demo.tenant.slug;
    const admin = await signIn(slug, `admin@${slug}.example`);
    const agent = await signIn(slug, `agent1@${slug}.example`);
    const body = {
      code: 'padro-historic',
      name: { ca: 'Padró històric', es: 'Padrón histórico', en: 'Historic register' },
      help: { ca: 'Ajuda', es: 'Ayuda', en: 'Help' },
      channels: ['video', 'phone'],
      durationMinutes: 20,
      documents: [{ description: { ca: 'DNI', es: 'DNI', en: 'ID' } }],
    };
    expect((await api(server.base, 'POST', `/api/v1/tenants/${slug}/admin/procedures`, body, { cookie: agent.cookie, 'x-csrf-token': agent.csrf })).status).toBe(403);
    expect((await api(server.base, 'POST', `/api/v1/tenants/${slug}/admin/procedures`, body, { cookie: admin.cookie })).json.code).toBe('csrf_failed');
    const created = await api(server.base, 'POST', `/api/v1/tenants/${slug}/admin/procedures`, body, { cookie: admin.cookie, 'x-csrf-token': admin.csrf });
    expect(created.status).toBe(201);
    const dup = await api(server.base, 'POST', `/api/v1/tenants/${slug}/admin/procedures`, body, { cookie: admin.cookie, 'x-csrf-token': admin.csrf });
    expect(dup.json.code).toBe('conflict');
    const missing = await api(server.base, 'POST', `/api/v1/tenants/${slug}/admin/procedures`, { ...body, code: 'x', name: { ca: 'Només català' } }, { cookie: admin.cookie, 'x-csrf-token': admin.csrf });
    expect(missing.status).toBe(400);
    expect(missing.json.details.fields.map((f: { path: string }) => f.path)).toEqual(['name.es', 'name.en']);
    const updated = await api(server.base, 'PUT', `/api/v1/tenants/${slug}/admin/procedures/${created.json.id}`, { ...body, active: false }, { cookie: admin.cookie, 'x-csrf-token': admin.csrf });
    expect(updated.json.active).toBe(false);
    const publicList = await api(server.base, 'GET', `/api/v1/tenants/${slug}/procedures`);
    expect(publicList.json.map((p: { code: string }) => p.code)).not.toContain('padro-historic');
    expect(publicList.json.length).toBeGreaterThanOrEqual(8);
    const outbox = await api(server.base, 'GET', `/api/v1/tenants/${slug}/admin/outbox`, undefined, { cookie: admin.cookie });
    expect(outbox.json.smtpConfigured).toBe(false);
  });
});
