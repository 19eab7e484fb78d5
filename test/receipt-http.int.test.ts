/**
 * The sealed receipt through a running server on both databases: the job
 * runner seals it, the citizen downloads it from their call room (409
 * receipt_not_ready before, only their own filing), the staff download it
 * (the attention's agent, supervisors, admins; not another agent), and the
 * receipt email reaches a real SMTP server with the PDF attached. Downloads
 * (receipt, documents) are rate-limited.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCsvCode } from '../server/modules/evidence/csv-code.js';
import { createStaff } from '../server/modules/staff/create-staff.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { fileRequest } from '../server/modules/filing/file-request.js';
import { filedRequest, prepareFormalAttention } from './support/filings.js';
import { pdfsig } from './support/pdf-tools.js';
import { startSmtp } from './support/smtp.js';
import { api, apiSession, smallTenant, startTestServer, type TestServer } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

const PASSWORD = 'correct horse battery staple';
const LATER = new Date(Date.now() + 24 * 3600_000);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(DATABASE_KINDS)('receipt downloads and email on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    smtp = await startSmtp();
    server = await startTestServer(db, { SMTP_URL: smtp.url, LIVE_SWEEP_SECONDS: '3600' });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  /** Lets the job runner seal the filing now, and waits until it has. */
  async function sealNow(jobId: string, filingId: string): Promise<string> {
    await db.rows(sql`UPDATE jobs SET run_at = now() WHERE id = ${jobId}`);
    server.ctx.kickJobs();
    const until = Date.now() + 20_000;
    for (;;) {
      const [row] = await db.rows<{ status: string; receipt_sha256: string | null }>(sql`SELECT status, receipt_sha256 FROM filings WHERE id = ${filingId}`);
      if (row.status === 'sealed') return row.receipt_sha256!;
      if (Date.now() > until) throw new Error('the receipt was not sealed in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.base}${path}`, { headers });

  it('the citizen gets 409 while it is being sealed, then the sealed PDF; the email brings it attached with the code and the link', async (t) => {
    if (state.skip) return t.skip();
    const f = await filedRequest(db, { sealAt: LATER });
    const path = `/${f.tenant.slug}/room/${f.passToken}/filing/${f.filingId}/receipt`;

    const early = await get(path, { accept: 'application/json' });
    expect(early.status).toBe(409);
    expect(early.headers.get('retry-after')).toBe('2');
    expect((await early.json()).code).toBe('receipt_not_ready');
    // a browser gets the translated page
    const earlyPage = await get(`${path}?lang=ca`, { accept: 'text/html' });
    expect(earlyPage.status).toBe(409);
    expect(await earlyPage.text()).toContain('segellant');

    const receiptSha = await sealNow(f.jobId, f.filingId);
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename=justificant-${f.registerCode.replace(/\//g, '-')}.pdf`);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/^sandbox/);
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(sha256(pdf)).toBe(receiptSha);
    expect((await pdfsig(pdf)).stdout).toContain('Signature Validation: Signature is Valid.');

    const [mail] = await smtp.waitForTo(f.citizen.email!);
    const parsed = await simpleParser(mail.raw);
    expect(parsed.subject).toBe(`Justificant del registre ${f.registerCode} · Ajuntament de Prova`);
    const csv = formatCsvCode(f.csv);
    expect(parsed.text).toContain(`Número de registre: ${f.registerCode}`);
    expect(parsed.text).toContain(`Codi segur de verificació: ${csv}`);
    expect(parsed.text).toContain(`${server.ctx.config.PUBLIC_URL}/${f.tenant.slug}/verify?csv=${csv}`);
    expect(parsed.text).toContain('Hola, Núria Prats i Vilà:');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({ filename: `justificant-${f.registerCode.replace(/\//g, '-')}.pdf`, contentType: 'application/pdf' });
    expect(sha256(parsed.attachments[0].content)).toBe(receiptSha);

    // once sent, the code is gone from the email job, as from the sealing job
    const until = Date.now() + 10_000;
    let payloads: Array<Record<string, unknown>> = [];
    while (Date.now() < until) {
      payloads = (await db.rows<{ payload: Record<string, unknown>; status: string }>(sql`
        SELECT payload, status FROM jobs WHERE tenant_id = ${f.tenant.id} AND type IN ('email', 'seal_receipt') AND status = 'done'`)).map((r) => r.payload);
      if (payloads.length === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(payloads).toHaveLength(2);
    expect(JSON.stringify(payloads)).not.toContain(csv);
    expect(JSON.stringify(payloads)).not.toContain(f.csv);
  });

  it('a request filed by fileRequest is sealed by the running worker and reaches the citizen', async (t) => {
    if (state.skip) return t.skip();
    const a = await prepareFormalAttention(db, { email: null });
    const filed = await fileRequest(
      { database: db, kickJobs: server.ctx.kickJobs },
      { tenant: a.tenant, attentionId: a.attentionId, official: { id: a.official.id, role: a.official.role }, formData: a.formData },
    );
    const [job] = await db.rows<{ id: string }>(sql`SELECT id FROM jobs WHERE tenant_id = ${a.tenant.id} AND type = 'seal_receipt'`);
    const receiptSha = await sealNow(job.id, filed.filingId);
    const res = await get(`/${a.tenant.slug}/room/${a.passToken}/filing/${filed.filingId}/receipt`);
    expect(res.status).toBe(200);
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(receiptSha);
    const [after] = await db.rows<{ payload: Record<string, unknown> }>(sql`SELECT payload FROM jobs WHERE id = ${job.id}`);
    expect(after.payload).toEqual({ filingId: filed.filingId });
  });

  it("another citizen's pass, a made-up token or a made-up filing answer not found", async (t) => {
    if (state.skip) return t.skip();
    const f = await filedRequest(db);
    const other = await filedRequest(db, { town: f, status: 'closed' });
    await sealNow(f.jobId, f.filingId);
    const json = { accept: 'application/json' };
    const theirs = await get(`/${f.tenant.slug}/room/${other.passToken}/filing/${f.filingId}/receipt`, json);
    expect(theirs.status).toBe(404);
    expect((await theirs.json()).code).toBe('filing_not_found');
    const madeUpToken = await get(`/${f.tenant.slug}/room/${'x'.repeat(43)}/filing/${f.filingId}/receipt`, json);
    expect(madeUpToken.status).toBe(404);
    expect((await madeUpToken.json()).code).toBe('not_found');
    for (const id of ['nope', '00000000-0000-4000-8000-000000000000', other.filingId.toUpperCase() + 'x']) {
      const r = await get(`/${f.tenant.slug}/room/${f.passToken}/filing/${id}/receipt`, json);
      expect(r.status).toBe(404);
      expect((await r.json()).code).toBe('filing_not_found');
    }
  });

  it("staff: the attention's agent, supervisors and admins download it; another agent may not; another town hall's filing is not found", async (t) => {
    if (state.skip) return t.skip();
    const town = await smallTenant(db, { agents: 2 });
    const slug = town.tenant.slug;
    await createStaff({ db: db.db, tenantId: town.tenant.id, email: 'super@prova.example', fullName: 'Sergi Super', password: PASSWORD, role: 'supervisor' });
    await createStaff({ db: db.db, tenantId: town.tenant.id, email: 'admin@prova.example', fullName: 'Anna Admin', password: PASSWORD, role: 'admin' });
    const f = await filedRequest(db, { town, sealAt: LATER });
    const elsewhere = await filedRequest(db);
    const path = (id: string) => `/api/v1/tenants/${slug}/filings/${id}/receipt`;
    const agent = await apiSession(server.base, slug, 'agent0@prova.example', PASSWORD);

    const early = await api(server.base, 'GET', path(f.filingId), undefined, agent);
    expect(early.status).toBe(409);
    expect(early.json.code).toBe('receipt_not_ready');

    const receiptSha = await sealNow(f.jobId, f.filingId);
    for (const email of ['agent0@prova.example', 'super@prova.example', 'admin@prova.example']) {
      const session = await apiSession(server.base, slug, email, PASSWORD);
      const res = await get(path(f.filingId), { cookie: session.cookie });
      expect(res.status, email).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(receiptSha);
    }
    // the browser console's prefix too (the agent's "receipt" link in the call)
    const consoleRes = await get(`/${slug}/staff/console/api/filings/${f.filingId}/receipt`, { cookie: agent.cookie });
    expect(consoleRes.status).toBe(200);
    expect(sha256(Buffer.from(await consoleRes.arrayBuffer()))).toBe(receiptSha);
    const otherAgent = await apiSession(server.base, slug, 'agent1@prova.example', PASSWORD);
    expect((await api(server.base, 'GET', path(f.filingId), undefined, otherAgent)).json.code).toBe('forbidden');
    expect((await api(server.base, 'GET', path(f.filingId))).status).toBe(401);
    const foreign = await api(server.base, 'GET', path(elsewhere.filingId), undefined, agent);
    expect(foreign.status).toBe(404);
    expect(foreign.json.code).toBe('filing_not_found');
    const malformed = await api(server.base, 'GET', path('not-a-uuid'), undefined, agent);
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    expect(malformed.status).toBeLessThan(500);
  });

  it('downloads are rate-limited: the receipt and the documents, the citizen’s and the staff’s (RATE_LIMIT_UPLOAD_PER_MINUTE)', async (t) => {
    if (state.skip) return t.skip();
    const limited = await startTestServer(db, { LIVE_SWEEP_SECONDS: '3600', RATE_LIMIT_UPLOAD_PER_MINUTE: '3' });
    try {
      const town = await smallTenant(db, { agents: 1 });
      const f = await filedRequest(db, { town, sealAt: LATER });
      const agent = await apiSession(limited.base, town.tenant.slug, 'agent0@prova.example', PASSWORD);
      const doc = f.documents[0].id;
      const paths: Array<[string, Record<string, string>]> = [
        [`/${town.tenant.slug}/room/${f.passToken}/filing/${f.filingId}/receipt`, { accept: 'application/json' }],
        [`/${town.tenant.slug}/room/${f.passToken}/documents/${doc}`, { accept: 'application/json' }],
        [`/api/v1/tenants/${town.tenant.slug}/filings/${f.filingId}/receipt`, { cookie: agent.cookie }],
        [`/api/v1/tenants/${town.tenant.slug}/documents/${doc}/content`, { cookie: agent.cookie }],
      ];
      for (const [path, headers] of paths) {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          const res = await fetch(`${limited.base}${path}`, { headers });
          await res.arrayBuffer();
          statuses.push(res.status);
        }
        expect(statuses.slice(0, 3), path).not.toContain(429);
        expect(statuses[3], path).toBe(429);
      }
    } finally {
      await limited.close();
    }
  });
});
