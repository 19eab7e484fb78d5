import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuthorisedOfficial } from '../server/modules/officials/is-authorised-official.js';
import { grantOfficial, revokeOfficial } from '../server/modules/officials/officials.js';
import { createStaff } from '../server/modules/staff/create-staff.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { getPage, postForm } from './support/pages.js';
import { api, smallTenant, startTestServer, type TestServer, apiSession } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

const PASSWORD = 'correct horse battery staple';

describe.each(DATABASE_KINDS)('authorised officials on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    server = await startTestServer(db, { LIVE_SWEEP_SECONDS: '3600' });
  });
  afterAll(async () => {
    await server?.close();
  });

  /** A town hall (Europe/Madrid) with an admin, a supervisor and an agent, signed in to the API. */
  async function town() {
    const t = await smallTenant(db);
    const slug = t.tenant.slug;
    const admin = await createStaff({ db: db.db, tenantId: t.tenant.id, email: 'admin@prova.example', fullName: 'Anna Admin', password: PASSWORD, role: 'admin' });
    await createStaff({ db: db.db, tenantId: t.tenant.id, email: 'super@prova.example', fullName: 'Sergi Super', password: PASSWORD, role: 'supervisor' });
    const signIn = (email: string) => apiSession(server.base, slug, email, PASSWORD);
    return {
      ...t,
      slug,
      adminId: admin.id,
      agentId: t.agents[0].id,
      admin: await signIn('admin@prova.example'),
      supervisor: await signIn('super@prova.example'),
      agent: await signIn('agent0@prova.example'),
    };
  }

  async function pageSession(slug: string, email = 'admin@prova.example') {
    const res = await fetch(`${server.base}/${slug}/staff/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password: PASSWORD }),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    const page = await getPage(server.base, `/${slug}/staff?lang=en`, { cookie });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    return { cookie, csrf };
  }

  const apiPath = (slug: string) => `/api/v1/tenants/${slug}/officials`;
  const pagePath = (slug: string) => `/${slug}/staff/officials`;

  it('grants, lists and revokes through the API; rows are kept', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const empty = await api(server.base, 'GET', apiPath(a.slug), undefined, a.admin);
    expect(empty.status).toBe(200);
    expect(empty.json).toEqual({ officials: [] });

    const grant = await api(server.base, 'POST', apiPath(a.slug), { staffId: a.agentId, appointmentAct: '  Decret 123/2026 ', validFrom: '2020-01-01', validUntil: null }, a.admin);
    expect(grant.status).toBe(201);
    expect(grant.json).toMatchObject({ staffId: a.agentId, fullName: 'Agent 0', staffActive: true, appointmentAct: 'Decret 123/2026', validFrom: '2020-01-01', validUntil: null, state: 'active', revokedAt: null });

    // a second grant while one is not revoked is refused
    const again = await api(server.base, 'POST', apiPath(a.slug), { staffId: a.agentId, appointmentAct: 'Decret 124/2026', validFrom: '2020-01-01' }, a.admin);
    expect(again.status).toBe(409);
    expect(again.json.details.fields).toEqual([{ path: 'staffId', code: 'already_authorised' }]);

    const future = await api(server.base, 'POST', apiPath(a.slug), { staffId: a.adminId, appointmentAct: 'Decret 9/2026', validFrom: '2999-01-01', validUntil: '2999-12-31' }, a.admin);
    expect(future.status).toBe(201);
    expect(future.json.state).toBe('pending');

    const list = await api(server.base, 'GET', apiPath(a.slug), undefined, a.admin);
    expect(list.json.officials.map((o: { id: string }) => o.id).sort()).toEqual([grant.json.id, future.json.id].sort());

    const revoke = await api(server.base, 'POST', `${apiPath(a.slug)}/${grant.json.id}/revoke`, undefined, a.admin);
    expect(revoke.status).toBe(200);
    expect(revoke.json.state).toBe('revoked');
    expect(revoke.json.revokedAt).toEqual(expect.any(String));
    expect((await api(server.base, 'POST', `${apiPath(a.slug)}/${grant.json.id}/revoke`, undefined, a.admin)).status).toBe(404);
    expect((await api(server.base, 'POST', `${apiPath(a.slug)}/not-a-uuid/revoke`, undefined, a.admin)).status).toBe(404);

    // after revocation a new grant is allowed; the revoked row stays
    const regrant = await api(server.base, 'POST', apiPath(a.slug), { staffId: a.agentId, appointmentAct: 'Decret 200/2026', validFrom: '2020-01-01' }, a.admin);
    expect(regrant.status).toBe(201);
    const rows = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM authorised_officials WHERE tenant_id = ${a.tenant.id} AND staff_id = ${a.agentId}`);
    expect(rows[0].n).toBe(2);
    const after = await api(server.base, 'GET', apiPath(a.slug), undefined, a.admin);
    expect(after.json.officials.at(-1)).toMatchObject({ id: grant.json.id, state: 'revoked' });
  });

  it('names every problem of a grant with its code; malformed bodies never answer 500', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const b = await town();
    const post = (body: unknown) => api(server.base, 'POST', apiPath(a.slug), body, a.admin);
    const codes = async (body: unknown) => {
      const r = await post(body);
      expect(r.status).toBe(400);
      return (r.json.details?.fields ?? []).map((f: { path: string; code: string }) => `${f.path}:${f.code}`);
    };
    // another town hall's staff member
    expect(await codes({ staffId: b.agentId, appointmentAct: 'Decret 1/2026', validFrom: '2026-01-01' })).toEqual(['staffId:staff_unknown']);
    expect(await codes({ staffId: a.agentId, appointmentAct: '   ', validFrom: '2026-02-01', validUntil: '2026-01-31' })).toEqual(['appointmentAct:act_required', 'validUntil:until_before_from']);
    expect(await codes({ staffId: a.agentId, appointmentAct: 'x'.repeat(201), validFrom: '2026-01-01' })).toEqual(['appointmentAct:act_too_long']);
    // shapes refused by the schema
    for (const body of [{ staffId: a.agentId, appointmentAct: 'D', validFrom: '2026-02-30' }, { staffId: 'x', appointmentAct: 'D', validFrom: '2026-01-01' }, {}, [], 'nonsense', { appointmentAct: 5 }]) {
      const r = await post(body);
      expect(r.status).toBe(400);
    }
    const broken = await api(server.base, 'POST', apiPath(a.slug), '{"staffId":', a.admin);
    expect(broken.status).toBe(400);
    const rows = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM authorised_officials WHERE tenant_id = ${a.tenant.id}`);
    expect(rows[0].n).toBe(0);
    // the database refuses another town hall's staff even past the module
    await expect(db.rows(sql`INSERT INTO authorised_officials (tenant_id, staff_id, appointment_act, valid_from) VALUES (${a.tenant.id}, ${b.agentId}, 'D', '2026-01-01')`)).rejects.toThrow();
  });

  it('isAuthorisedOfficial follows the local validity dates, revocation and whether the person is active staff', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const b = await town();
    const granted = await grantOfficial({ db: db.db, tenantId: a.tenant.id, input: { staffId: a.agentId, appointmentAct: 'Decret 123/2026', validFrom: '2026-03-10', validUntil: '2026-03-20' } });
    const at = (iso: string) => isAuthorisedOfficial(db.db, a.tenant.id, a.agentId, new Date(iso));
    // Madrid is UTC+1 in March before the 29th
    expect(await at('2026-03-09T22:30:00Z')).toBe(false); // 23:30 on the 9th
    expect(await at('2026-03-09T23:30:00Z')).toBe(true); // 00:30 on the 10th
    expect(await at('2026-03-15T12:00:00Z')).toBe(true);
    expect(await at('2026-03-20T22:59:00Z')).toBe(true); // 23:59 on the 20th
    expect(await at('2026-03-20T23:00:00Z')).toBe(false); // the 21st
    // not in another town hall, nor for someone never granted
    expect(await isAuthorisedOfficial(db.db, b.tenant.id, a.agentId, new Date('2026-03-15T12:00:00Z'))).toBe(false);
    expect(await isAuthorisedOfficial(db.db, a.tenant.id, a.adminId, new Date('2026-03-15T12:00:00Z'))).toBe(false);
    expect(await isAuthorisedOfficial(db.db, a.tenant.id, 'nonsense', new Date('2026-03-15T12:00:00Z'))).toBe(false);
    // an inactive staff member cannot file, and can again once reactivated
    await db.rows(sql`UPDATE staff SET active = false WHERE tenant_id = ${a.tenant.id} AND id = ${a.agentId}`);
    expect(await at('2026-03-15T12:00:00Z')).toBe(false);
    await db.rows(sql`UPDATE staff SET active = true WHERE tenant_id = ${a.tenant.id} AND id = ${a.agentId}`);
    expect(await at('2026-03-15T12:00:00Z')).toBe(true);
    // revoked: never again, whatever the date
    await revokeOfficial({ db: db.db, tenantId: a.tenant.id, id: granted.id });
    expect(await at('2026-03-15T12:00:00Z')).toBe(false);
    // open-ended
    await grantOfficial({ db: db.db, tenantId: a.tenant.id, input: { staffId: a.agentId, appointmentAct: 'Decret 5/2026', validFrom: '2026-03-10' } });
    expect(await at('2030-01-01T12:00:00Z')).toBe(true);
    // revoking through another town hall does nothing
    await expect(revokeOfficial({ db: db.db, tenantId: b.tenant.id, id: granted.id })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('is for admins only, with CSRF, and only for their own town hall', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const b = await town();
    const body = { staffId: a.agentId, appointmentAct: 'Decret 1/2026', validFrom: '2026-01-01' };
    for (const who of [a.agent, a.supervisor]) {
      expect((await api(server.base, 'GET', apiPath(a.slug), undefined, who)).status).toBe(403);
      expect((await api(server.base, 'POST', apiPath(a.slug), body, who)).status).toBe(403);
    }
    expect((await api(server.base, 'GET', apiPath(a.slug))).status).toBe(401);
    expect((await api(server.base, 'GET', apiPath(a.slug), undefined, b.admin)).status).toBe(401);
    expect((await api(server.base, 'POST', apiPath(a.slug), body, { cookie: a.admin.cookie })).status).toBe(403);
    const granted = await api(server.base, 'POST', apiPath(a.slug), body, a.admin);
    expect(granted.status).toBe(201);
    expect((await api(server.base, 'POST', `${apiPath(a.slug)}/${granted.json.id}/revoke`, undefined, { cookie: a.admin.cookie })).status).toBe(403);
    expect((await api(server.base, 'POST', `${apiPath(a.slug)}/${granted.json.id}/revoke`, undefined, a.supervisor)).status).toBe(403);
    // another town hall's admin cannot revoke it through their own town hall
    expect((await api(server.base, 'POST', `${apiPath(b.slug)}/${granted.json.id}/revoke`, undefined, b.admin)).status).toBe(404);

    const anonymous = await getPage(server.base, `${pagePath(a.slug)}?lang=en`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toContain(`/${a.slug}/staff/login`);
    for (const email of ['super@prova.example', 'agent0@prova.example']) {
      const s = await pageSession(a.slug, email);
      expect((await getPage(server.base, pagePath(a.slug), { cookie: s.cookie })).status).toBe(403);
      expect((await postForm(server.base, pagePath(a.slug), [['_csrf', s.csrf], ['action', 'revoke'], ['id', granted.json.id]], { cookie: s.cookie })).status).toBe(403);
    }
    const admin = await pageSession(a.slug);
    expect((await postForm(server.base, pagePath(a.slug), [['action', 'revoke'], ['id', granted.json.id]], { cookie: admin.cookie })).status).toBe(403);
    const still = await db.rows<{ revoked_at: Date | null }>(sql`SELECT revoked_at FROM authorised_officials WHERE tenant_id = ${a.tenant.id} AND id = ${granted.json.id}`);
    expect(still[0].revoked_at).toBeNull();
  });

  it('the page grants and revokes (PRG) and shows translated errors with a summary', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const b = await town();
    const s = await pageSession(a.slug);
    const path = pagePath(a.slug);
    const page = await getPage(server.base, `${path}?lang=en`, { cookie: s.cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Authorised officials');
    expect(page.text).toContain('There are no authorised officials yet.');
    expect(page.text).toContain('>Agent 0</option>');

    const grant = (fields: Array<[string, string]>, lang = 'en') =>
      postForm(server.base, `${path}?lang=${lang}`, [['_csrf', s.csrf], ['action', 'grant'], ...fields], { cookie: s.cookie });
    const ok = await grant([['staffId', a.agentId], ['appointmentAct', 'Decret 123/2026'], ['validFrom', '2020-01-01'], ['validUntil', '']]);
    expect(ok.status).toBe(303);
    expect(ok.location).toBe(`/${a.slug}/staff/officials?done=granted`);
    const listed = await getPage(server.base, `${ok.location}&lang=en`, { cookie: s.cookie });
    expect(listed.text).toContain('The authorisation has been added to the register.');
    expect(listed.text).toContain('Decret 123/2026');
    expect(listed.text).toContain('Until revoked');
    expect(listed.text).toContain('>Current<');

    const bad = await grant([['staffId', b.agentId], ['appointmentAct', ''], ['validFrom', '2026-13-01'], ['validUntil', 'soon']]);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('class="error-summary"');
    expect(bad.text).toContain('href="#f-staffId">Choose a staff member of this town hall.');
    expect(bad.text).toContain('href="#f-appointmentAct">Enter the appointment act');
    expect(bad.text).toContain('href="#f-validFrom">Enter a valid date (YYYY-MM-DD).');
    expect(bad.text).toContain('href="#f-validUntil">Enter a valid date (YYYY-MM-DD).');
    expect(bad.text).toContain('value="soon"');

    const order = await grant([['staffId', a.adminId], ['appointmentAct', 'x'.repeat(201)], ['validFrom', '2026-02-01'], ['validUntil', '2026-01-01']], 'ca');
    expect(order.status).toBe(422);
    expect(order.text).toContain("L'acte d'habilitació pot tenir com a màxim 200 caràcters.");
    expect(order.text).toContain("La data final no pot ser anterior a la data d'inici.");

    const twice = await grant([['staffId', a.agentId], ['appointmentAct', 'Decret 2/2026'], ['validFrom', '2026-01-01']], 'es');
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('Esta persona ya tiene una habilitación no revocada.');

    // malformed posts: duplicated fields, no action, nonsense — never 500
    const weird = await postForm(server.base, path, `_csrf=${encodeURIComponent(s.csrf)}&action=grant&staffId=a&staffId=b&validFrom[x]=1`, { cookie: s.cookie });
    expect(weird.status).toBe(422);
    const noAction = await postForm(server.base, path, [['_csrf', s.csrf]], { cookie: s.cookie });
    expect(noAction.status).toBe(422);

    const [row] = await db.rows<{ id: string }>(sql`SELECT id FROM authorised_officials WHERE tenant_id = ${a.tenant.id} AND revoked_at IS NULL`);
    const revoke = await postForm(server.base, path, [['_csrf', s.csrf], ['action', 'revoke'], ['id', row.id]], { cookie: s.cookie });
    expect(revoke.status).toBe(303);
    expect(revoke.location).toBe(`/${a.slug}/staff/officials?done=revoked`);
    const shown = await getPage(server.base, `${revoke.location}&lang=en`, { cookie: s.cookie });
    expect(shown.text).toContain('The authorisation has been revoked.');
    expect(shown.text).toContain('>Revoked<');
    const again = await postForm(server.base, `${path}?lang=en`, [['_csrf', s.csrf], ['action', 'revoke'], ['id', row.id]], { cookie: s.cookie });
    expect(again.status).toBe(404);
    expect(again.text).toContain('This authorisation does not exist or had already been revoked.');
  });
});
