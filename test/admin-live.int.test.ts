import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepLive } from '../server/modules/attention/sweep-live.js';
import { createStaff } from '../server/modules/staff/create-staff.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { useDatabase } from './support/use-database.js';
import { api, smallTenant, startTestServer, type TestServer, apiSession } from './support/test-server.js';
import { getPage, postForm } from './support/pages.js';
import { insertAppointment as insertBooked } from './support/appointments.js';

const PASSWORD = 'correct horse battery staple';
const MIN = 60_000;

type Town = Awaited<ReturnType<typeof smallTenant>>;

const GOOD = {
  waitingRoomOpensMinutes: 15,
  noShowMinutes: 10,
  maxCallAttempts: 3,
  callLinkTemplate: 'tel:{number}',
  queueOpen: true,
  queuePriorities: { over_65: 1, disability: 1, pregnancy: 1 },
};

describe.each(DATABASE_KINDS)('admin live settings and consultation types on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    // the tests run the live sweep themselves
    server = await startTestServer(db, { LIVE_SWEEP_SECONDS: '3600' });
  });
  afterAll(async () => {
    await server?.close();
  });

  /** A small town hall with an admin (and one agent), both signed in to the API. */
  async function town() {
    const t = await smallTenant(db, { agents: 2 });
    const slug = t.tenant.slug;
    await createStaff({ db: db.db, tenantId: t.tenant.id, email: 'admin@prova.example', fullName: 'Admin', password: PASSWORD, role: 'admin' });
    const signIn = (email: string) => apiSession(server.base, slug, email, PASSWORD);
    return { ...t, slug, admin: await signIn('admin@prova.example'), agent: await signIn('agent0@prova.example') };
  }

  /** A page session (cookie + the form's CSRF token) of the tenant's admin. */
  async function pageSession(slug: string) {
    const res = await fetch(`${server.base}/${slug}/staff/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'admin@prova.example', password: PASSWORD }),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    const page = await getPage(server.base, `/${slug}/staff/live-settings?lang=en`, { cookie });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    return { cookie, csrf };
  }

  const settingsPath = (slug: string) => `/api/v1/tenants/${slug}/admin/live-settings`;
  const typologiesPath = (slug: string) => `/api/v1/tenants/${slug}/admin/typologies`;

  it('is for admins only, with CSRF, and only for their own town hall', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const b = await town();
    expect((await api(server.base, 'GET', settingsPath(a.slug), undefined, a.agent)).status).toBe(403);
    expect((await api(server.base, 'PUT', settingsPath(a.slug), GOOD, a.agent)).status).toBe(403);
    expect((await api(server.base, 'GET', typologiesPath(a.slug), undefined, a.agent)).status).toBe(403);
    expect((await api(server.base, 'POST', typologiesPath(a.slug), { code: 'x', name: { ca: 'X', es: 'X', en: 'X' } }, a.agent)).status).toBe(403);
    // without the CSRF header
    const noCsrf = await api(server.base, 'PUT', settingsPath(a.slug), GOOD, { cookie: a.admin.cookie });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json.code).toBe('csrf_failed');
    expect((await api(server.base, 'POST', typologiesPath(a.slug), { code: 'x', name: { ca: 'X', es: 'X', en: 'X' } }, { cookie: a.admin.cookie })).json.code).toBe('csrf_failed');
    // another town hall's admin session means nothing here
    expect((await api(server.base, 'GET', settingsPath(b.slug), undefined, a.admin)).status).toBe(401);
    // the pages: agents are refused, anonymous visitors sent to sign in
    const agentPage = await fetch(`${server.base}/${a.slug}/staff/live-settings`, { headers: { cookie: a.agent.cookie }, redirect: 'manual' });
    expect(agentPage.status).toBe(403);
    const anonymous = await fetch(`${server.base}/${a.slug}/staff/typologies`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    const { cookie } = await pageSession(a.slug);
    expect((await postForm(server.base, `/${a.slug}/staff/live-settings`, [['noShowMinutes', '20']], { cookie })).status).toBe(403);
    // nothing changed
    expect((await api(server.base, 'GET', settingsPath(a.slug), undefined, a.admin)).json.noShowMinutes).toBe(10);
  });

  it('validates every field at once, refuses web and script links, and keeps the other settings', async (t) => {
    if (state.skip) return t.skip();
    const { slug, admin, tenant } = await town();
    const before = await api(server.base, 'GET', settingsPath(slug), undefined, admin);
    expect(before.json).toEqual({ ...GOOD, waitingRoomOpensMinutes: 10 });

    const bad = await api(
      server.base,
      'PUT',
      settingsPath(slug),
      {
        waitingRoomOpensMinutes: 121,
        noShowMinutes: 0,
        maxCallAttempts: 11,
        callLinkTemplate: 'javascript:alert({number})',
        queueOpen: 'yes',
        queuePriorities: { over_65: -1, disability: 11, pregnancy: 1.5 },
      },
      admin,
    );
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('validation_failed');
    const paths = (bad.json.details.fields as Array<{ path: string }>).map((f) => f.path.replace(/^body\./, ''));
    for (const p of ['waitingRoomOpensMinutes', 'noShowMinutes', 'maxCallAttempts', 'callLinkTemplate', 'queueOpen', 'queuePriorities.over_65', 'queuePriorities.disability', 'queuePriorities.pregnancy']) {
      expect(paths, p).toContain(p);
    }
    for (const [field, value] of [
      ['waitingRoomOpensMinutes', -1],
      ['noShowMinutes', 121],
      ['maxCallAttempts', 0],
      ['queuePriorities', { over_65: 1, disability: 1 }],
    ] as const) {
      expect((await api(server.base, 'PUT', settingsPath(slug), { ...GOOD, [field]: value }, admin)).status, field).toBe(400);
    }
    const refused = [
      'javascript:{number}',
      'JavaScript:{number}',
      'javascript://%0a{number}',
      'data:text/html,{number}',
      'vbscript:{number}',
      'http://pbx.example.org/{number}',
      'https://pbx.example.org/{number}',
      'tel:612345678',
      'tel:{number}{number}',
      'tel: {number}',
      'tel:"{number}"',
      '{number}',
      '',
      `tel:{number}${'0'.repeat(200)}`,
    ];
    for (const callLinkTemplate of refused) {
      const r = await api(server.base, 'PUT', settingsPath(slug), { ...GOOD, callLinkTemplate }, admin);
      expect(r.status, callLinkTemplate).toBe(400);
    }
    expect((await api(server.base, 'GET', settingsPath(slug), undefined, admin)).json).toEqual(before.json);

    for (const callLinkTemplate of ['tel:{number}', 'sip:{number}@pbx.example.org', 'sips:{number}@pbx.example.org', 'callto:{number}', 'x-softphone+call:{number}']) {
      const r = await api(server.base, 'PUT', settingsPath(slug), { ...GOOD, callLinkTemplate }, admin);
      expect(r.status, callLinkTemplate).toBe(200);
      expect(r.json.callLinkTemplate).toBe(callLinkTemplate);
    }
    const saved = await api(server.base, 'PUT', settingsPath(slug), { ...GOOD, noShowMinutes: 120, waitingRoomOpensMinutes: 0, maxCallAttempts: 10, queuePriorities: { over_65: 0, disability: 10, pregnancy: 5 } }, admin);
    expect(saved.json).toEqual({ ...GOOD, noShowMinutes: 120, waitingRoomOpensMinutes: 0, maxCallAttempts: 10, queuePriorities: { over_65: 0, disability: 10, pregnancy: 5 } });
    expect((await api(server.base, 'GET', settingsPath(slug), undefined, admin)).json).toEqual(saved.json);
    const [row] = await db.rows<{ settings: { cancelCutoffMinutes: number; live: Record<string, unknown> } }>(sql`SELECT settings FROM tenants WHERE id = ${tenant.id}`);
    expect(row.settings.cancelCutoffMinutes).toBe(60);
    expect(row.settings.live.noShowMinutes).toBe(120);

    const doc = (await api(server.base, 'GET', '/api/openapi.json')).json;
    expect(doc.paths['/api/v1/tenants/{slug}/admin/live-settings']?.put).toBeDefined();
    expect(doc.paths['/api/v1/tenants/{slug}/admin/typologies']?.post).toBeDefined();
    expect(doc.paths['/api/v1/tenants/{slug}/admin/typologies/{id}']?.put).toBeDefined();
  });

  it('shows every problem of the settings form at once, next to its box, and keeps what was typed', async (t) => {
    if (state.skip) return t.skip();
    const { slug, admin } = await town();
    const { cookie, csrf } = await pageSession(slug);
    const page = await getPage(server.base, `/${slug}/staff/live-settings?lang=en`, { cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('sip:{number}@pbx.example.org');
    expect(page.text).toMatch(/<input id="f-noShowMinutes" name="noShowMinutes" type="number" value="10"/);

    const bad = await postForm(
      server.base,
      `/${slug}/staff/live-settings?lang=en`,
      [
        ['_csrf', csrf],
        ['waitingRoomOpensMinutes', '200'],
        ['noShowMinutes', ''],
        ['maxCallAttempts', '2.5'],
        ['callLinkTemplate', 'javascript:alert({number})'],
        ['priority_over_65', '11'],
        ['priority_disability', 'x'],
        ['priority_pregnancy', '3'],
      ],
      { cookie },
    );
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('role="alert"');
    expect(bad.text).toContain('Write a whole number of minutes from 0 to 120.');
    expect(bad.text).toContain('Write a whole number of minutes from 1 to 120.');
    expect(bad.text).toContain('Write a whole number from 1 to 10.');
    expect(bad.text).toContain('Start with tel:, sip:, sips:, callto: or another phone scheme; web and script links are not accepted.');
    expect(bad.text.match(/Write a whole number from 0 to 10\./g)).toHaveLength(4); // two in the summary, two beside the boxes
    expect(bad.text.match(/aria-invalid="true"/g)).toHaveLength(6);
    expect(bad.text).toContain('value="javascript:alert({number})"');
    expect(bad.text).toContain('value="3"');
    expect((await api(server.base, 'GET', settingsPath(slug), undefined, admin)).json.waitingRoomOpensMinutes).toBe(10);

    const noNumber = await postForm(server.base, `/${slug}/staff/live-settings?lang=en`, [['_csrf', csrf], ...formOf({ ...GOOD, callLinkTemplate: 'sip:agent@pbx.example.org' })], { cookie });
    expect(noNumber.status).toBe(422);
    expect(noNumber.text).toContain("Write {number} once, where the citizen's number goes.");

    const ok = await postForm(server.base, `/${slug}/staff/live-settings`, [['_csrf', csrf], ...formOf({ ...GOOD, noShowMinutes: 25, queueOpen: false })], { cookie });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe(`/${slug}/staff/live-settings?saved=1`);
    const after = await getPage(server.base, `/${slug}/staff/live-settings?saved=1&lang=en`, { cookie });
    expect(after.text).toContain('The live attention settings have been saved.');
    expect(after.text).toMatch(/name="noShowMinutes" type="number" value="25"/);
    expect((await api(server.base, 'GET', settingsPath(slug), undefined, admin)).json).toMatchObject({ noShowMinutes: 25, queueOpen: false });
  });

  it('applies at once: a closed queue, priority weights, the call link, one failed attempt, the no-show delay', async (t) => {
    if (state.skip) return t.skip();
    const w = await town();
    const { slug, admin, agent } = w;
    const queueForm = (priority: string[]): Array<[string, string]> => [
      ['procedure', 'tramit'],
      ['channel', 'video'],
      ['name', 'Rosa Vidal'],
      ['email', 'rosa@example.com'],
      ['privacyAccepted', 'yes'],
      ...priority.map((p): [string, string] => ['priority', p]),
    ];
    // the tenant is in this process's cache, with the queue open
    expect((await getPage(server.base, `/${slug}/queue?lang=en`)).text).not.toContain('The queue is closed');
    expect((await api(server.base, 'PUT', settingsPath(slug), { ...GOOD, queueOpen: false }, admin)).status).toBe(200);
    const closed = await postForm(server.base, `/${slug}/queue`, queueForm([]), { 'accept-language': 'en' });
    expect(closed.status).toBe(409);
    expect(closed.text).toContain('The queue is closed at the moment.');

    // open again, with weights: over 65 counts nothing, pregnancy 7, disability 2
    await api(server.base, 'PUT', settingsPath(slug), { ...GOOD, queuePriorities: { over_65: 0, disability: 2, pregnancy: 7 } }, admin);
    expect((await postForm(server.base, `/${slug}/queue`, queueForm(['over_65']))).status).toBe(303);
    expect((await postForm(server.base, `/${slug}/queue`, queueForm(['pregnancy', 'disability']))).status).toBe(303);
    const priorities = await db.rows<{ priority: number }>(sql`SELECT priority FROM attentions WHERE tenant_id = ${w.tenant.id} ORDER BY queued_at`);
    expect(priorities.map((p) => p.priority)).toEqual([0, 9]);
    await db.rows(sql`UPDATE attentions SET status = 'abandoned', ended_at = now() WHERE tenant_id = ${w.tenant.id}`);

    // one failed attempt is enough; the call link follows the template
    await api(server.base, 'PUT', settingsPath(slug), { ...GOOD, maxCallAttempts: 1, callLinkTemplate: 'sip:{number}@pbx.example.org' }, admin);
    const appointmentId = await insertAppointment(w, { channel: 'phone', startsAt: new Date(Date.now() + 2 * MIN) });
    await sweepLive({ database: db, jobMaxAttempts: 8 });
    const [att] = await db.rows<{ id: string }>(sql`SELECT id FROM attentions WHERE appointment_id = ${appointmentId}`);
    const view = await api(server.base, 'GET', `/api/v1/tenants/${slug}/console`, undefined, agent);
    expect(view.json.queue.find((r: { id: string }) => r.id === att.id).callLink).toBe('sip:%2B34612345678@pbx.example.org');
    expect((await api(server.base, 'POST', `/api/v1/tenants/${slug}/attentions/take`, { attentionId: att.id }, agent)).status).toBe(200);
    const attempt = await api(server.base, 'POST', `/api/v1/tenants/${slug}/attentions/${att.id}/attempts`, { outcome: 'no_answer' }, agent);
    expect(attempt.json).toEqual({ attempts: 1, status: 'not_reached' });

    // the no-show delay: 30 minutes
    await api(server.base, 'PUT', settingsPath(slug), { ...GOOD, noShowMinutes: 30 }, admin);
    const recent = await insertAppointment(w, { channel: 'video', startsAt: new Date(Date.now() - 20 * MIN), agent: 1 });
    const old = await insertAppointment(w, { channel: 'video', startsAt: new Date(Date.now() - 45 * MIN) });
    await sweepLive({ database: db, jobMaxAttempts: 8 });
    const status = async (id: string) => (await db.rows<{ status: string }>(sql`SELECT status FROM appointments WHERE id = ${id}`))[0].status;
    expect(await status(recent)).toBe('booked');
    expect(await status(old)).toBe('no_show');
  });

  it('adds, renames, reorders, deactivates and reactivates consultation types; the console offers the active ones', async (t) => {
    if (state.skip) return t.skip();
    const { slug, admin, agent } = await town();
    const other = await town();
    const list = async () => (await api(server.base, 'GET', typologiesPath(slug), undefined, admin)).json as Array<{ id: string; code: string; name: Record<string, string>; position: number; active: boolean }>;
    const consoleCodes = async () => ((await api(server.base, 'GET', `/api/v1/tenants/${slug}/console`, undefined, agent)).json.typologies as Array<{ code: string }>).map((x) => x.code);
    const defaults = await list();
    expect(defaults.map((x) => x.code)).toEqual(['information', 'filing', 'certificate', 'digital-help', 'case-status', 'other']);

    const name = { ca: 'Padró', es: 'Padrón', en: 'Census' };
    const added = await api(server.base, 'POST', typologiesPath(slug), { code: 'padro', name }, admin);
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ code: 'padro', name, position: 6, active: true });
    const dup = await api(server.base, 'POST', typologiesPath(slug), { code: 'padro', name }, admin);
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ code: 'conflict', details: { fields: [{ path: 'code', code: 'taken' }] } });
    // with other problems, all of them at once
    const dupAndMore = await api(server.base, 'POST', typologiesPath(slug), { code: 'padro', name: { ca: 'Padró' } }, admin);
    expect(dupAndMore.json).toMatchObject({ code: 'validation_failed', details: { fields: [{ path: 'code', code: 'taken' }, { path: 'name.es' }, { path: 'name.en' }] } });
    // the same code in another town hall is fine
    expect((await api(server.base, 'POST', typologiesPath(other.slug), { code: 'padro', name }, other.admin)).status).toBe(201);
    const noEnglish = await api(server.base, 'POST', typologiesPath(slug), { code: 'taxes', name: { ca: 'Tributs', es: 'Tributos', en: ' ' } }, admin);
    expect(noEnglish.status).toBe(400);
    expect(noEnglish.json.details.fields).toEqual([{ path: 'name.en', code: 'required' }]);
    expect((await api(server.base, 'POST', typologiesPath(slug), { code: 'Padró', name }, admin)).json.code).toBe('validation_failed');
    expect(await consoleCodes()).toContain('padro');

    // rename and move to the top
    const renamed = await api(server.base, 'PUT', `${typologiesPath(slug)}/${added.json.id}`, { name: { ...name, en: 'Register of residents' }, position: 0, active: true }, admin);
    expect(renamed.json).toMatchObject({ code: 'padro', name: { en: 'Register of residents' }, position: 0 });
    expect((await list()).find((x) => x.id === added.json.id)!.name.en).toBe('Register of residents');
    expect((await consoleCodes()).slice(0, 2).sort()).toEqual(['information', 'padro']);

    // deactivate: listed for admins, no longer offered by the console; never deleted
    const otherType = defaults.find((x) => x.code === 'other')!;
    const off = await api(server.base, 'PUT', `${typologiesPath(slug)}/${otherType.id}`, { name: otherType.name, position: otherType.position, active: false }, admin);
    expect(off.json.active).toBe(false);
    expect(await consoleCodes()).not.toContain('other');
    expect((await list()).find((x) => x.code === 'other')!.active).toBe(false);
    expect((await api(server.base, 'PUT', `${typologiesPath(slug)}/${otherType.id}`, { name: otherType.name, position: otherType.position, active: true }, admin)).json.active).toBe(true);
    expect(await consoleCodes()).toContain('other');
    expect(await list()).toHaveLength(7);

    // another town hall's type is not found here, through the API and the pages
    const foreign = (await api(server.base, 'GET', typologiesPath(other.slug), undefined, other.admin)).json[0];
    const notFound = await api(server.base, 'PUT', `${typologiesPath(slug)}/${foreign.id}`, { name, position: 0, active: false }, admin);
    expect(notFound.status).toBe(404);
    expect(notFound.json.code).toBe('not_found');
    expect((await api(server.base, 'PUT', `${typologiesPath(slug)}/${randomUUID()}`, { name, position: 0, active: false }, admin)).status).toBe(404);
    const session = await pageSession(slug);
    expect((await getPage(server.base, `/${slug}/staff/typologies/${foreign.id}`, { cookie: session.cookie })).status).toBe(404);
    expect((await postForm(server.base, `/${slug}/staff/typologies/${foreign.id}/active`, [['_csrf', session.csrf], ['active', 'no']], { cookie: session.cookie })).status).toBe(404);
    expect((await api(server.base, 'GET', typologiesPath(other.slug), undefined, other.admin)).json[0].active).toBe(true);
  });

  it('manages consultation types in the browser forms, with a translated error for a duplicate code', async (t) => {
    if (state.skip) return t.skip();
    const { slug, admin } = await town();
    const { cookie, csrf } = await pageSession(slug);
    const page = await getPage(server.base, `/${slug}/staff/typologies?lang=es`, { cookie });
    expect(page.text).toContain('Tipos de consulta');
    expect(page.text).toContain('aria-label="Desactivar: Información general"');

    const dup = await postForm(server.base, `/${slug}/staff/typologies?lang=es`, [['_csrf', csrf], ['code', 'other'], ['name_ca', 'Altres 2'], ['name_es', 'Otros 2'], ['name_en', '']], { cookie });
    expect(dup.status).toBe(422);
    expect(dup.text).toContain('Otro tipo de consulta ya usa este código.');
    expect(dup.text).toMatch(/id="f-code" name="code" type="text" value="other"[^>]*aria-invalid="true"/);
    expect(dup.text).toContain('Escriba el nombre en esta lengua (hasta 120 caracteres).');
    expect(dup.text).toContain('value="Otros 2"');
    const onlyDup = await postForm(server.base, `/${slug}/staff/typologies?lang=es`, [['_csrf', csrf], ['code', 'other'], ['name_ca', 'A'], ['name_es', 'B'], ['name_en', 'C']], { cookie });
    expect(onlyDup.status).toBe(409);
    expect(onlyDup.text).toContain('Otro tipo de consulta ya usa este código.');

    const added = await postForm(server.base, `/${slug}/staff/typologies`, [['_csrf', csrf], ['code', 'tributs'], ['name_ca', 'Tributs'], ['name_es', 'Tributos'], ['name_en', 'Taxes'], ['position', '']], { cookie });
    expect(added.status).toBe(303);
    const types = (await api(server.base, 'GET', typologiesPath(slug), undefined, admin)).json as Array<{ id: string; code: string; position: number; active: boolean; name: Record<string, string> }>;
    const tributs = types.find((x) => x.code === 'tributs')!;
    expect(tributs).toMatchObject({ position: 6, active: true, name: { ca: 'Tributs', es: 'Tributos', en: 'Taxes' } });

    expect((await postForm(server.base, `/${slug}/staff/typologies/${tributs.id}/active`, [['_csrf', csrf], ['active', 'no']], { cookie })).status).toBe(303);
    const edit = await getPage(server.base, `/${slug}/staff/typologies/${tributs.id}?lang=en`, { cookie });
    expect(edit.text).toContain('<code>tributs</code>');
    expect(edit.text).toContain('value="Taxes"');
    const wrong = await postForm(server.base, `/${slug}/staff/typologies/${tributs.id}?lang=en`, [['_csrf', csrf], ['name_ca', 'Tributs'], ['name_es', 'Tributos'], ['name_en', 'Local taxes'], ['position', '-1']], { cookie });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('Write a whole number from 0 to 10000.');
    const renamed = await postForm(server.base, `/${slug}/staff/typologies/${tributs.id}`, [['_csrf', csrf], ['name_ca', 'Tributs'], ['name_es', 'Tributos'], ['name_en', 'Local taxes'], ['position', '2'], ['active', 'yes']], { cookie });
    expect(renamed.status).toBe(303);
    const after = (await api(server.base, 'GET', typologiesPath(slug), undefined, admin)).json.find((x: { id: string }) => x.id === tributs.id);
    expect(after).toMatchObject({ position: 2, active: true, name: { en: 'Local taxes' } });
  });

  /** A booked appointment written directly (the booking rules forbid past slots); its id. */
  async function insertAppointment(t: Town, o: { channel: 'video' | 'phone'; startsAt: Date; agent?: number }) {
    return (await insertBooked(db, { tenantId: t.tenant.id, procedureId: t.procedure.id, agentId: t.agents[o.agent ?? 0].id, channel: o.channel, startsAt: o.startsAt })).id;
  }
});

/** The settings as the browser form sends them. */
function formOf(s: typeof GOOD): Array<[string, string]> {
  return [
    ['waitingRoomOpensMinutes', String(s.waitingRoomOpensMinutes)],
    ['noShowMinutes', String(s.noShowMinutes)],
    ['maxCallAttempts', String(s.maxCallAttempts)],
    ['callLinkTemplate', s.callLinkTemplate],
    ...(s.queueOpen ? [['queueOpen', 'yes'] as [string, string]] : []),
    ['priority_over_65', String(s.queuePriorities.over_65)],
    ['priority_disability', String(s.queuePriorities.disability)],
    ['priority_pregnancy', String(s.queuePriorities.pregnancy)],
  ];
}
