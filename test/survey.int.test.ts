import { randomBytes, randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_AGENTS, ALL_PROCEDURES } from '../server/db/schema.js';
import { sweepLive } from '../server/modules/attention/sweep-live.js';
import { saveSurveyQuestions } from '../server/modules/surveys/save-survey-settings.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { startSmtp } from './support/smtp.js';
import { api, smallTenant, startTestServer, type TestServer } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';
import { getPage as get, postForm } from './support/pages.js';

const MIN = 60_000;
type Tenant = Awaited<ReturnType<typeof smallTenant>>;

describe.each(DATABASE_KINDS)('satisfaction survey on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let server: TestServer;

  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    smtp = await startSmtp();
    server = await startTestServer(db, { SMTP_URL: smtp.url, LIVE_SWEEP_SECONDS: '3600', RATE_LIMIT_QUEUE_PER_MINUTE: '100000' });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  async function mailTo(address: string) {
    const until = Date.now() + 15_000;
    while (!smtp.received.some((m) => m.to.includes(address))) {
      if (Date.now() > until) throw new Error(`no email to ${address}`);
      await smtp.waitFor(smtp.received.length + 1, 1000).catch(() => undefined);
    }
    return simpleParser(smtp.received.find((m) => m.to.includes(address))!.raw);
  }

  /** A phone appointment due now, taken and closed by agent 0 through the console API. */
  async function closedAttention(town: Tenant, o: { email: string | null; language: string }) {
    const id = randomUUID();
    const start = new Date(Date.now() + 2 * MIN);
    const end = new Date(start.getTime() + 30 * MIN);
    await db.rows(sql`
      INSERT INTO appointments (id, tenant_id, reference, procedure_id, channel, kind, starts_at, ends_at, blocked_until, agent_id,
        citizen_name, email, phone, language, accessibility, privacy_accepted_at, access_code_hash, manage_token_hash)
      VALUES (${id}, ${town.tenant.id}, ${`R${randomBytes(4).toString('hex').toUpperCase()}`}, ${town.procedure.id}, 'phone', 'slot',
        ${start.toISOString()}::timestamptz, ${end.toISOString()}::timestamptz, ${end.toISOString()}::timestamptz, ${town.agents[0].id},
        'Núria Prats', ${o.email}, '+34612345678', ${o.language}, '{"needs":[]}'::jsonb, now(), ${randomBytes(8).toString('hex')}, ${randomBytes(16).toString('hex')})`);
    await sweepLive({ database: db, jobMaxAttempts: 8 });
    const [att] = await db.rows<{ id: string }>(sql`SELECT id FROM attentions WHERE appointment_id = ${id}`);
    const login = await api(server.base, 'POST', `/api/v1/tenants/${town.tenant.slug}/auth/login`, { email: 'agent0@prova.example', password: 'correct horse battery staple' });
    const h = { cookie: login.headers.get('set-cookie')!.split(';')[0], 'x-csrf-token': login.json.csrfToken as string };
    expect((await api(server.base, 'POST', `/api/v1/tenants/${town.tenant.slug}/attentions/take`, { attentionId: att.id }, h)).status).toBe(200);
    const [typology] = await db.rows<{ id: string }>(sql`SELECT id FROM typologies WHERE tenant_id = ${town.tenant.id} LIMIT 1`);
    const closed = await api(server.base, 'POST', `/api/v1/tenants/${town.tenant.slug}/attentions/${att.id}/close`, { typology: typology.id, outcome: 'resolved' }, h);
    expect(closed.status).toBe(204);
    return att.id;
  }

  it('invites the citizen by email on close, in their language, and takes one valid answer', async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db);
    const other = await smallTenant(db);
    const email = `survey-${randomBytes(3).toString('hex')}@example.com`;
    const attentionId = await closedAttention(town, { email, language: 'es' });
    expect(await db.rows(sql`SELECT attention_id FROM survey_invitations WHERE attention_id = ${attentionId}`)).toHaveLength(1);
    const jobs = await db.rows<{ payload: { template: string } }>(sql`SELECT payload FROM jobs WHERE tenant_id = ${town.tenant.id}`);
    expect(jobs.map((j) => j.payload.template)).toEqual(['survey']);

    const mail = await mailTo(email);
    expect(mail.subject).toBe('¿Qué tal ha ido? Trámite');
    expect(mail.html).toContain('<html lang="es">');
    const link = new RegExp(`/${town.tenant.slug}/survey/([A-Za-z0-9_-]{43})\\?lang=es`).exec(mail.text ?? '');
    expect(link).not.toBeNull();
    const token = link![1];
    const path = `/${town.tenant.slug}/survey/${token}`;
    // the token leaves the job once the email is sent
    const until = Date.now() + 5000;
    for (;;) {
      const [job] = await db.rows<{ status: string; payload: Record<string, unknown> }>(sql`SELECT status, payload FROM jobs WHERE tenant_id = ${town.tenant.id}`);
      if (job.status === 'done') {
        expect(job.payload.surveyToken).toBeUndefined();
        break;
      }
      if (Date.now() > until) throw new Error('job not done');
      await new Promise((r) => setTimeout(r, 100));
    }

    const form = await get(server.base, `${path}?lang=es`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('¿Le ha gustado la atención que ha recibido?');
    expect(form.text).toContain('<legend>');
    // another town hall's slug with this token: not found
    expect((await get(server.base, `/${other.tenant.slug}/survey/${token}`)).status).toBe(404);

    // every field wrong at once
    const bad = await postForm(server.base, path, [['liked', '11'], ['easy', 'x'], ['again', 'maybe'], ['comment', 'a'.repeat(2001)], ['lang', 'en']]);
    expect(bad.status).toBe(422);
    for (const k of ['liked', 'easy', 'again', 'comment']) expect(bad.text).toContain(`href="#f-${k}"`);
    // malformed bodies never 500
    expect((await postForm(server.base, path, 'liked[]=1&liked[]=2&again=yes')).status).toBe(422);
    expect((await api(server.base, 'POST', path, '{"liked":[1]}')).status).toBeLessThan(500);
    expect((await api(server.base, 'POST', path, '{not json')).status).toBeLessThan(500);

    const ok = await postForm(server.base, path, [['liked', '9'], ['easy', '10'], ['again', 'yes'], ['comment', '  Molt bé  '], ['lang', 'ca']]);
    // PRG: the answer is stored, then the thank-you page is a plain GET (a refresh posts nothing)
    expect(ok.status).toBe(303);
    expect(ok.location).toBe(`/${town.tenant.slug}/survey/thanks?lang=ca`);
    const thanks = await get(server.base, ok.location!);
    expect(thanks.status).toBe(200);
    expect(thanks.text).toContain('Gràcies per les vostres respostes');
    expect((await get(server.base, ok.location!)).status).toBe(200);
    expect(await db.rows(sql`SELECT liked, easy, again, comment, answers, language FROM survey_responses WHERE attention_id = ${attentionId}`)).toEqual([
      { liked: 9, easy: 10, again: true, comment: 'Molt bé', answers: {}, language: 'ca' },
    ]);
    const twice = await postForm(server.base, `${path}?lang=en`, [['liked', '1'], ['easy', '1'], ['again', 'no'], ['lang', 'en']]);
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('we already have your answer');
    expect((await get(server.base, `${path}?lang=en`)).text).toContain('we already have your answer');
    expect(await db.rows(sql`SELECT 1 FROM survey_responses WHERE attention_id = ${attentionId}`)).toHaveLength(1);
  });

  it('answers 404 for unknown tokens and 410 for expired ones; no email without an address', async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db);
    for (const token of ['x'.repeat(43), 'short', '..%2F..%2Fetc']) {
      expect((await get(server.base, `/${town.tenant.slug}/survey/${token}`)).status, token).toBe(404);
      expect((await postForm(server.base, `/${town.tenant.slug}/survey/${token}`, [['liked', '1']])).status, token).toBe(404);
    }
    const attentionId = await closedAttention(town, { email: null, language: 'en' });
    expect(await db.rows(sql`SELECT 1 FROM survey_invitations WHERE attention_id = ${attentionId}`)).toEqual([]);
    expect(await db.rows(sql`SELECT 1 FROM jobs WHERE tenant_id = ${town.tenant.id} AND payload->>'template' = 'survey'`)).toEqual([]);

    // an expired link (written directly: the citizen's link from the end screen)
    const { issuePass } = await import('../server/modules/attention/room-passes.js');
    const pass = await issuePass({ database: db }, { tenantId: town.tenant.id, role: 'citizen', attentionId, ttlMinutes: 60 });
    const guest = await issuePass({ database: db }, { tenantId: town.tenant.id, role: 'guest', attentionId, ttlMinutes: 60 });
    expect((await get(server.base, `/${town.tenant.slug}/survey/room/${guest}`)).status).toBe(404);
    const fromRoom = await get(server.base, `/${town.tenant.slug}/survey/room/${pass}?lang=en`);
    expect(fromRoom.status).toBe(303);
    const path = new URL(fromRoom.location!, server.base).pathname;
    expect((await get(server.base, path)).status).toBe(200);
    // the end screen's link followed again: the same survey link, no new invitation
    const again = await get(server.base, `/${town.tenant.slug}/survey/room/${pass}?lang=en`);
    expect(again.status).toBe(303);
    expect(again.location).toBe(fromRoom.location);
    expect(await db.rows(sql`SELECT 1 FROM survey_invitations WHERE attention_id = ${attentionId}`)).toHaveLength(1);
    // only the hash of the survey token is kept
    const token = path.split('/').pop()!;
    expect(await db.rows(sql`SELECT 1 FROM survey_invitations WHERE token_hash = ${token}`)).toEqual([]);
    await db.rows(sql`UPDATE survey_invitations SET expires_at = now() - interval '1 minute' WHERE attention_id = ${attentionId}`);
    const expired = await get(server.base, `${path}?lang=en`);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('This survey link has expired');
    expect((await postForm(server.base, path, [['liked', '1'], ['easy', '1'], ['again', 'no']])).status).toBe(410);
  });

  it("asks a town hall's own questions: exactly those, validated, stored apart and counted in the indicators", async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db);
    const slug = town.tenant.slug;
    // "was it easy?" turned off; an own 0–10 question and an own optional yes/no question
    await saveSurveyQuestions({
      db: db.db,
      tenantId: town.tenant.id,
      questions: [
        { id: 'liked', kind: 'scale', required: true },
        { id: 'waiting', kind: 'scale', required: true, label: { ca: 'Com valoreu el temps d’espera?', es: '¿Cómo valora el tiempo de espera?', en: 'How do you rate the waiting time?' } },
        { id: 'recommend', kind: 'yes_no', required: false, label: { ca: 'Ho recomanaríeu?', es: '¿Lo recomendaría?', en: 'Would you recommend it?' } },
        { id: 'again', kind: 'yes_no', required: true, label: { en: 'Would you come back to us?' } },
        { id: 'comment', kind: 'text', required: false },
      ],
    });
    const attentionId = await closedAttention(town, { email: null, language: 'en' });
    const { issuePass } = await import('../server/modules/attention/room-passes.js');
    const pass = await issuePass({ database: db }, { tenantId: town.tenant.id, role: 'citizen', attentionId, ttlMinutes: 60 });
    const fromRoom = await get(server.base, `/${slug}/survey/room/${pass}?lang=en`);
    expect(fromRoom.status).toBe(303);
    const path = new URL(fromRoom.location!, server.base).pathname;

    const form = await get(server.base, `${path}?lang=en`);
    expect(form.status).toBe(200);
    const legends = [...form.text.matchAll(/<legend>([^<]*)<\/legend>|<label for="f-comment">([^<]*)<\/label>/g)].map((m) => m[1] ?? m[2]);
    expect(legends).toEqual([
      'Did you like the attention you received?',
      'How do you rate the waiting time?',
      'Would you recommend it? (optional)',
      'Would you come back to us?',
      'Anything else you would like to tell us? (optional)',
    ]);
    expect(form.text).not.toContain('Was it easy?');
    expect(form.text).not.toContain('name="easy"');
    // in Spanish: the own wording in Spanish, the default wording where the town hall kept it
    const es = await get(server.base, `${path}?lang=es`);
    expect(es.text).toContain('¿Cómo valora el tiempo de espera?');
    expect(es.text).toContain('¿Volvería a usar este servicio?');

    // the own required question is required and bounded; the optional one may be left out
    const missing = await postForm(server.base, path, [['liked', '8'], ['again', 'no'], ['lang', 'en']]);
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('href="#f-waiting"');
    expect(missing.text).toContain('Choose a number from 0 to 10 for &quot;How do you rate the waiting time?&quot;');
    expect(missing.text).not.toContain('href="#f-recommend"');
    const wrong = await postForm(server.base, path, [['liked', '8'], ['waiting', '11'], ['recommend', 'maybe'], ['again', 'no'], ['lang', 'en']]);
    expect(wrong.status).toBe(422);
    for (const k of ['waiting', 'recommend']) expect(wrong.text).toContain(`href="#f-${k}"`);
    expect(wrong.text).not.toContain('href="#f-liked"');
    expect(await db.rows(sql`SELECT 1 FROM survey_responses WHERE attention_id = ${attentionId}`)).toEqual([]);

    // an answer to the question no longer asked is ignored
    const ok = await postForm(server.base, path, [['liked', '8'], ['easy', '5'], ['waiting', '3'], ['recommend', 'yes'], ['again', 'no'], ['comment', ''], ['lang', 'en']]);
    expect(ok.status).toBe(303);
    expect(await db.rows(sql`SELECT liked, easy, again, comment, answers FROM survey_responses WHERE attention_id = ${attentionId}`)).toEqual([
      { liked: 8, easy: null, again: false, comment: null, answers: { waiting: 3, recommend: true } },
    ]);
    const rollups = await db.rows<{ counts: Record<string, number> }>(sql`
      SELECT counts FROM indicator_rollups
       WHERE tenant_id = ${town.tenant.id} AND grain = 'day' AND agent_key = ${ALL_AGENTS} AND procedure_id <> ${ALL_PROCEDURES}`);
    expect(rollups).toHaveLength(1);
    const c = rollups[0].counts;
    expect(c).toMatchObject({ sv: 1, 'sl:8': 1, 'sa:0': 1, 'sq:waiting:3': 1, 'sq:recommend:1': 1 });
    expect(Object.keys(c).filter((k) => k.startsWith('se:'))).toEqual([]);
  });
});
