import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { useDatabase } from './support/use-database.js';
import { api, seedTenant, smallTenant, startTestServer, type TestServer } from './support/test-server.js';

describe.each(DATABASE_KINDS)('admin calendar and staff API on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    server = await startTestServer(db);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function admin() {
    const demo = await seedTenant(db);
    const slug = demo.tenant.slug;
    const r = await api(server.base, 'POST', `/api/v1/tenants/${slug}/auth/login`, { email: `admin@${slug}.example`, password: demo.password });
    const headers = { cookie: r.headers.get('set-cookie')!.split(';')[0], 'x-csrf-token': r.json.csrfToken as string };
    const slots = async () =>
      (await api(server.base, 'GET', `/api/v1/tenants/${slug}/procedures/queixes-suggeriments/slots?channel=video&days=14`)).json as Array<{ day: string; time: string; capacity: number; start: string }>;
    return { slug, headers, slots, demo };
  }

  it('holidays and office hours change the free slots at once', async (t) => {
    if (state.skip) return t.skip();
    const { slug, headers, slots } = await admin();
    const before = await slots();
    const day = before[before.length - 1].day;
    const added = await api(server.base, 'POST', `/api/v1/tenants/${slug}/admin/holidays`, { day, name: { ca: 'Festa major', es: 'Fiesta mayor', en: 'Town festival' } }, headers);
    expect(added.status).toBe(201);
    expect((await slots()).some((s) => s.day === day)).toBe(false);
    expect((await api(server.base, 'POST', `/api/v1/tenants/${slug}/admin/holidays`, { day, name: { ca: 'X' } }, headers)).json.code).toBe('conflict');
    expect((await api(server.base, 'DELETE', `/api/v1/tenants/${slug}/admin/holidays/${day}`, undefined, headers)).status).toBe(204);
    expect((await slots()).some((s) => s.day === day)).toBe(true);

    const hours = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startsAt: '09:00', endsAt: '10:00' }));
    expect((await api(server.base, 'PUT', `/api/v1/tenants/${slug}/admin/office-hours`, hours, headers)).status).toBe(204);
    const narrow = await slots();
    expect(narrow.length).toBeGreaterThan(0);
    expect(new Set(narrow.map((s) => s.time))).toEqual(new Set(['09:00', '09:20', '09:40']));
    const reversed = await api(server.base, 'PUT', `/api/v1/tenants/${slug}/admin/office-hours`, [{ weekday: 1, startsAt: '10:00', endsAt: '09:00' }], headers);
    expect(reversed.json.code).toBe('validation_failed');
  });

  it('adding, changing and deactivating people changes capacity', async (t) => {
    if (state.skip) return t.skip();
    const { slug, headers, slots } = await admin();
    const at = (await slots()).find((s) => s.time === '10:00')!;
    const capacity = () => slots().then((all) => all.find((s) => s.start === at.start)?.capacity ?? 0);
    const before = await capacity();
    const person = {
      fullName: 'Núria Vila',
      email: 'nuria.vila@vilademo.example',
      role: 'agent',
      channels: ['video'],
      schedule: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, startsAt: '08:00', endsAt: '20:00' })),
      password: 'a long enough password',
    };
    const created = await api(server.base, 'POST', `/api/v1/tenants/${slug}/admin/staff`, person, headers);
    expect(created.status).toBe(201);
    expect(await capacity()).toBe(before + 1);
    expect((await api(server.base, 'POST', `/api/v1/tenants/${slug}/admin/staff`, person, headers)).json.code).toBe('conflict');
    expect((await api(server.base, 'POST', `/api/v1/tenants/${slug}/admin/staff`, { ...person, email: 'x@y.example', password: 'short' }, headers)).json.code).toBe('validation_failed');
    const off = await api(server.base, 'PUT', `/api/v1/tenants/${slug}/admin/staff/${created.json.id}`, { ...person, active: false }, headers);
    expect(off.json.active).toBe(false);
    expect(await capacity()).toBe(before);
    // the new person can sign in only while active
    const login = await api(server.base, 'POST', `/api/v1/tenants/${slug}/auth/login`, { email: person.email, password: person.password });
    expect(login.json.code).toBe('invalid_credentials');
  });

  it('is for admins only, with CSRF, and only for their own town hall', async (t) => {
    if (state.skip) return t.skip();
    const { slug, headers } = await admin();
    const other = await smallTenant(db);
    const agent = await api(server.base, 'POST', `/api/v1/tenants/${other.tenant.slug}/auth/login`, { email: other.agents[0].email, password: 'correct horse battery staple' });
    const agentHeaders = { cookie: agent.headers.get('set-cookie')!.split(';')[0], 'x-csrf-token': agent.json.csrfToken };
    expect((await api(server.base, 'GET', `/api/v1/tenants/${other.tenant.slug}/admin/staff`, undefined, agentHeaders)).status).toBe(403);
    expect((await api(server.base, 'GET', `/api/v1/tenants/${other.tenant.slug}/admin/staff`, undefined, headers)).status).toBe(401);
    expect((await api(server.base, 'DELETE', `/api/v1/tenants/${slug}/admin/holidays/2027-01-01`, undefined, { cookie: headers.cookie })).json.code).toBe('csrf_failed');
    const list = await api(server.base, 'GET', `/api/v1/tenants/${slug}/admin/staff`, undefined, headers);
    expect(list.json).toHaveLength(6);
  });
});
