import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../server/modules/booking/secrets.js';
import { createStaff } from '../server/modules/staff/create-staff.js';
import { insertAttentionHistory } from './support/attention-history.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { getPage, postForm } from './support/pages.js';
import { api, smallTenant, startTestServer, type TestServer, apiSession } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

const PASSWORD = 'correct horse battery staple';

const WAITING = { id: 'waiting', kind: 'scale', required: true, label: { ca: 'Com valoreu l’espera?', es: '¿Cómo valora la espera?', en: 'How was the wait?' } };

describe.each(DATABASE_KINDS)('survey settings on %s', (kind) => {
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

  /** A town hall with an admin, a supervisor and an agent, signed in to the API. */
  async function town() {
    const t = await smallTenant(db);
    const slug = t.tenant.slug;
    await createStaff({ db: db.db, tenantId: t.tenant.id, email: 'admin@prova.example', fullName: 'Admin', password: PASSWORD, role: 'admin' });
    await createStaff({ db: db.db, tenantId: t.tenant.id, email: 'super@prova.example', fullName: 'Super', password: PASSWORD, role: 'supervisor' });
    const signIn = (email: string) => apiSession(server.base, slug, email, PASSWORD);
    return { ...t, slug, admin: await signIn('admin@prova.example'), supervisor: await signIn('super@prova.example'), agent: await signIn('agent0@prova.example') };
  }

  /** A page session (cookie + the form's CSRF token) of someone of the town hall. */
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

  /** A closed attention with a survey link; returns the link's path. */
  async function surveyLink(town: Awaited<ReturnType<typeof smallTenant>>) {
    const [attentionId] = await insertAttentionHistory(db, town.tenant.id, [
      { procedureId: town.procedure.id, channel: 'video', status: 'closed', due: new Date(Date.now() - 3600_000).toISOString(), waitSeconds: 60, handlingSeconds: 300 },
    ]);
    const token = randomBytes(32).toString('base64url');
    await db.rows(sql`
      INSERT INTO survey_invitations (token_hash, tenant_id, attention_id, expires_at)
      VALUES (${sha256(token)}, ${town.tenant.id}, ${attentionId}, now() + interval '1 day')`);
    return `/${town.tenant.slug}/survey/${token}`;
  }

  const apiPath = (slug: string) => `/api/v1/tenants/${slug}/survey-settings`;
  const pagePath = (slug: string) => `/${slug}/staff/survey-settings`;
  const DEFAULTS = [
    { id: 'liked', kind: 'scale', required: true },
    { id: 'easy', kind: 'scale', required: true },
    { id: 'again', kind: 'yes_no', required: true },
    { id: 'comment', kind: 'text', required: false },
  ];

  it('is for admins only, with CSRF, and only for their own town hall', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const b = await town();
    for (const who of [a.agent, a.supervisor]) {
      expect((await api(server.base, 'GET', apiPath(a.slug), undefined, who)).status).toBe(403);
      expect((await api(server.base, 'PUT', apiPath(a.slug), { questions: DEFAULTS }, who)).status).toBe(403);
      expect((await api(server.base, 'DELETE', apiPath(a.slug), undefined, who)).status).toBe(403);
    }
    expect((await api(server.base, 'GET', apiPath(a.slug))).status).toBe(401);
    // another town hall's admin has no session here
    expect((await api(server.base, 'GET', apiPath(a.slug), undefined, b.admin)).status).toBe(401);
    expect((await api(server.base, 'PUT', apiPath(a.slug), { questions: DEFAULTS }, { cookie: a.admin.cookie })).status).toBe(403);

    // the page: sign-in first, then admins only
    const anonymous = await getPage(server.base, `${pagePath(a.slug)}?lang=en`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toContain(`/${a.slug}/staff/login`);
    for (const email of ['super@prova.example', 'agent0@prova.example']) {
      const s = await pageSession(a.slug, email);
      expect((await getPage(server.base, pagePath(a.slug), { cookie: s.cookie })).status).toBe(403);
      const post = await postForm(server.base, pagePath(a.slug), [['_csrf', s.csrf], ['action', 'restore']], { cookie: s.cookie });
      expect(post.status).toBe(403);
    }
    const admin = await pageSession(a.slug);
    expect((await postForm(server.base, pagePath(a.slug), [['action', 'remove'], ['id', 'easy']], { cookie: admin.cookie })).status).toBe(403);
    expect((await getPage(server.base, pagePath(a.slug), { cookie: admin.cookie })).status).toBe(200);
    expect((await api(server.base, 'GET', apiPath(a.slug), undefined, a.admin)).json.questions.map((q: { id: string }) => q.id)).toEqual(['liked', 'easy', 'again', 'comment']);
  });

  it('replaces the questions through the API; the survey asks them at once; every problem is named', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const link = await surveyLink(a);
    // the survey is shown (and the town hall cached) before the change
    expect((await getPage(server.base, `${link}?lang=en`)).text).toContain('Was it easy?');

    const initial = await api(server.base, 'GET', apiPath(a.slug), undefined, a.admin);
    expect(initial.status).toBe(200);
    expect(initial.json).toEqual({
      defaults: true,
      questions: DEFAULTS.map((q) => ({ ...q, builtIn: true, label: {} })),
    });

    const put = await api(server.base, 'PUT', apiPath(a.slug), { questions: [DEFAULTS[0], WAITING, { ...DEFAULTS[2], label: { en: '  Would you come back?  ' } }, DEFAULTS[3]] }, a.admin);
    expect(put.status).toBe(200);
    expect(put.json.defaults).toBe(false);
    expect(put.json.questions).toEqual([
      { id: 'liked', kind: 'scale', required: true, builtIn: true, label: {} },
      { ...WAITING, builtIn: false },
      { id: 'again', kind: 'yes_no', required: true, builtIn: true, label: { en: 'Would you come back?' } },
      { id: 'comment', kind: 'text', required: false, builtIn: true, label: {} },
    ]);
    const [row] = await db.rows<{ settings: { survey?: unknown; cancelCutoffMinutes: number } }>(sql`SELECT settings FROM tenants WHERE id = ${a.tenant.id}`);
    expect(row.settings.cancelCutoffMinutes).toBe(60);
    expect(row.settings.survey).toEqual({
      questions: [DEFAULTS[0], WAITING, { ...DEFAULTS[2], label: { en: 'Would you come back?' } }, DEFAULTS[3]],
    });
    const page = await getPage(server.base, `${link}?lang=en`);
    expect(page.text).toContain('How was the wait?');
    expect(page.text).toContain('Would you come back?');
    expect(page.text).not.toContain('Was it easy?');

    // every problem at once, with its place
    const bad = await api(
      server.base,
      'PUT',
      apiPath(a.slug),
      {
        questions: [
          { id: 'liked', kind: 'yes_no', required: true },
          { id: 'Bad-Id', kind: 'scale', required: true, label: { ca: 'a', es: 'b', en: 'c' } },
          { id: 'waiting', kind: 'stars', required: true, label: { ca: 'a', en: 'x'.repeat(201) } },
          { id: 'waiting', kind: 'text', required: false, label: { ca: 'a', es: 'b', en: 'c' } },
          { id: 'lang', kind: 'text', required: false, label: { ca: 'a', es: 'b', en: 'c' } },
        ],
      },
      a.admin,
    );
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('validation_failed');
    expect(bad.json.details.fields).toEqual(
      expect.arrayContaining([
        { path: 'questions.0.kind', code: 'kind_fixed' },
        { path: 'questions.1.id', code: 'id_invalid' },
        { path: 'questions.2.kind', code: 'kind_invalid' },
        { path: 'questions.2.label.en', code: 'label_too_long' },
        { path: 'questions.2.label.es', code: 'label_required' },
        { path: 'questions.3.id', code: 'id_taken' },
        { path: 'questions.4.id', code: 'id_invalid' },
      ]),
    );
    const many = Array.from({ length: 11 }, (_, i) => ({ id: `q${i}`, kind: 'yes_no', required: false, label: { ca: 'a', es: 'b', en: 'c' } }));
    expect((await api(server.base, 'PUT', apiPath(a.slug), { questions: many }, a.admin)).json.details.fields).toEqual([{ path: 'questions', code: 'questions_too_many' }]);
    expect((await api(server.base, 'PUT', apiPath(a.slug), { questions: [] }, a.admin)).json.details.fields).toEqual([{ path: 'questions', code: 'questions_empty' }]);
    // malformed bodies never 500
    for (const body of ['{not json', '[]', '{"questions":"x"}', '{"questions":[{"id":1}]}']) {
      const r = await api(server.base, 'PUT', apiPath(a.slug), body, a.admin);
      expect(r.status, body).toBe(400);
    }
    // nothing of that was stored
    expect((await api(server.base, 'GET', apiPath(a.slug), undefined, a.admin)).json.questions.map((q: { id: string }) => q.id)).toEqual(['liked', 'waiting', 'again', 'comment']);

    const restored = await api(server.base, 'DELETE', apiPath(a.slug), undefined, a.admin);
    expect(restored.status).toBe(200);
    expect(restored.json.defaults).toBe(true);
    expect(await db.rows(sql`SELECT 1 FROM tenants WHERE id = ${a.tenant.id} AND settings ? 'survey'`)).toEqual([]);
    expect((await getPage(server.base, `${link}?lang=en`)).text).toContain('Was it easy?');
  });

  it('lets an admin add, word, move, remove and restore questions in the page, explaining every problem', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const s = await pageSession(a.slug);
    const post = (fields: Array<[string, string]>) => postForm(server.base, `${pagePath(a.slug)}?lang=en`, [['_csrf', s.csrf], ...fields], { cookie: s.cookie });
    const ids = async () => (await api(server.base, 'GET', apiPath(a.slug), undefined, a.admin)).json.questions.map((q: { id: string }) => q.id);

    const shown = await getPage(server.base, `${pagePath(a.slug)}?lang=en`, { cookie: s.cookie });
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('<h1>Satisfaction survey</h1>');
    expect(shown.text).toContain('Did you like the attention you received?');

    // a new question without its Spanish wording and with a bad code: both explained, what was typed kept
    const bad = await post([['action', 'add'], ['add_id', '9lives'], ['add_kind', 'scale'], ['add_label_ca', 'Com valoreu l’espera?'], ['add_label_es', ''], ['add_label_en', 'How was the wait?']]);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('href="#f-add_id"');
    expect(bad.text).toContain('href="#f-add_label_es"');
    expect(bad.text).toContain('Write the question in this language (ES).');
    expect(bad.text).toContain('value="How was the wait?"');
    expect(await ids()).toEqual(['liked', 'easy', 'again', 'comment']);
    const noKind = await post([['action', 'add'], ['add_id', 'waiting'], ['add_label_ca', 'a'], ['add_label_es', 'b'], ['add_label_en', 'c']]);
    expect(noKind.status).toBe(422);
    expect(noKind.text).toContain('href="#f-add_kind"');

    // added, then PRG
    const added = await post([['action', 'add'], ['add_id', 'waiting'], ['add_kind', 'scale'], ['add_required', 'yes'], ['add_label_ca', 'Com valoreu l’espera?'], ['add_label_es', '¿Cómo valora la espera?'], ['add_label_en', 'How was the wait?']]);
    expect(added.status).toBe(303);
    expect(added.location).toBe(`${pagePath(a.slug)}?saved=1`);
    const after = await getPage(server.base, `${added.location}&lang=en`, { cookie: s.cookie });
    expect(after.text).toContain('The survey questions have been saved.');
    expect(after.text).toContain('How was the wait?');
    expect(await ids()).toEqual(['liked', 'easy', 'again', 'comment', 'waiting']);
    const taken = await post([['action', 'add'], ['add_id', 'waiting'], ['add_kind', 'yes_no'], ['add_label_ca', 'a'], ['add_label_es', 'b'], ['add_label_en', 'c']]);
    expect(taken.status).toBe(422);
    expect(taken.text).toContain('Another question already uses this code.');

    // moved up twice, "easy" removed
    expect((await post([['action', 'up'], ['id', 'waiting']])).status).toBe(303);
    expect((await post([['action', 'up'], ['id', 'waiting']])).status).toBe(303);
    expect((await post([['action', 'remove'], ['id', 'easy']])).status).toBe(303);
    expect((await post([['action', 'down'], ['id', 'liked']])).status).toBe(303);
    expect(await ids()).toEqual(['waiting', 'liked', 'again', 'comment']);

    // own wording of a default question in one language, and the comment made required
    expect((await post([['action', 'save'], ['id', 'again'], ['q_again_label_ca', ''], ['q_again_label_es', ''], ['q_again_label_en', 'Would you come back?'], ['q_again_required', 'yes']])).status).toBe(303);
    expect((await post([['action', 'save'], ['id', 'comment'], ['q_comment_required', 'yes']])).status).toBe(303);
    const stored = (await api(server.base, 'GET', apiPath(a.slug), undefined, a.admin)).json.questions;
    expect(stored.find((q: { id: string }) => q.id === 'again')).toMatchObject({ label: { en: 'Would you come back?' }, required: true });
    expect(stored.find((q: { id: string }) => q.id === 'comment')).toMatchObject({ label: {}, required: true });

    // an own question's wording cannot be emptied; too long is explained
    const emptied = await post([['action', 'save'], ['id', 'waiting'], ['q_waiting_label_ca', ''], ['q_waiting_label_es', 'x'.repeat(201)], ['q_waiting_label_en', 'How was the wait?'], ['q_waiting_required', 'yes']]);
    expect(emptied.status).toBe(422);
    expect(emptied.text).toContain('href="#f-q_waiting_label_ca"');
    expect(emptied.text).toContain('href="#f-q_waiting_label_es"');
    expect(emptied.text).toContain('The question can have at most 200 characters.');

    // a question another admin removed meanwhile; an unknown action; the last question cannot go
    const gone = await post([['action', 'remove'], ['id', 'nothere']]);
    expect(gone.status).toBe(409);
    expect(gone.text).toContain('This question is no longer in the survey.');
    expect((await post([['action', 'explode']])).status).toBe(400);
    for (const id of ['waiting', 'liked', 'again']) expect((await post([['action', 'remove'], ['id', id]])).status).toBe(303);
    const last = await post([['action', 'remove'], ['id', 'comment']]);
    expect(last.status).toBe(422);
    expect(last.text).toContain('href="#f-questions"');
    expect(last.text).toContain('The survey needs at least one question.');

    // back to the defaults
    expect((await post([['action', 'restore']])).status).toBe(303);
    expect(await ids()).toEqual(['liked', 'easy', 'again', 'comment']);
    expect(await db.rows(sql`SELECT 1 FROM tenants WHERE id = ${a.tenant.id} AND settings ? 'survey'`)).toEqual([]);
  });

  it("keeps a question's type of answer, so its counted answers never mix scales and yes/no", async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const put = (questions: unknown[]) => api(server.base, 'PUT', apiPath(a.slug), { questions }, a.admin);
    expect((await put([...DEFAULTS, WAITING])).status).toBe(200);
    const changed = await put([...DEFAULTS, { ...WAITING, kind: 'yes_no' }]);
    expect(changed.status).toBe(400);
    expect(changed.json.details.fields).toEqual([{ path: 'questions.4.kind', code: 'kind_fixed' }]);
    expect((await api(server.base, 'GET', apiPath(a.slug), undefined, a.admin)).json.questions.find((q: { id: string }) => q.id === 'waiting').kind).toBe('scale');
  });
});
