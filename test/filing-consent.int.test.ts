/**
 * The citizen's consent to file on both databases, through the room pass:
 * the form and the consent text in the citizen's language, the consent for
 * exactly the form data (with its place in the recording), `consent_given` in
 * the audit chain when it becomes effective, and the one-time code by email
 * through a real SMTP server (only its HMAC kept; wrong, expired, too many
 * attempts). Rate limits and another town hall's pass.
 */
import { createHmac } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entriesOfAttention } from '../server/modules/audit/audit.repository.js';
import { verifyAuditChain } from '../server/modules/audit/verify-audit-chain.js';
import { formSha256 } from '../server/modules/filing/request-schema.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { formalAttention, GENERIC_FORM } from './support/filing-fixtures.js';
import { startSmtp } from './support/smtp.js';
import { api, apiSession, seedTenant, startTestServer, type TestServer } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

const PASSWORD = 'correct horse battery staple';

describe.each(DATABASE_KINDS)('filing consent on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    smtp = await startSmtp();
    server = await startTestServer(db, { LIVE_SWEEP_SECONDS: '3600', SMTP_URL: smtp.url, SMTP_FROM: 'oac@vilademo.example' });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  /** A demo town hall; with `otp` its consents need a code by email (set before the server caches the town hall). */
  async function town(o: { otp?: boolean } = {}) {
    const seed = await seedTenant(db);
    if (o.otp) await db.rows(sql`UPDATE tenants SET settings = settings || '{"formal":{"consentOtp":"email"}}'::jsonb WHERE id = ${seed.tenant.id}`);
    const slug = seed.tenant.slug;
    const tenant = { ...seed.tenant, settings: { ...seed.tenant.settings, ...(o.otp ? { formal: { consentOtp: 'email' as const } } : {}) } };
    return { ...seed, tenant, slug, agent1: await apiSession(server.base, slug, `agent1@${slug}.example`, PASSWORD) };
  }

  const room = (slug: string, token: string) => `/${slug}/room/${token}/filing`;

  it('shows the form and the consent text, stores the consent for exactly the data with its place in the recording, and audits it', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const att = await formalAttention(db, { tenant: a.tenant, agentEmail: `agent1@${a.slug}.example`, language: 'es' });

    const view = await api(server.base, 'GET', room(a.slug, att.token));
    expect(view.status).toBe(200);
    expect(view.json.procedure).toEqual({ name: 'Instancia genérica' });
    expect(view.json.language).toBe('es');
    expect(view.json.schema.required).toEqual(['subject', 'description', 'applicantRole']);
    expect(view.json.consentText).toContain('Ajuntament de Vilademo');
    expect(view.json.consentText).toContain('«Instancia genérica»');
    expect(view.json.consentText).toContain('artículo 12.2 de la Ley 39/2015');
    expect(view.json).toMatchObject({ otpRequired: false, consent: null, filing: null });
    // the room page in another language asks for it
    const inCatalan = await api(server.base, 'GET', `${room(a.slug, att.token)}?lang=ca`);
    expect(inCatalan.json.consentText).toContain("article 12.2 de la Llei 39/2015");
    expect((await api(server.base, 'GET', `${room(a.slug, att.token)}?lang=fr`)).json.language).toBe('es');

    // bad form data: each field with its code; nothing stored
    const bad = await api(server.base, 'POST', `${room(a.slug, att.token)}/consent`, { formData: { ...GENERIC_FORM, subject: '', eventDate: '2026-02-30', applicantRole: 'boss', extra: 1 } });
    expect(bad.status).toBe(422);
    expect(bad.json.code).toBe('form_invalid');
    expect(Object.fromEntries(bad.json.details.fields.map((f: { path: string; code: string }) => [f.path, f.code]))).toEqual({ subject: 'minLength', eventDate: 'format', applicantRole: 'enum', extra: 'unknown' });
    for (const body of [{}, { formData: [] }, { formData: 'x' }, { formData: null }]) {
      expect((await api(server.base, 'POST', `${room(a.slug, att.token)}/consent`, body)).json.code).toBe('form_invalid');
    }
    expect((await api(server.base, 'POST', `${room(a.slug, att.token)}/consent`, '{"formData":')).status).toBe(400);
    expect(await db.rows(sql`SELECT 1 FROM filing_consents WHERE tenant_id = ${a.tenant.id}`)).toHaveLength(0);

    // the call is being recorded: the consent notes where (5 s after the recording started)
    const [rec] = await db.rows<{ id: string }>(sql`
      INSERT INTO recordings (tenant_id, attention_id, consent_at, consent_text, status, started_at)
      VALUES (${a.tenant.id}, ${att.attentionId}, now(), 'Consent', 'recording', clock_timestamp() - interval '5 seconds') RETURNING id`);
    const given = await api(server.base, 'POST', `${room(a.slug, att.token)}/consent`, { formData: { ...GENERIC_FORM } });
    expect(given.status).toBe(201);
    expect(given.json).toEqual({ consentId: expect.any(String), formSha256: formSha256(GENERIC_FORM), otpRequired: false });
    const [row] = await db.rows<{ text_shown: string; language: string; recording_id: string; recording_offset_ms: string; otp_channel: string | null; form_sha256: string }>(sql`
      SELECT text_shown, language, recording_id, recording_offset_ms, otp_channel, form_sha256 FROM filing_consents WHERE id = ${given.json.consentId}`);
    expect(row.text_shown).toBe(view.json.consentText);
    expect(row).toMatchObject({ language: 'es', recording_id: rec.id, otp_channel: null, form_sha256: formSha256(GENERIC_FORM) });
    expect(Number(row.recording_offset_ms)).toBeGreaterThanOrEqual(5000);
    expect(Number(row.recording_offset_ms)).toBeLessThan(60_000);

    const audit = (await entriesOfAttention(db.db, a.tenant.id, att.attentionId)).filter((e) => e.event === 'consent_given');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_kind: 'citizen',
      actor_staff_id: null,
      subjects: { attention: att.attentionId, consent: given.json.consentId, recording: rec.id },
      data: { formSha256: formSha256(GENERIC_FORM), otp: false, language: 'es' },
    });
    // the key order of the data does not change what was consented to
    const reordered = Object.fromEntries(Object.entries(GENERIC_FORM).reverse());
    const again = await api(server.base, 'POST', `${room(a.slug, att.token)}/consent`, { formData: reordered });
    expect(again.json.formSha256).toBe(given.json.formSha256);

    // both sides see it
    const after = await api(server.base, 'GET', room(a.slug, att.token));
    expect(after.json.consent).toMatchObject({ id: again.json.consentId, formSha256: formSha256(GENERIC_FORM), otpRequired: false, otpVerified: false });
    const staff = await api(server.base, 'GET', `/api/v1/tenants/${a.slug}/attentions/${att.attentionId}/filing`, undefined, a.agent1);
    expect(staff.json).toMatchObject({ procedure: { code: 'instancia-generica' }, official: true, identity: null, consent: { id: again.json.consentId }, filing: null });
    expect(await verifyAuditChain(db, a.tenant.id)).toMatchObject({ ok: true });
  });

  it('refuses consent outside an attention in progress and with another town hall’s pass', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const b = await town();
    const att = await formalAttention(db, { tenant: a.tenant, agentEmail: `agent1@${a.slug}.example` });
    expect((await api(server.base, 'GET', room(b.slug, att.token))).json.code).toBe('not_found');
    expect((await api(server.base, 'POST', `${room(b.slug, att.token)}/consent`, { formData: GENERIC_FORM })).json.code).toBe('not_found');
    expect((await api(server.base, 'GET', room(a.slug, 'x'.repeat(43)))).json.code).toBe('not_found');
    await db.rows(sql`UPDATE attentions SET status = 'waiting', agent_id = NULL, taken_at = NULL WHERE id = ${att.attentionId}`);
    const waiting = await api(server.base, 'POST', `${room(a.slug, att.token)}/consent`, { formData: GENERIC_FORM });
    expect(waiting.status).toBe(409);
    expect(waiting.json.code).toBe('attention_not_active');
    // before the call, the room still shows the form and the text
    expect((await api(server.base, 'GET', room(a.slug, att.token))).json.procedure.name).toBe('Instància genèrica');
  });

  it('with a one-time code: emails it, keeps only its HMAC, and the consent counts only once the code is right', async (t) => {
    if (state.skip) return t.skip();
    const a = await town({ otp: true });
    const email = `otp.${a.slug}@example.com`;
    const att = await formalAttention(db, { tenant: a.tenant, agentEmail: `agent1@${a.slug}.example`, email, via: 'appointment', language: 'en' });
    expect((await api(server.base, 'GET', room(a.slug, att.token))).json.otpRequired).toBe(true);

    const given = await api(server.base, 'POST', `${room(a.slug, att.token)}/consent`, { formData: GENERIC_FORM });
    expect(given.status).toBe(201);
    expect(given.json.otpRequired).toBe(true);
    const consentId = given.json.consentId as string;
    // not effective yet: no audit event
    expect((await entriesOfAttention(db.db, a.tenant.id, att.attentionId)).filter((e) => e.event === 'consent_given')).toHaveLength(0);

    const [mail] = await smtp.waitForTo(email, 1);
    const parsed = await simpleParser(mail.raw);
    expect(parsed.subject).toBe('Your code to confirm your request to Ajuntament de Vilademo');
    const code = /\b(\d{6})\b/.exec(parsed.text ?? '')![1];
    expect(parsed.text).toContain('General request');
    expect(parsed.text).toContain('10 minutes');
    const [stored] = await db.rows<{ otp_hash: string; otp_channel: string }>(sql`SELECT otp_hash, otp_channel FROM filing_consents WHERE id = ${consentId}`);
    expect(stored.otp_channel).toBe('email');
    expect(stored.otp_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.otp_hash).not.toContain(code);
    // keyed by the server's secret, not by the consent id the client knows: a database read does not give the code away
    expect(stored.otp_hash).not.toBe(createHmac('sha256', consentId).update(code).digest('hex'));
    expect(stored.otp_hash).not.toBe(createHmac('sha256', consentId).update(`${consentId}:${code}`).digest('hex'));
    // the code leaves the job once the email is sent
    await expect
      .poll(async () => (await db.rows<{ status: string; payload: Record<string, unknown> }>(sql`SELECT status, payload FROM jobs WHERE tenant_id = ${a.tenant.id} AND payload->>'consentId' = ${consentId}`))[0])
      .toMatchObject({ status: 'done' });
    const [job] = await db.rows<{ payload: Record<string, unknown> }>(sql`SELECT payload FROM jobs WHERE tenant_id = ${a.tenant.id} AND payload->>'consentId' = ${consentId}`);
    expect(job.payload).toEqual({ template: 'filing_otp', consentId });

    const otp = (id: string, c: unknown) => api(server.base, 'POST', `${room(a.slug, att.token)}/consent/${id}/otp`, { code: c });
    const wrong = code === '000000' ? '000001' : '000000';
    const w = await otp(consentId, wrong);
    expect([w.status, w.json.code]).toEqual([422, 'otp_invalid']);
    expect((await otp(consentId, 'abc')).json.code).toBe('otp_invalid');
    expect((await otp(crypto.randomUUID(), code)).json.code).toBe('not_found');
    expect((await otp('nope', code)).json.code).toBe('not_found');
    expect((await otp(consentId, 123456)).status).toBe(400);
    const ok = await otp(consentId, ` ${code.slice(0, 3)} ${code.slice(3)} `);
    expect([ok.status, ok.json]).toEqual([200, { verified: true }]);
    expect((await otp(consentId, code)).json).toEqual({ verified: true });
    const [verified] = await db.rows<{ otp_attempts: number; otp_verified_at: Date | null; otp_hash: string | null }>(sql`SELECT otp_attempts, otp_verified_at, otp_hash FROM filing_consents WHERE id = ${consentId}`);
    expect(verified.otp_attempts).toBe(2);
    expect(verified.otp_verified_at).not.toBeNull();
    expect(verified.otp_hash).toBeNull();
    const audit = (await entriesOfAttention(db.db, a.tenant.id, att.attentionId)).filter((e) => e.event === 'consent_given');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_kind: 'citizen', subjects: { attention: att.attentionId, consent: consentId }, data: { formSha256: formSha256(GENERIC_FORM), otp: true, language: 'en' } });
    const staff = await api(server.base, 'GET', `/api/v1/tenants/${a.slug}/attentions/${att.attentionId}/filing`, undefined, a.agent1);
    expect(staff.json.consent).toMatchObject({ id: consentId, otpRequired: true, otpVerified: true });

    // five wrong codes end a code, even for the right one after them
    const second = await api(server.base, 'POST', `${room(a.slug, att.token)}/consent`, { formData: GENERIC_FORM });
    for (let i = 0; i < 5; i++) expect((await otp(second.json.consentId, 'xxxxxx')).json.code).toBe('otp_invalid');
    const [secondMail] = (await smtp.waitForTo(email, 2)).slice(-1);
    const secondCode = /\b(\d{6})\b/.exec((await simpleParser(secondMail.raw)).text ?? '')![1];
    const tooMany = await otp(second.json.consentId, secondCode);
    expect([tooMany.status, tooMany.json.code]).toEqual([429, 'otp_attempts']);

    // an expired code
    const third = await api(server.base, 'POST', `${room(a.slug, att.token)}/consent`, { formData: GENERIC_FORM });
    await smtp.waitForTo(email, 3);
    await db.rows(sql`UPDATE filing_consents SET otp_expires_at = now() - interval '1 second' WHERE id = ${third.json.consentId}`);
    const expired = await otp(third.json.consentId, '123456');
    expect([expired.status, expired.json.code]).toEqual([410, 'otp_expired']);
    // only the verified consent is effective
    expect((await entriesOfAttention(db.db, a.tenant.id, att.attentionId)).filter((e) => e.event === 'consent_given')).toHaveLength(1);

    // at most three codes waiting in ten minutes (the verified one does not count): asking again buys no fresh attempts
    const fourth = await api(server.base, 'POST', `${room(a.slug, att.token)}/consent`, { formData: GENERIC_FORM });
    expect(fourth.status).toBe(201);
    await smtp.waitForTo(email, 4);
    const fifth = await api(server.base, 'POST', `${room(a.slug, att.token)}/consent`, { formData: GENERIC_FORM });
    expect([fifth.status, fifth.json.code]).toEqual([429, 'otp_attempts']);
    expect(await db.rows(sql`SELECT 1 FROM filing_consents WHERE attention_id = ${att.attentionId}`)).toHaveLength(4);
    expect(await db.rows(sql`SELECT 1 FROM jobs WHERE tenant_id = ${a.tenant.id} AND payload->>'template' = 'filing_otp'`)).toHaveLength(4);
    // ten minutes later the older codes no longer count
    await db.rows(sql`UPDATE filing_consents SET given_at = given_at - interval '11 minutes' WHERE attention_id = ${att.attentionId} AND id <> ${fourth.json.consentId}`);
    expect((await api(server.base, 'POST', `${room(a.slug, att.token)}/consent`, { formData: GENERIC_FORM })).status).toBe(201);
    expect(await verifyAuditChain(db, a.tenant.id)).toMatchObject({ ok: true });
  });

  it('without an email address there is no code even when the town hall asks for one', async (t) => {
    if (state.skip) return t.skip();
    const a = await town({ otp: true });
    const att = await formalAttention(db, { tenant: a.tenant, agentEmail: `agent1@${a.slug}.example`, email: null });
    const given = await api(server.base, 'POST', `${room(a.slug, att.token)}/consent`, { formData: GENERIC_FORM });
    expect(given.json.otpRequired).toBe(false);
    expect((await entriesOfAttention(db.db, a.tenant.id, att.attentionId)).filter((e) => e.event === 'consent_given')).toHaveLength(1);
  });
});
