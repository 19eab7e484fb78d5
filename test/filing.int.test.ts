/**
 * Filing a request on the citizen's behalf, on both databases: every refusal
 * with its code (not an authorised official now, not theirs, not in progress,
 * identity not checked, no consent, consent for other data, a newer consent
 * still waiting for its code, consent older than the identity check, form
 * invalid, already filed), a filing that writes its register entry, filing row,
 * seal_receipt job and audit events in one transaction (and nothing when its
 * last statement fails). Tenant isolation. (500 concurrent filings:
 * filing-concurrency.int.test.ts.)
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entriesAfter, entriesOfAttention } from '../server/modules/audit/audit.repository.js';
import { verifyAuditChain } from '../server/modules/audit/verify-audit-chain.js';
import { csvLookupKey, parseCsvCode } from '../server/modules/evidence/csv-code.js';
import { fileRequest, formSha256 } from '../server/modules/filing/file-request.js';
import { isAppError } from '../shared/errors.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { closeAttention, formalAttention, GENERIC_FORM, PNG } from './support/filing-fixtures.js';
import { api, apiSession, seedTenant, startTestServer, type TestServer } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

const PASSWORD = 'correct horse battery staple';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e.code;
    throw e;
  }
  throw new Error('not refused');
}

describe.each(DATABASE_KINDS)('filing on %s', (kind) => {
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

  async function town() {
    const seed = await seedTenant(db);
    const slug = seed.tenant.slug;
    const signIn = (who: string) => apiSession(server.base, slug, `${who}@${slug}.example`, PASSWORD);
    return { ...seed, slug, agent1: await signIn('agent1'), agent2: await signIn('agent2'), supervisor: await signIn('supervisor'), admin: await signIn('admin') };
  }
  type Town = Awaited<ReturnType<typeof town>>;

  const p = (slug: string, attentionId: string) => `/api/v1/tenants/${slug}/attentions/${attentionId}`;

  /** The identity step through the API: both captures, then the check. */
  async function identify(a: Town, attentionId: string, session: Record<string, string>) {
    const ids: string[] = [];
    for (const side of ['front', 'back']) {
      const res = await fetch(`${server.base}${p(a.slug, attentionId)}/identity/images/${side}`, { method: 'POST', headers: { ...session, 'content-type': 'image/png' }, body: PNG });
      expect(res.status).toBe(201);
      ids.push(((await res.json()) as { documentId: string }).documentId);
    }
    const r = await api(server.base, 'POST', `${p(a.slug, attentionId)}/identity`, { fullName: 'Núria Prats', idNumber: '12345678Z', faceConfirmed: true, frontDocumentId: ids[0], backDocumentId: ids[1] }, session);
    expect(r.status).toBe(201);
    return r.json.identityCheckId as string;
  }

  const consent = async (slug: string, token: string, formData: unknown) => {
    const r = await api(server.base, 'POST', `/${slug}/room/${token}/filing/consent`, { formData });
    expect(r.status).toBe(201);
    return r.json.consentId as string;
  };
  const file = (a: Town, attentionId: string, formData: unknown, session: Record<string, string>) => api(server.base, 'POST', `${p(a.slug, attentionId)}/filing`, { formData }, session);
  const refusedWith = async (r: Promise<{ status: number; json: any }>, status: number, code: string) => {
    const res = await r;
    expect([res.status, res.json?.code]).toEqual([status, code]);
  };

  it('refuses each missing step with its code and writes nothing', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const att = await formalAttention(db, { tenant: a.tenant, agentEmail: `agent1@${a.slug}.example` });
    const other = await formalAttention(db, { tenant: a.tenant, agentEmail: `agent2@${a.slug}.example` });

    // agent2 is not an authorised official, even on their own attention; agent1 cannot file on agent2's
    await refusedWith(file(a, other.attentionId, GENERIC_FORM, a.agent2), 403, 'not_authorised_official');
    await refusedWith(file(a, other.attentionId, GENERIC_FORM, a.agent1), 403, 'forbidden');
    // the supervisor is not an authorised official either
    await refusedWith(file(a, att.attentionId, GENERIC_FORM, a.supervisor), 403, 'not_authorised_official');
    await refusedWith(file(a, crypto.randomUUID(), GENERIC_FORM, a.agent1), 404, 'attention_not_found');
    await refusedWith(file(a, att.attentionId, GENERIC_FORM, { cookie: a.agent1.cookie }), 403, 'csrf_failed');

    // in order: identity, form, consent
    await refusedWith(file(a, att.attentionId, GENERIC_FORM, a.agent1), 409, 'identity_not_checked');
    await identify(a, att.attentionId, a.agent1);
    const bad = await file(a, att.attentionId, { ...GENERIC_FORM, amount: -5, subject: undefined }, a.agent1);
    expect([bad.status, bad.json.code]).toEqual([422, 'form_invalid']);
    expect(bad.json.details.fields).toEqual(expect.arrayContaining([{ path: 'subject', code: 'required' }, { path: 'amount', code: 'minimum' }]));
    await refusedWith(file(a, att.attentionId, 'nonsense', a.agent1), 422, 'form_invalid');
    await refusedWith(file(a, att.attentionId, GENERIC_FORM, a.agent1), 409, 'consent_missing');
    await consent(a.slug, att.token, GENERIC_FORM);
    await refusedWith(file(a, att.attentionId, { ...GENERIC_FORM, amount: 10 }, a.agent1), 409, 'consent_stale');
    // a later consent for other data makes the earlier one stale too
    await consent(a.slug, att.token, { ...GENERIC_FORM, amount: 10 });
    await refusedWith(file(a, att.attentionId, GENERIC_FORM, a.agent1), 409, 'consent_stale');

    // an authorisation revoked since is no authorisation now
    const grants = await api(server.base, 'GET', `/api/v1/tenants/${a.slug}/officials`, undefined, a.admin);
    const laia = grants.json.officials.find((o: { staffId: string }) => o.staffId === att.agentId);
    expect((await api(server.base, 'POST', `/api/v1/tenants/${a.slug}/officials/${laia.id}/revoke`, undefined, a.admin)).status).toBe(200);
    await refusedWith(file(a, att.attentionId, { ...GENERIC_FORM, amount: 10 }, a.agent1), 403, 'not_authorised_official');
    // … until the admin grants it again
    expect((await api(server.base, 'POST', `/api/v1/tenants/${a.slug}/officials`, { staffId: att.agentId, appointmentAct: 'Decret 2/2026', validFrom: '2020-01-01' }, a.admin)).status).toBe(201);

    // a closed attention
    await closeAttention(db, a.tenant.id, att.attentionId);
    await refusedWith(file(a, att.attentionId, { ...GENERIC_FORM, amount: 10 }, a.agent1), 409, 'attention_not_active');

    expect(await db.rows(sql`SELECT 1 FROM register_entries WHERE tenant_id = ${a.tenant.id}`)).toHaveLength(0);
    expect(await db.rows(sql`SELECT 1 FROM filings WHERE tenant_id = ${a.tenant.id}`)).toHaveLength(0);
    expect(await db.rows(sql`SELECT 1 FROM jobs WHERE tenant_id = ${a.tenant.id} AND type = 'seal_receipt'`)).toHaveLength(0);
  });

  it('files only on the latest consent: effective, for this data, and given after the latest identity check', async (t) => {
    if (state.skip) return t.skip();
    // a town hall whose consents need a one-time code by email (set before the server caches it; no mail server here:
    // the email jobs wait, and the code is read from the job as the mail would carry it)
    const seed = await seedTenant(db);
    await db.rows(sql`UPDATE tenants SET settings = settings || '{"formal":{"consentOtp":"email"}}'::jsonb WHERE id = ${seed.tenant.id}`);
    const slug = seed.tenant.slug;
    const tenant = { ...seed.tenant, settings: { ...seed.tenant.settings, formal: { consentOtp: 'email' as const } } };
    const a = { ...seed, tenant, slug, agent1: await apiSession(server.base, slug, `agent1@${slug}.example`, PASSWORD) } as unknown as Town;
    const att = await formalAttention(db, { tenant, agentEmail: `agent1@${slug}.example` });
    await identify(a, att.attentionId, a.agent1);
    const verify = async (consentId: string) => {
      const [job] = await db.rows<{ payload: { accessCode: string } }>(sql`SELECT payload FROM jobs WHERE tenant_id = ${tenant.id} AND payload->>'consentId' = ${consentId}`);
      const r = await api(server.base, 'POST', `/${slug}/room/${att.token}/filing/consent/${consentId}/otp`, { code: job.payload.accessCode });
      expect(r.json).toEqual({ verified: true });
    };
    const other = { ...GENERIC_FORM, amount: 10 };

    // consent A for the data, verified; then consent B for other data, its code still pending: A no longer counts
    await verify(await consent(slug, att.token, GENERIC_FORM));
    const b = await consent(slug, att.token, other);
    await refusedWith(file(a, att.attentionId, GENERIC_FORM, a.agent1), 409, 'consent_missing');
    await refusedWith(file(a, att.attentionId, other, a.agent1), 409, 'consent_missing');
    // once B is verified it counts, for its own data only
    await verify(b);
    await refusedWith(file(a, att.attentionId, GENERIC_FORM, a.agent1), 409, 'consent_stale');

    // a consent given before the latest identity check does not count: a new check asks for consent again
    await verify(await consent(slug, att.token, GENERIC_FORM));
    await identify(a, att.attentionId, a.agent1);
    await refusedWith(file(a, att.attentionId, GENERIC_FORM, a.agent1), 409, 'consent_stale');
    expect(await db.rows(sql`SELECT 1 FROM filings WHERE tenant_id = ${tenant.id}`)).toHaveLength(0);

    await verify(await consent(slug, att.token, GENERIC_FORM));
    const ok = await file(a, att.attentionId, GENERIC_FORM, a.agent1);
    expect(ok.status).toBe(201);
  });

  it('files: register entry, filing, seal_receipt job and audit events, once; the console and the room see it', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const att = await formalAttention(db, { tenant: a.tenant, agentEmail: `agent1@${a.slug}.example`, via: 'appointment', language: 'es' });
    const identityId = await identify(a, att.attentionId, a.agent1);
    const consentId = await consent(a.slug, att.token, GENERIC_FORM);
    // the same data in another key order is the data consented to
    const reordered = Object.fromEntries(Object.entries(GENERIC_FORM).reverse());
    const filed = await file(a, att.attentionId, reordered, a.agent1);
    expect(filed.status).toBe(201);
    const year = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Madrid', year: 'numeric' }).format(new Date(filed.json.registeredAt));
    expect(filed.json).toEqual({ filingId: expect.any(String), registerCode: `E/${year}/000001`, registeredAt: expect.any(String) });
    await refusedWith(file(a, att.attentionId, GENERIC_FORM, a.agent1), 409, 'already_filed');

    const [entry] = await db.rows<{ id: string; code: string; official_id: string; attention_id: string; request_sha256: string }>(sql`
      SELECT id, code, official_id, attention_id, request_sha256 FROM register_entries WHERE tenant_id = ${a.tenant.id}`);
    expect(entry).toMatchObject({ code: filed.json.registerCode, official_id: att.agentId, attention_id: att.attentionId, request_sha256: formSha256(GENERIC_FORM) });
    const [filing] = await db.rows<Record<string, unknown>>(sql`
      SELECT id, identity_check_id, consent_id, official_id, register_entry_id, form_data, form_sha256, language, csv_hash FROM filings WHERE tenant_id = ${a.tenant.id}`);
    expect(filing).toMatchObject({
      id: filed.json.filingId,
      identity_check_id: identityId,
      consent_id: consentId,
      official_id: att.agentId,
      register_entry_id: entry.id,
      form_data: GENERIC_FORM,
      form_sha256: formSha256(GENERIC_FORM),
      language: 'es',
    });
    expect(filing.csv_hash).toMatch(/^[0-9a-f]{64}$/);
    const [job] = await db.rows<{ payload: { filingId: string }; max_attempts: number }>(sql`SELECT payload, max_attempts FROM jobs WHERE tenant_id = ${a.tenant.id} AND type = 'seal_receipt'`);
    expect(job.payload.filingId).toBe(filed.json.filingId);
    expect(job.max_attempts).toBe(8);

    const events = (await entriesOfAttention(db.db, a.tenant.id, att.attentionId)).map((e) => e.event);
    expect(events).toEqual(['identity_checked', 'consent_given', 'entry_registered', ...events.slice(3)]);
    expect(await verifyAuditChain(db, a.tenant.id)).toMatchObject({ ok: true });

    const staffView = await api(server.base, 'GET', p(a.slug, att.attentionId) + '/filing', undefined, a.agent1);
    expect(staffView.json).toMatchObject({ official: true, identity: { id: identityId }, consent: { id: consentId }, filing: { id: filed.json.filingId, registerCode: filed.json.registerCode } });
    const roomView = await api(server.base, 'GET', `/${a.slug}/room/${att.token}/filing`);
    expect(roomView.json.filing).toMatchObject({ id: filed.json.filingId, registerCode: filed.json.registerCode });
    // another town hall's staff see nothing of it
    const b = await town();
    await refusedWith(api(server.base, 'GET', p(b.slug, att.attentionId) + '/filing', undefined, b.supervisor), 404, 'attention_not_found');
    await refusedWith(file(b, att.attentionId, GENERIC_FORM, b.agent1), 404, 'attention_not_found');
    // the staff routes are documented; the browser console's twins and the citizen's are not
    const paths = Object.keys((await api(server.base, 'GET', '/api/openapi.json')).json.paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/tenants/{slug}/attentions/{id}/filing', '/api/v1/tenants/{slug}/attentions/{id}/identity', '/api/v1/tenants/{slug}/attentions/{id}/identity/images/{side}']));
    expect(paths.filter((x) => x === '/{slug}/room/{token}/filing' || x.startsWith('/{slug}/room/{token}/filing/consent') || x.includes('/staff/console/api/attentions/{id}/filing'))).toEqual([]);
    // the receipt job (modules/receipt) seals it: the room learns the receipt is ready
    await expect.poll(async () => (await api(server.base, 'GET', `/${a.slug}/room/${att.token}/filing`)).json.filing.receiptReady, { timeout: 30_000 }).toBe(true);
  });

  it('a supervisor who is an authorised official may file an agent’s attention; the module returns the CSV whose hash is stored', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const att = await formalAttention(db, { tenant: a.tenant, agentEmail: `agent2@${a.slug}.example` });
    await identify(a, att.attentionId, a.agent2);
    await consent(a.slug, att.token, GENERIC_FORM);
    const [sup] = await db.rows<{ id: string; role: 'supervisor' }>(sql`SELECT id, role FROM staff WHERE tenant_id = ${a.tenant.id} AND role = 'supervisor'`);
    expect(await codeOf(fileRequest({ database: db }, { tenant: a.tenant, attentionId: att.attentionId, official: sup, formData: GENERIC_FORM }))).toBe('not_authorised_official');
    expect((await api(server.base, 'POST', `/api/v1/tenants/${a.slug}/officials`, { staffId: sup.id, appointmentAct: 'Decret 3/2026', validFrom: '2020-01-01' }, a.admin)).status).toBe(201);
    let kicked = 0;
    const out = await fileRequest({ database: db, kickJobs: () => kicked++ }, { tenant: a.tenant, attentionId: att.attentionId, official: sup, formData: GENERIC_FORM });
    expect(kicked).toBe(1);
    expect(parseCsvCode(out.csv).ok).toBe(true);
    const [row] = await db.rows<{ csv_hash: string; official_id: string }>(sql`SELECT csv_hash, official_id FROM filings WHERE id = ${out.filingId}`);
    expect(row).toEqual({ csv_hash: csvLookupKey(out.csv), official_id: sup.id });
  });

  it('leaves nothing half-written when the last statement fails, and one of two simultaneous filings of an attention wins', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const att = await formalAttention(db, { tenant: a.tenant, agentEmail: `agent1@${a.slug}.example` });
    await identify(a, att.attentionId, a.agent1);
    await consent(a.slug, att.token, GENERIC_FORM);
    const official = { id: att.agentId, role: 'agent' as const };
    const auditBefore = (await entriesAfter(db.db, a.tenant.id, 0, 1000)).length;
    // the seal_receipt job cannot be written (a bad attempt count): registered number, filing and audit roll back
    await expect(fileRequest({ database: db, maxAttempts: Number.NaN }, { tenant: a.tenant, attentionId: att.attentionId, official, formData: GENERIC_FORM })).rejects.toThrow();
    expect(await db.rows(sql`SELECT 1 FROM register_entries WHERE tenant_id = ${a.tenant.id}`)).toHaveLength(0);
    expect(await db.rows(sql`SELECT 1 FROM register_counters WHERE tenant_id = ${a.tenant.id}`)).toHaveLength(0);
    expect(await db.rows(sql`SELECT 1 FROM filings WHERE tenant_id = ${a.tenant.id}`)).toHaveLength(0);
    expect(await db.rows(sql`SELECT 1 FROM jobs WHERE tenant_id = ${a.tenant.id} AND type = 'seal_receipt'`)).toHaveLength(0);
    expect((await entriesAfter(db.db, a.tenant.id, 0, 1000)).length).toBe(auditBefore);

    const results = await Promise.allSettled([0, 1].map(() => fileRequest({ database: db }, { tenant: a.tenant, attentionId: att.attentionId, official, formData: GENERIC_FORM })));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((r) => isAppError(r.reason) && r.reason.code)).toEqual(['already_filed']);
    expect((won[0] as PromiseFulfilledResult<{ registerCode: string }>).value.registerCode).toMatch(/\/000001$/);
    expect(await db.rows(sql`SELECT 1 FROM register_entries WHERE tenant_id = ${a.tenant.id}`)).toHaveLength(1);
  });
});
