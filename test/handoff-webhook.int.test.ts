/**
 * Delivery by webhook through the outbox: a local receiver that fails twice
 * (an error status, then no answer in time) and then accepts gets the package
 * once delivered, with the same idempotency key and body and a valid HMAC on
 * every attempt, the retry surviving a worker restart; retries exhausted →
 * `failed`, visible to supervisors (API and page) and retried from there; a
 * build that fails for good is visible too (`build_failed`) and "Retry" builds
 * it again. The receiver is on this machine: WEBHOOK_ALLOW_PRIVATE is set.
 */
import { mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../server/modules/handoff/webhook-signature.js';
import { DATABASE_KINDS } from './support/databases.js';
import { deliveryDueNow, deliveryJobs, drain, handoffRunner, packagedFiling, sha256, staffSession, webhookReceiver } from './support/handoff-fixtures.js';
import { api, startTestServer, type TestServer } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

describe.each(DATABASE_KINDS)('webhook hand-off on %s', (kind) => {
  const state = useDatabase(kind);
  let server: TestServer;
  let dataDir: string;

  beforeAll(async () => {
    if (state.skip) return;
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'fin-webhook-'));
    server = await startTestServer(state.db, { DATA_DIR: dataDir, WORKER: 'false', RETENTION_SWEEP_SECONDS: '0', WEBHOOK_ALLOW_PRIVATE: 'true' });
  });
  afterAll(async () => {
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function withWebhook(url: string) {
    const f = await packagedFiling(server);
    const admin = await staffSession(server, f.tenant, 'admin');
    const supervisor = await staffSession(server, f.tenant, 'supervisor');
    expect((await api(server.base, 'PUT', `/api/v1/tenants/${f.tenant.slug}/integration`, { webhookUrl: url }, admin)).status).toBe(200);
    const secret = (await api(server.base, 'POST', `/api/v1/tenants/${f.tenant.slug}/integration/webhook-secret`, {}, admin)).json.webhookSecret as string;
    return { ...f, admin, supervisor, secret };
  }

  const handoff = async (filingId: string) =>
    (await state.db.rows<{ status: string; attempts: number; last_error: string | null; delivered_via: string | null; manifest_sha256: string }>(sql`
      SELECT status, attempts, last_error, delivered_via, manifest_sha256 FROM handoffs WHERE filing_id = ${filingId}`))[0];

  it('retries a failing receiver with backoff across a restart and delivers once, same key, same body, valid signature', async (t) => {
    if (state.skip) return t.skip();
    const receiver = await webhookReceiver((n) => (n === 0 ? 500 : n === 1 ? 'hang' : 'ok'));
    try {
      const f = await withWebhook(receiver.url);
      // worker 1: seals, builds, first delivery answered 500
      await drain(handoffRunner(server, { timeoutMs: 500 }));
      expect(receiver.received).toHaveLength(1);
      expect(await handoff(f.filingId)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'http_500' });
      const [job] = await deliveryJobs(state.db, f.filingId);
      expect(job).toMatchObject({ status: 'pending', attempts: 1, max_attempts: 12 });
      expect(job.last_error).toContain('http_500');
      expect(job.last_error).not.toContain('SECRET RECEIVER DETAIL');
      const [backoff] = await state.db.rows<{ seconds: number }>(sql`SELECT extract(epoch FROM run_at - now())::float8 AS seconds FROM jobs WHERE id = ${job.id}`);
      expect(backoff.seconds).toBeGreaterThan(5);

      // the worker "restarts": a new runner finds the job once its backoff has passed; the receiver does not answer in time
      await deliveryDueNow(state.db, f.filingId);
      await drain(handoffRunner(server, { timeoutMs: 500 }));
      expect(receiver.received).toHaveLength(2);
      expect(await handoff(f.filingId)).toMatchObject({ status: 'pending', attempts: 2, last_error: 'timeout' });

      // and again: accepted
      await deliveryDueNow(state.db, f.filingId);
      await drain(handoffRunner(server, { timeoutMs: 500 }));
      expect(receiver.received).toHaveLength(3);
      const done = await handoff(f.filingId);
      expect(done).toMatchObject({ status: 'delivered', attempts: 3, last_error: null, delivered_via: 'webhook' });
      expect((await deliveryJobs(state.db, f.filingId)).map((j) => j.status)).toEqual(['done']);

      // every attempt: the same key and body, a fresh valid signature
      const first = receiver.received[0];
      for (const r of receiver.received) {
        expect(r.headers['idempotency-key']).toBe(f.filingId);
        expect(r.body).toBe(first.body);
        expect(r.headers['content-type']).toBe('application/json');
        const ok = verifyWebhookSignature({ secret: f.secret, timestamp: String(r.headers['x-finestreta-timestamp']), body: r.body, signature: String(r.headers['x-finestreta-signature']) });
        expect(ok).toBe(true);
        expect(verifyWebhookSignature({ secret: 'whsec_other', timestamp: String(r.headers['x-finestreta-timestamp']), body: r.body, signature: String(r.headers['x-finestreta-signature']) })).toBe(false);
      }
      const body = JSON.parse(first.body);
      expect(body).toMatchObject({ event: 'package.ready', idempotencyKey: f.filingId, filing: { id: f.filingId, registerCode: f.registerCode, procedureCode: 'tramit' } });
      expect(sha256(Buffer.from(body.manifest, 'base64'))).toBe(done.manifest_sha256);
      expect(body.parts.find((p: { name: string }) => p.name === 'receipt.pdf').url).toBe(`${server.base}/api/v1/handoff/${f.tenant.slug}/packages/${f.filingId}/parts/receipt.pdf`);
      // the body carries no personal data in clear beyond the sealed manifest's references
      expect(first.body).not.toContain(f.citizen.idNumber);

      const audits = await state.db.rows(sql`SELECT data FROM audit_log WHERE tenant_id = ${f.tenant.id} AND event = 'package_delivered'`);
      expect(audits).toEqual([{ data: { via: 'webhook', manifestSha256: done.manifest_sha256, attempts: 3 } }]);
      // nothing more happens: a stray job run again finds it delivered
      await state.db.rows(sql`INSERT INTO jobs (tenant_id, type, payload) VALUES (${f.tenant.id}, 'deliver_package', ${JSON.stringify({ filingId: f.filingId })}::jsonb)`);
      await drain(handoffRunner(server));
      expect(receiver.received).toHaveLength(3);
    } finally {
      await receiver.close();
    }
  });

  it('after the last attempt the hand-off is failed, shown to supervisors, and "Retry" queues it again', async (t) => {
    if (state.skip) return t.skip();
    let accept = false;
    const receiver = await webhookReceiver(() => (accept ? 'ok' : 503));
    try {
      const f = await withWebhook(receiver.url);
      const runner = handoffRunner(server);
      await drain(runner); // seal + build; first delivery fails
      await state.db.rows(sql`UPDATE jobs SET max_attempts = 2 WHERE type = 'deliver_package' AND payload->>'filingId' = ${f.filingId}`);
      await deliveryDueNow(state.db, f.filingId);
      await drain(runner);
      expect(receiver.received).toHaveLength(2);
      expect(await handoff(f.filingId)).toMatchObject({ status: 'failed', attempts: 2, last_error: 'http_503' });
      expect((await deliveryJobs(state.db, f.filingId)).map((j) => j.status)).toEqual(['failed']);

      const slug = f.tenant.slug;
      const agent = await staffSession(server, f.tenant, 'agent');
      expect((await api(server.base, 'GET', `/api/v1/tenants/${slug}/handoffs`, undefined, agent)).status).toBe(403);
      const list = await api(server.base, 'GET', `/api/v1/tenants/${slug}/handoffs?status=failed`, undefined, f.supervisor);
      expect(list.status).toBe(200);
      expect(list.json.handoffs).toEqual([
        expect.objectContaining({ filingId: f.filingId, registerCode: f.registerCode, status: 'failed', attempts: 2, lastError: 'http_503', deliveryQueued: false }),
      ]);
      const page = await fetch(`${server.base}/${slug}/staff/handoffs?lang=en`, { headers: { cookie: f.supervisor.cookie } });
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(html).toContain(f.registerCode);
      expect(html).toContain('The system answered HTTP 503');
      expect(html).toContain(`Retry the delivery of ${f.registerCode}`);

      // Retry from the page: back to pending with one job queued; a second retry while queued is refused
      const retry = await fetch(`${server.base}/${slug}/staff/handoffs`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: f.supervisor.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: f.supervisor['x-csrf-token'], action: 'retry', filingId: f.filingId }),
      });
      expect(retry.status).toBe(303);
      expect(await handoff(f.filingId)).toMatchObject({ status: 'pending' });
      expect((await deliveryJobs(state.db, f.filingId)).map((j) => j.status)).toEqual(['failed', 'pending']);
      const twice = await api(server.base, 'POST', `/api/v1/tenants/${slug}/handoffs/${f.filingId}/retry`, {}, f.supervisor);
      expect(twice.status).toBe(409);
      expect((await api(server.base, 'POST', `/api/v1/tenants/${slug}/handoffs/${crypto.randomUUID()}/retry`, {}, f.supervisor)).json.code).toBe('handoff_not_found');

      accept = true;
      await drain(runner);
      expect(await handoff(f.filingId)).toMatchObject({ status: 'delivered', attempts: 3, delivered_via: 'webhook' });
      const delivered = await api(server.base, 'POST', `/api/v1/tenants/${slug}/handoffs/${f.filingId}/retry`, {}, f.supervisor);
      expect(delivered.status).toBe(409);
      expect(new Set(receiver.received.map((r) => r.headers['idempotency-key']))).toEqual(new Set([f.filingId]));
    } finally {
      await receiver.close();
    }
  });

  it('without a webhook the package waits; setting one queues it; an unreachable receiver is a network error', async (t) => {
    if (state.skip) return t.skip();
    const f = await packagedFiling(server);
    const admin = await staffSession(server, f.tenant, 'admin');
    const runner = handoffRunner(server);
    await drain(runner);
    expect(await handoff(f.filingId)).toMatchObject({ status: 'pending', attempts: 0 });
    expect((await deliveryJobs(state.db, f.filingId)).map((j) => j.status)).toEqual(['done']);
    await api(server.base, 'POST', `/api/v1/tenants/${f.tenant.slug}/integration/webhook-secret`, {}, admin);
    // a port nobody listens on
    const closed = await webhookReceiver(() => 'ok');
    await closed.close();
    const set = await api(server.base, 'PUT', `/api/v1/tenants/${f.tenant.slug}/integration`, { webhookUrl: closed.url }, admin);
    expect(set.json.queued).toBe(1);
    await drain(runner);
    expect(await handoff(f.filingId)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'network_error' });
  });

  it('a build that fails for good shows as failed (build_failed) to supervisors, and "Retry" builds and delivers it', async (t) => {
    if (state.skip) return t.skip();
    const receiver = await webhookReceiver(() => 'ok');
    try {
      const f = await withWebhook(receiver.url);
      // a stored document goes missing: the package cannot be built
      const store = await server.ctx.files();
      const [doc] = await state.db.rows<{ storage_key: string }>(sql`SELECT storage_key FROM documents WHERE id = ${f.documents[0].id}`);
      const file = store.pathOf(f.tenant.id, doc.storage_key);
      await rename(file, `${file}.away`);
      const runner = handoffRunner(server);
      await drain(runner); // sealed (the hand-off row made, pending, not built); the first build fails
      expect(await handoff(f.filingId)).toMatchObject({ status: 'pending', attempts: 0 });
      await state.db.rows(sql`UPDATE jobs SET max_attempts = 2, run_at = now() WHERE type = 'build_package' AND status = 'pending' AND payload->>'filingId' = ${f.filingId}`);
      await drain(runner);
      expect(await handoff(f.filingId)).toMatchObject({ status: 'failed', last_error: 'build_failed' });
      const slug = f.tenant.slug;
      const list = await api(server.base, 'GET', `/api/v1/tenants/${slug}/handoffs?status=failed`, undefined, f.supervisor);
      expect(list.json.handoffs).toEqual([expect.objectContaining({ filingId: f.filingId, status: 'failed', lastError: 'build_failed', built: false, deliveryQueued: false })]);
      const html = await (await fetch(`${server.base}/${slug}/staff/handoffs?lang=en`, { headers: { cookie: f.supervisor.cookie } })).text();
      expect(html).toContain('The package could not be prepared');
      expect(html).toContain(`Retry the delivery of ${f.registerCode}`);

      await rename(`${file}.away`, file);
      const retry = await api(server.base, 'POST', `/api/v1/tenants/${slug}/handoffs/${f.filingId}/retry`, {}, f.supervisor);
      expect(retry.status, retry.text).toBe(202);
      expect((await api(server.base, 'POST', `/api/v1/tenants/${slug}/handoffs/${f.filingId}/retry`, {}, f.supervisor)).status).toBe(409);
      const builds = await state.db.rows<{ status: string }>(sql`SELECT status FROM jobs WHERE type = 'build_package' AND payload->>'filingId' = ${f.filingId} ORDER BY created_at`);
      expect(builds.map((b) => b.status)).toEqual(['failed', 'pending']);
      await drain(runner);
      expect(await handoff(f.filingId)).toMatchObject({ status: 'delivered', last_error: null, delivered_via: 'webhook' });
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});
