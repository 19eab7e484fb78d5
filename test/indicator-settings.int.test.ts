import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../server/i18n/i18n.js';
import { indicatorSettings, INDICATOR_DEFAULTS } from '../server/modules/indicators/indicator-settings.js';
import { createStaff } from '../server/modules/staff/create-staff.js';
import { findTenantById } from '../server/modules/tenants/tenants.repository.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { getPage, postForm } from './support/pages.js';
import { api, smallTenant, startTestServer, type TestServer, apiSession } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

const PASSWORD = 'correct horse battery staple';

const GOOD = {
  targets: [
    { id: 'callback-4min', metric: 'wait', channel: 'callback', threshold: 240, goalPercent: 90 },
    { metric: 'handling', threshold: 1800, goalPercent: 80 },
    { id: 'cita-5', metric: 'first_free', threshold: 5, goalPercent: 90 },
  ],
  reportRecipients: ['direccio@prova.example', 'oac@prova.example'],
  reportLanguage: 'es',
  publishTransparency: false,
  shareWithOperator: true,
};

describe.each(DATABASE_KINDS)('indicator settings on %s', (kind) => {
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

  /** A town hall with an admin, a supervisor and an agent, each signed in (cookie + CSRF header). */
  async function town(languages?: Array<'ca' | 'es' | 'en'>) {
    const t = await smallTenant(db);
    if (languages) await db.rows(sql`UPDATE tenants SET languages = ${`{${languages.join(',')}}`}::text[], default_language = ${languages[0]} WHERE id = ${t.tenant.id}`);
    const slug = t.tenant.slug;
    for (const role of ['admin', 'supervisor'] as const) {
      await createStaff({ db: db.db, tenantId: t.tenant.id, email: `${role}@prova.example`, fullName: role, password: PASSWORD, role });
    }
    const signIn = (email: string) => apiSession(server.base, slug, email, PASSWORD);
    return {
      ...t,
      slug,
      admin: await signIn('admin@prova.example'),
      supervisor: await signIn('supervisor@prova.example'),
      agent: await signIn('agent0@prova.example'),
    };
  }
  type Town = Awaited<ReturnType<typeof town>>;
  const apiPath = (slug: string) => `/api/v1/tenants/${slug}/indicator-settings`;
  const pagePath = (slug: string) => `/${slug}/staff/indicator-settings`;
  const stored = async (w: Town) => indicatorSettings((await findTenantById(db.db, w.tenant.id))!);
  /** A form post as the browser sends it, with the session's CSRF token. */
  const post = (w: Town, fields: Array<[string, string]>, lang = 'en') =>
    postForm(server.base, `${pagePath(w.slug)}?lang=${lang}`, [['_csrf', w.admin['x-csrf-token']], ...fields], { cookie: w.admin.cookie });

  it('is for admins only, with CSRF, and only in their own town hall', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const b = await town();
    for (const who of [a.agent, a.supervisor]) {
      expect((await api(server.base, 'GET', apiPath(a.slug), undefined, who)).status).toBe(403);
      expect((await api(server.base, 'PUT', apiPath(a.slug), GOOD, who)).status).toBe(403);
      expect((await getPage(server.base, pagePath(a.slug), { cookie: who.cookie })).status).toBe(403);
      expect((await postForm(server.base, pagePath(a.slug), [['_csrf', who['x-csrf-token']], ['t0_metric', 'wait']], { cookie: who.cookie })).status).toBe(403);
    }
    const noCsrf = await api(server.base, 'PUT', apiPath(a.slug), GOOD, { cookie: a.admin.cookie });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json.code).toBe('csrf_failed');
    expect((await postForm(server.base, pagePath(a.slug), [['publishTransparency', 'yes']], { cookie: a.admin.cookie })).status).toBe(403);
    // another town hall's admin means nothing here
    expect((await api(server.base, 'GET', apiPath(b.slug), undefined, a.admin)).status).toBe(401);
    expect((await api(server.base, 'PUT', apiPath(b.slug), GOOD, a.admin)).status).toBe(401);
    // anonymous visitors are sent to sign in; the API says who is missing
    expect((await getPage(server.base, pagePath(a.slug))).status).toBe(303);
    expect((await api(server.base, 'GET', apiPath(a.slug))).status).toBe(401);
    // nothing changed anywhere
    expect(await stored(a)).toEqual(INDICATOR_DEFAULTS);
    expect(await stored(b)).toEqual(INDICATOR_DEFAULTS);
  });

  it('saves through the API, fills in codes, and applies at once', async (t) => {
    if (state.skip) return t.skip();
    const w = await town();
    const before = await api(server.base, 'GET', apiPath(w.slug), undefined, w.admin);
    expect(before.status).toBe(200);
    expect(before.json).toEqual({ ...INDICATOR_DEFAULTS, reportLanguage: null });
    const saved = await api(server.base, 'PUT', apiPath(w.slug), { ...GOOD, reportRecipients: [...GOOD.reportRecipients, 'OAC@prova.example'] }, w.admin);
    expect(saved.status).toBe(200);
    const expected = {
      targets: [
        { id: 'callback-4min', metric: 'wait', channel: 'callback', threshold: 240, goalPercent: 90 },
        { id: 'handling-1800', metric: 'handling', threshold: 1800, goalPercent: 80 },
        { id: 'cita-5', metric: 'first_free', threshold: 5, goalPercent: 90 },
      ],
      reportRecipients: ['direccio@prova.example', 'oac@prova.example'],
      reportLanguage: 'es',
      publishTransparency: false,
      shareWithOperator: true,
    };
    expect(saved.json).toEqual(expected);
    // the tenant cache was dropped: the next request reads the new settings
    expect((await api(server.base, 'GET', apiPath(w.slug), undefined, w.admin)).json).toEqual(expected);
    expect(await stored(w)).toEqual({ ...expected });
    // the other settings are kept
    const [row] = await db.rows<{ settings: { cancelCutoffMinutes: number } }>(sql`SELECT settings FROM tenants WHERE id = ${w.tenant.id}`);
    expect(row.settings.cancelCutoffMinutes).toBe(60);
    // no targets, the default language, generated codes that do not collide
    const again = await api(
      server.base,
      'PUT',
      apiPath(w.slug),
      {
        ...GOOD,
        targets: [
          { metric: 'first_free', threshold: 5, goalPercent: 90 },
          { id: 'first-free-5', metric: 'first_free', threshold: 3, goalPercent: 50 },
          { id: '', metric: 'wait', channel: null, threshold: 15, goalPercent: 100 },
        ],
        reportLanguage: null,
      },
      w.admin,
    );
    expect(again.status).toBe(200);
    expect(again.json.targets.map((x: { id: string }) => x.id)).toEqual(['first-free-5-2', 'first-free-5', 'wait-15']);
    expect(again.json.reportLanguage).toBeNull();
    expect((await stored(w)).reportLanguage).toBeUndefined();
    expect((await api(server.base, 'PUT', apiPath(w.slug), { ...GOOD, targets: [], reportRecipients: [] }, w.admin)).status).toBe(200);
    expect((await stored(w)).targets).toEqual([]);

    const doc = (await api(server.base, 'GET', '/api/openapi.json')).json;
    const op = doc.paths['/api/v1/tenants/{slug}/indicator-settings'];
    expect(op?.get).toBeDefined();
    expect(op?.put?.requestBody).toBeDefined();
    expect(JSON.stringify(op.put.requestBody)).toContain('goalPercent');
  });

  it('reports every problem of the API body at once, with its own code, and never fails on nonsense', async (t) => {
    if (state.skip) return t.skip();
    const w = await town(['ca', 'es']);
    const bad = await api(
      server.base,
      'PUT',
      `${apiPath(w.slug)}?lang=es`,
      {
        targets: [
          { id: 'Bad Id', metric: 'wait', threshold: 241, goalPercent: 0 },
          { id: 'same', metric: 'handling', channel: 'in_person', threshold: 0, goalPercent: 101 },
          { id: 'same', metric: 'first_free', threshold: 61, goalPercent: 50.5 },
          { metric: 'speed', threshold: 10, goalPercent: 50 },
          { metric: 'wait', threshold: 86_415, goalPercent: 50 },
        ],
        reportRecipients: ['not-an-email', 'ok@prova.example'],
        reportLanguage: 'en',
        publishTransparency: 'yes',
      },
      w.admin,
    );
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('validation_failed');
    expect(bad.json.message).toBe(translator('es')('errors.validation_failed'));
    const fields = Object.fromEntries((bad.json.details.fields as Array<{ path: string; code: string }>).map((f) => [f.path, f.code]));
    expect(fields).toMatchObject({
      'targets.0.id': 'invalid_format',
      'targets.0.threshold': 'threshold_not_edge',
      'targets.0.goalPercent': 'too_small',
      'targets.1.channel': 'invalid_value',
      'targets.1.threshold': 'threshold_not_edge',
      'targets.1.goalPercent': 'too_big',
      'targets.2.id': 'target_id_taken',
      'targets.2.threshold': 'threshold_days',
      'targets.2.goalPercent': 'invalid_type',
      'targets.3.metric': 'invalid_value',
      'targets.4.threshold': 'too_big',
      'reportRecipients.0': 'invalid_format',
      reportLanguage: 'language_not_offered',
      publishTransparency: 'invalid_type',
      shareWithOperator: 'invalid_type',
    });
    expect(fields).not.toHaveProperty('reportRecipients.1');
    // limits: 20 targets, 20 recipients
    const many = await api(
      server.base,
      'PUT',
      apiPath(w.slug),
      { ...GOOD, reportLanguage: 'ca', targets: Array.from({ length: 21 }, (_, i) => ({ id: `t${i}`, metric: 'wait', threshold: 60, goalPercent: 90 })), reportRecipients: Array.from({ length: 21 }, (_, i) => `r${i}@prova.example`) },
      w.admin,
    );
    expect(many.status).toBe(400);
    expect(many.json.details.fields).toEqual(expect.arrayContaining([{ path: 'targets', code: 'too_big' }, { path: 'reportRecipients', code: 'too_big' }]));
    // nonsense bodies: 400, never 500
    for (const body of ['null', '[]', '"x"', '{"targets":"x"}', '{"targets":[null, 1, "a"]}', '{"targets":[{"metric":"wait","threshold":"240"}]}', `{"reportRecipients":[${'"a",'.repeat(5000)}"b"]}`, '{']) {
      const r = await api(server.base, 'PUT', apiPath(w.slug), body, w.admin);
      expect([400, 413], body.slice(0, 40)).toContain(r.status);
      expect(typeof r.json.message).toBe('string');
    }
    expect(await stored(w)).toEqual(INDICATOR_DEFAULTS);
    // the message is translated
    const ca = await api(server.base, 'PUT', `${apiPath(w.slug)}?lang=ca`, { ...GOOD, reportLanguage: 'en' }, w.admin);
    const es = await api(server.base, 'PUT', `${apiPath(w.slug)}?lang=es`, { ...GOOD, reportLanguage: 'en' }, w.admin);
    expect(ca.json.details.fields).toEqual([{ path: 'reportLanguage', code: 'language_not_offered' }]);
    expect(ca.json.message).not.toBe(es.json.message);
  });

  it('shows the saved targets in the form and explains every problem next to its box, in the reader’s language', async (t) => {
    if (state.skip) return t.skip();
    const w = await town(['ca', 'es', 'en']);
    const page = await getPage(server.base, `${pagePath(w.slug)}?lang=en`, { cookie: w.admin.cookie });
    expect(page.status).toBe(200);
    // the defaults: call-backs within 4 minutes, 5 working days; 3 blank rows after them
    expect(page.text).toContain('<option value="callback" selected>');
    expect(page.text).toMatch(/name="t0_minutes" type="number" inputmode="numeric" min="0" max="1440" value="4"/);
    expect(page.text).toMatch(/name="t0_seconds" type="number" inputmode="numeric" min="0" max="59" value="0"/);
    expect(page.text).toMatch(/name="t1_days" type="number" value="5"/);
    expect(page.text).toContain('name="t4_metric"');
    expect(page.text).not.toContain('name="t5_metric"');
    expect(page.text).toContain('every 15 seconds up to 10 minutes');

    const fields: Array<[string, string]> = [
      ['rows', '5'],
      ['saved', '2'],
      // row 1: a time off the steps, a goal of 0, a bad code
      ['t0_metric', 'wait'],
      ['t0_channel', 'callback'],
      ['t0_minutes', '4'],
      ['t0_seconds', '10'],
      ['t0_goal', '0'],
      ['t0_id', 'Not OK'],
      // row 2: 61 working days, the same code as row 4
      ['t1_metric', 'first_free'],
      ['t1_days', '61'],
      ['t1_goal', '90'],
      ['t1_id', 'dup'],
      // row 3: something typed but nothing chosen to measure
      ['t2_goal', '50'],
      // row 4: no time at all, goal over 100, an unknown channel
      ['t3_metric', 'handling'],
      ['t3_channel', 'fax'],
      ['t3_goal', '150'],
      ['t3_id', 'dup'],
      ['reportRecipients', 'ok@prova.example\nnot an email\nalso@bad'],
      ['reportLanguage', 'xx'],
      ['publishTransparency', 'yes'],
    ];
    const bad = await post(w, fields);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('role="alert"');
    for (const message of [
      'Target 1: write minutes and seconds on the allowed steps',
      'Target 1: write a whole percentage from 1 to 100.',
      'Target 1: use 1 to 40 lowercase letters, digits and hyphens, or leave the code empty.',
      'Target 2: write a whole number of working days from 0 to 60.',
      'Target 3: choose what the target measures.',
      'Target 4: write minutes and seconds on the allowed steps',
      'Target 4: write a whole percentage from 1 to 100.',
      'Target 4: choose a channel from the list.',
      'Target 4: another target already uses this code.',
      'These are not valid email addresses: not an email, also@bad. Write one address per line.',
      "Choose one of the town hall's languages.",
    ]) {
      expect(bad.text, message).toContain(message);
    }
    // the summary links each message to its box
    for (const anchor of ['#f-t0_time', '#f-t0_goal', '#f-t0_id', '#f-t1_days', '#f-t2_metric', '#f-t3_time', '#f-t3_goal', '#f-t3_channel', '#f-t3_id', '#f-reportRecipients', '#f-reportLanguage']) {
      expect(bad.text, anchor).toContain(`href="${anchor}"`);
    }
    expect(bad.text).toContain('id="f-t0_time"');
    const start = bad.text.indexOf('error-summary');
    const summary = bad.text.slice(start, bad.text.indexOf('</ul>', start));
    const links = [...summary.matchAll(/href="#f-([a-zA-Z0-9_]+)"/g)].map((m) => m[1]);
    expect(links).toEqual(['t0_goal', 't0_time', 't0_id', 't1_days', 't2_metric', 't3_channel', 't3_goal', 't3_time', 't3_id', 'reportRecipients', 'reportLanguage']);
    // what was typed is kept, and the rows with it
    expect(bad.text).toMatch(/name="t0_seconds" type="number" inputmode="numeric" min="0" max="59" value="10"/);
    expect(bad.text).toContain('name="t4_metric"');
    expect(bad.text).toContain('not an email');
    expect(await stored(w)).toEqual(INDICATOR_DEFAULTS);

    // the same problems in Catalan and Spanish
    const ca = await post(w, fields, 'ca');
    expect(ca.status).toBe(422);
    expect(ca.text).toContain('Objectiu 2: escriviu un nombre sencer de dies feiners de 0 a 60.');
    expect(ca.text).toContain("Objectiu 3: trieu què mesura l'objectiu.");
    expect(ca.text).toContain('Aquestes adreces de correu no són vàlides');
    const es = await post(w, fields, 'es');
    expect(es.text).toContain('Objetivo 1: escriba un porcentaje entero de 1 a 100.');
    expect(es.text).toContain('Objetivo 4: otro objetivo ya usa este código.');

    // nonsense never breaks the page
    for (const extra of [[['t0_goal', '1e400']], [['rows', '-5']], [['t0_minutes', '99999999999']], [['reportRecipients', 'x'.repeat(5000)]]] as Array<Array<[string, string]>>) {
      const r = await post(w, [['t0_metric', 'wait'], ...extra]);
      expect(r.status, JSON.stringify(extra)).toBe(422);
    }
  });

  it('saves the form: a target per filled row, removed rows dropped, then shows what was saved', async (t) => {
    if (state.skip) return t.skip();
    const w = await town();
    const ok = await post(w, [
      // the saved call-back target, now 90% within 2 min 30 s
      ['t0_metric', 'wait'],
      ['t0_channel', 'callback'],
      ['t0_minutes', '2'],
      ['t0_seconds', '30'],
      ['t0_goal', '90'],
      ['t0_id', 'callback-4min'],
      // the saved first-free target, removed
      ['t1_metric', 'first_free'],
      ['t1_days', '5'],
      ['t1_goal', '90'],
      ['t1_id', 'appointment-5days'],
      ['t1_remove', 'yes'],
      // a new one, no code: handling within 45 minutes on video
      ['t2_metric', 'handling'],
      ['t2_channel', 'video'],
      ['t2_minutes', '45'],
      ['t2_goal', '75 %'],
      // a blank row
      ['t3_metric', ''],
      ['t3_channel', ''],
      ['reportRecipients', ' direccio@prova.example ;\n\noac@prova.example,'],
      ['reportLanguage', 'en'],
      ['shareWithOperator', 'yes'],
    ]);
    expect(ok.status).toBe(303);
    expect(ok.location).toBe(`${pagePath(w.slug)}?saved=1`);
    expect(await stored(w)).toEqual({
      targets: [
        { id: 'callback-4min', metric: 'wait', channel: 'callback', threshold: 150, goalPercent: 90 },
        { id: 'handling-video-2700', metric: 'handling', channel: 'video', threshold: 2700, goalPercent: 75 },
      ],
      reportRecipients: ['direccio@prova.example', 'oac@prova.example'],
      reportLanguage: 'en',
      publishTransparency: false,
      shareWithOperator: true,
    });
    const after = await getPage(server.base, `${pagePath(w.slug)}?saved=1&lang=en`, { cookie: w.admin.cookie });
    expect(after.text).toContain('The indicator settings have been saved.');
    expect(after.text).toMatch(/name="t0_minutes" type="number" inputmode="numeric" min="0" max="1440" value="2"/);
    expect(after.text).toMatch(/name="t0_seconds" type="number" inputmode="numeric" min="0" max="59" value="30"/);
    expect(after.text).toMatch(/name="t1_minutes" type="number" inputmode="numeric" min="0" max="1440" value="45"/);
    expect(after.text).toContain('value="handling-video-2700"');
    expect(after.text).toContain('direccio@prova.example\noac@prova.example');
    expect(after.text).toContain('Remove target 2');
    expect(after.text).not.toContain('Remove target 3');
    expect(after.text).toContain('name="t4_metric"');
    expect(after.text).not.toContain('name="t5_metric"');
    expect((await api(server.base, 'GET', apiPath(w.slug), undefined, w.admin)).json.targets).toHaveLength(2);
  });
});
