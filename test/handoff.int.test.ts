/**
 * The evidence package and the pull API: every part listed with the SHA-256 of
 * its plain content and an ENI XML, the manifest's CAdES seal checked by
 * `openssl cms -verify` (and refused after one byte changes), nothing in clear
 * on disk; the pull API's list, get, parts, ack (idempotent) and its 401/404,
 * wrong tokens counted by the rate limiter (429); the admins' integration
 * settings (URL rules with the SSRF guard at save and delivery time, secret
 * and token shown once) and the formal procedure's settings (API and page).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackage } from '../server/modules/handoff/build-package.js';
import type { Manifest } from '../server/modules/handoff/manifest.js';
import { DATABASE_KINDS } from './support/databases.js';
import { drain, handoffRunner, packagedFiling, sha256, staffSession, webhookReceiver } from './support/handoff-fixtures.js';
import { run } from './support/pdf-tools.js';
import { api, startTestServer, type TestServer } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

async function fetchBytes(url: string, token?: string) {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe.each(DATABASE_KINDS)('evidence package and pull API on %s', (kind) => {
  const state = useDatabase(kind);
  let server: TestServer;
  let dataDir: string;

  beforeAll(async () => {
    if (state.skip) return;
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'fin-handoff-'));
    server = await startTestServer(state.db, { DATA_DIR: dataDir, WORKER: 'false', RETENTION_SWEEP_SECONDS: '0', RATE_LIMIT_HANDOFF_PER_MINUTE: '100' });
  });
  afterAll(async () => {
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** A filing sealed and packaged (no webhook: the package waits for the pull API), with the admin's pull token. */
  async function packaged() {
    const f = await packagedFiling(server);
    const admin = await staffSession(server, f.tenant, 'admin');
    const token = (await api(server.base, 'POST', `/api/v1/tenants/${f.tenant.slug}/integration/pull-token`, {}, admin)).json.pullToken as string;
    await drain(handoffRunner(server));
    return { ...f, admin, token, pull: `${server.base}/api/v1/handoff/${f.tenant.slug}/packages` };
  }

  it('lists every part with the SHA-256 of its plain content and an ENI XML, and seals the manifest', async (t) => {
    if (state.skip) return t.skip();
    const f = await packaged();
    const [h] = await state.db.rows<{ status: string; manifest_sha256: string; manifest_key: string; manifest_seal_key: string }>(sql`
      SELECT status, manifest_sha256, manifest_key, manifest_seal_key FROM handoffs WHERE filing_id = ${f.filingId}`);
    expect(h.status).toBe('pending');
    const [sealed] = await state.db.rows<{ status: string; receipt_sha256: string }>(sql`SELECT status, receipt_sha256 FROM filings WHERE id = ${f.filingId}`);
    expect(sealed.status).toBe('sealed');

    const got = await api(server.base, 'GET', `/api/v1/handoff/${f.tenant.slug}/packages/${f.filingId}`, undefined, { authorization: `Bearer ${f.token}` });
    expect(got.status, got.text).toBe(200);
    const manifestBytes = Buffer.from(got.json.manifest, 'base64');
    expect(sha256(manifestBytes)).toBe(h.manifest_sha256);
    expect(got.json.manifestSha256).toBe(h.manifest_sha256);
    expect(got.json.idempotencyKey).toBe(f.filingId);
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
    expect(manifest.filing).toMatchObject({ id: f.filingId, registerCode: f.registerCode, procedureCode: 'tramit', tenantDir3: 'L01080001', formSha256: f.formSha256 });
    expect(manifest.parts.map((p) => p.name).sort()).toEqual(
      ['audit-trail.json', 'consent.json', 'document-1.pdf', 'document-2.jpg', 'form.json', 'handout-1.pdf', 'id-back.jpg', 'id-front.jpg', 'identity.json', 'receipt.pdf', 'recording-1.webm'].sort(),
    );

    const year = new Date().getFullYear();
    const n = f.registerCode.replace(/\//g, '');
    const expected: Record<string, string> = {
      'receipt.pdf': sealed.receipt_sha256,
      'form.json': f.formSha256,
      'document-1.pdf': f.documents[0].sha256,
      'document-2.jpg': f.documents[1].sha256,
      'handout-1.pdf': f.documents[2].sha256,
      'recording-1.webm': f.recording.sha256,
    };
    for (const p of manifest.parts) {
      const part = await fetchBytes(`${got.json.packageUrl}/parts/${p.name}`, f.token);
      expect(part.status, p.name).toBe(200);
      expect(part.headers.get('content-type')).toContain(p.contentType.split(';')[0]);
      expect(sha256(part.body), p.name).toBe(p.sha256);
      expect(part.body.length).toBe(p.bytes);
      if (expected[p.name]) expect(p.sha256, p.name).toBe(expected[p.name]);
      // its ENI document: the identifier, the organ, the reference to the part, and the hash the manifest gives
      expect(p.eni, p.name).not.toBeNull();
      const xml = await fetchBytes(`${got.json.packageUrl}/parts/${p.name}/metadata`, f.token);
      expect(xml.status).toBe(200);
      expect(sha256(xml.body)).toBe(p.eni!.sha256);
      const text = xml.body.toString('utf8');
      expect(p.eni!.identifier).toMatch(new RegExp(`^ES_L01080001_${year}_${n}[A-Z]\\d*$`));
      expect(text).toContain(`<enidocmeta:Identificador>${p.eni!.identifier}</enidocmeta:Identificador>`);
      expect(text).toContain('<enidocmeta:Organo>L01080001</enidocmeta:Organo>');
      expect(text).toContain(`<enifile:referenciaFichero>parts/${p.name}</enifile:referenciaFichero>`);
    }
    const byName = Object.fromEntries(manifest.parts.map((p) => [p.name, p]));
    const receiptXml = (await fetchBytes(`${got.json.packageUrl}/parts/receipt.pdf/metadata`, f.token)).body.toString('utf8');
    expect(receiptXml).toContain('<enids:TipoFirma>TF06</enids:TipoFirma>');
    expect(receiptXml).toContain('<enidocmeta:TipoDocumental>TD09</enidocmeta:TipoDocumental>');
    expect((await fetchBytes(`${got.json.packageUrl}/parts/document-1.pdf/metadata`, f.token)).body.toString('utf8')).toContain('<enidocmeta:OrigenCiudadanoAdministracion>0</enidocmeta:OrigenCiudadanoAdministracion>');
    expect((await fetchBytes(`${got.json.packageUrl}/parts/recording-1.webm/metadata`, f.token)).body.toString('utf8')).toContain('<enifile:NombreFormato>WEBM</enifile:NombreFormato>');
    const manifestXml = await fetchBytes(`${got.json.packageUrl}/manifest-metadata`, f.token);
    expect(sha256(manifestXml.body)).toBe(manifest.manifestEni.sha256);
    expect(manifestXml.body.toString('utf8')).toContain('<enids:ReferenciaFirma>manifest.p7s</enids:ReferenciaFirma>');

    // the JSON parts say what they should, the consent without its code's hash
    const identity = JSON.parse((await fetchBytes(`${got.json.packageUrl}/parts/identity.json`, f.token)).body.toString('utf8'));
    expect(identity).toMatchObject({ idKind: 'dni', idNumber: f.citizen.idNumber, fullName: f.citizen.name, frontImage: 'id-front.jpg', backImage: 'id-back.jpg' });
    const consent = JSON.parse((await fetchBytes(`${got.json.packageUrl}/parts/consent.json`, f.token)).body.toString('utf8'));
    expect(consent.formSha256).toBe(f.formSha256);
    expect(Object.keys(consent).some((k) => k.toLowerCase().includes('hash'))).toBe(false);
    const trail = JSON.parse((await fetchBytes(`${got.json.packageUrl}/parts/audit-trail.json`, f.token)).body.toString('utf8'));
    expect(trail.entries.map((e: { event: string }) => e.event)).toEqual(expect.arrayContaining(['entry_registered', 'receipt_sealed']));
    expect(byName['form.json'].about.kind).toBe('form');

    // openssl verifies the seal over the manifest, and refuses it once one byte changes
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fin-manifest-'));
    try {
      await writeFile(path.join(dir, 'manifest.json'), manifestBytes);
      await writeFile(path.join(dir, 'manifest.p7s'), Buffer.from(got.json.manifestSeal, 'base64'));
      await writeFile(path.join(dir, 'seal.pem'), (await server.ctx.sealer()).certificatePem);
      const verify = (content: string) =>
        run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'manifest.p7s', '-content', content, '-CAfile', 'seal.pem', '-purpose', 'any', '-out', '/dev/null'], dir);
      const ok = await verify('manifest.json');
      expect(ok.code, ok.stderr).toBe(0);
      const altered = Buffer.from(manifestBytes);
      altered[altered.length - 5] ^= 0x01;
      await writeFile(path.join(dir, 'altered.json'), altered);
      expect((await verify('altered.json')).code).not.toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    // stored encrypted: nothing of the form or the identity in clear on disk
    const folder = path.join(dataDir, 'files', f.tenant.id, 'packages', f.filingId);
    const stored = await readdir(folder);
    expect(stored.length).toBeGreaterThan(10);
    for (const name of stored) {
      const raw = await readFile(path.join(folder, name));
      expect(raw.includes(Buffer.from(f.citizen.idNumber))).toBe(false);
      expect(raw.includes(Buffer.from('Carrer Major'))).toBe(false);
    }

    // building again changes nothing and queues nothing
    const again = await buildPackage(
      { database: state.db, files: server.ctx.files, sealer: server.ctx.sealer, deliverMaxAttempts: 3 },
      { tenantId: f.tenant.id, filingId: f.filingId },
    );
    expect(again).toEqual({ status: 'already_built', manifestSha256: h.manifest_sha256 });
    expect(await readdir(folder)).toEqual(stored);
    const jobs = await state.db.rows(sql`SELECT 1 FROM jobs WHERE type = 'deliver_package' AND payload->>'filingId' = ${f.filingId}`);
    expect(jobs).toHaveLength(1);
  });

  it('pull API: lists, gets, streams parts, acknowledges once; 401 without the token, 404 for another town hall', async (t) => {
    if (state.skip) return t.skip();
    const a = await packaged();
    const b = await packaged();
    const auth = { authorization: `Bearer ${a.token}` };

    const list = await api(server.base, 'GET', `/api/v1/handoff/${a.tenant.slug}/packages?status=pending`, undefined, auth);
    expect(list.status).toBe(200);
    expect(list.json.packages.map((p: { filingId: string }) => p.filingId)).toEqual([a.filingId]);
    expect(list.json.packages[0]).toMatchObject({ registerCode: a.registerCode, status: 'pending', url: `${a.pull}/${a.filingId}` });

    // no token, a wrong one, another town hall's, a malformed header
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer fpt_wrong' }, { authorization: `Bearer ${b.token}` }, { authorization: a.token }]) {
      const r = await api(server.base, 'GET', `/api/v1/handoff/${a.tenant.slug}/packages`, undefined, headers);
      expect(r.status).toBe(401);
      expect(r.json.code).toBe('unauthenticated');
      expect(r.headers.get('www-authenticate')).toContain('Bearer');
    }
    // another town hall's package with our own token, an unknown or malformed id, an unknown part
    expect((await api(server.base, 'GET', `/api/v1/handoff/${a.tenant.slug}/packages/${b.filingId}`, undefined, auth)).status).toBe(404);
    expect((await api(server.base, 'GET', `/api/v1/handoff/${a.tenant.slug}/packages/${b.filingId}/parts/receipt.pdf`, undefined, auth)).status).toBe(404);
    expect((await api(server.base, 'POST', `/api/v1/handoff/${a.tenant.slug}/packages/${b.filingId}/ack`, undefined, auth)).status).toBe(404);
    expect((await api(server.base, 'GET', `/api/v1/handoff/${a.tenant.slug}/packages/not-a-uuid`, undefined, auth)).json.code).toBe('handoff_not_found');
    const unknownPart = await api(server.base, 'GET', `/api/v1/handoff/${a.tenant.slug}/packages/${a.filingId}/parts/..%2F..%2Fetc`, undefined, auth);
    expect(unknownPart.status).toBe(404);
    expect((await api(server.base, 'GET', `/api/v1/handoff/${a.tenant.slug}/packages/${a.filingId}/parts/toString`, undefined, auth)).status).toBe(404);

    const receipt = await fetchBytes(`${a.pull}/${a.filingId}/parts/receipt.pdf`, a.token);
    expect(receipt.status).toBe(200);
    expect(receipt.body.subarray(0, 5).toString()).toBe('%PDF-');
    expect(receipt.headers.get('x-content-sha256')).toBe(sha256(receipt.body));

    const ack = await api(server.base, 'POST', `/api/v1/handoff/${a.tenant.slug}/packages/${a.filingId}/ack`, undefined, auth);
    expect(ack.status, ack.text).toBe(200);
    expect(ack.json).toEqual({ filingId: a.filingId, status: 'delivered', deliveredVia: 'pull' });
    const again = await api(server.base, 'POST', `/api/v1/handoff/${a.tenant.slug}/packages/${a.filingId}/ack`, undefined, auth);
    expect(again.json).toEqual(ack.json);
    const audits = await state.db.rows<{ data: Record<string, unknown> }>(sql`
      SELECT data FROM audit_log WHERE tenant_id = ${a.tenant.id} AND event = 'package_delivered' AND subjects->>'filing' = ${a.filingId}`);
    expect(audits).toHaveLength(1);
    expect(audits[0].data).toMatchObject({ via: 'pull' });
    const [h] = await state.db.rows<{ status: string; purge_after: string; delivered_at: string }>(sql`
      SELECT status, purge_after::text, delivered_at::text FROM handoffs WHERE filing_id = ${a.filingId}`);
    expect(h.status).toBe('delivered');
    const days = (new Date(h.purge_after).getTime() - new Date(h.delivered_at).getTime()) / 86_400_000;
    expect(days).toBeCloseTo(7, 5);
    expect((await api(server.base, 'GET', `/api/v1/handoff/${a.tenant.slug}/packages`, undefined, auth)).json.packages).toEqual([]);
    const delivered = await api(server.base, 'GET', `/api/v1/handoff/${a.tenant.slug}/packages?status=delivered`, undefined, auth);
    expect(delivered.json.packages.map((p: { filingId: string }) => p.filingId)).toEqual([a.filingId]);
    // a new token replaces the old one at once
    await api(server.base, 'POST', `/api/v1/tenants/${a.tenant.slug}/integration/pull-token`, {}, a.admin);
    expect((await api(server.base, 'GET', `/api/v1/handoff/${a.tenant.slug}/packages`, undefined, auth)).status).toBe(401);
  });

  it('integration settings: admins only, https URLs to public addresses only, secret and token shown once', async (t) => {
    if (state.skip) return t.skip();
    const f = await packagedFiling(server);
    const slug = f.tenant.slug;
    const admin = await staffSession(server, f.tenant, 'admin');
    const supervisor = await staffSession(server, f.tenant, 'supervisor');
    const base = `/api/v1/tenants/${slug}/integration`;
    expect((await api(server.base, 'GET', base, undefined, supervisor)).status).toBe(403);
    expect((await api(server.base, 'GET', base)).status).toBe(401);
    expect((await api(server.base, 'PUT', base, { webhookUrl: 'https://x.example' }, { cookie: admin.cookie })).json.code).toBe('csrf_failed');
    expect((await api(server.base, 'GET', base, undefined, admin)).json).toEqual({ webhookUrl: null, webhookSecretSet: false, pullTokenSet: false, updatedAt: null });

    const refused = [
      'http://example.com/hook', 'ftp://example.com', 'not a url', 'https://user:pw@example.com/', 'javascript:alert(1)', `https://example.com/${'a'.repeat(2100)}`,
      // SSRF: loopback, private, link-local (cloud metadata), CGNAT, unique-local, unspecified, multicast, mapped IPv4, a name for loopback, a name that does not resolve
      'http://127.0.0.1:9/x', 'https://127.0.0.1/x', 'https://10.0.0.7/x', 'https://172.20.1.1/x', 'https://192.168.1.10/x', 'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/x', 'https://[fd00::1]/x', 'https://[fe80::1]/x', 'https://[::1]/x', 'https://0.0.0.0/x', 'https://224.0.0.1/x', 'https://[::ffff:127.0.0.1]/x',
      'https://localhost/x', 'https://nowhere.invalid/x',
    ];
    for (const bad of refused) {
      const r = await api(server.base, 'PUT', base, { webhookUrl: bad }, admin);
      expect(r.status, bad).toBe(422);
      expect(r.json.code).toBe('webhook_url_invalid');
    }
    expect((await api(server.base, 'PUT', base, { webhookUrl: 42 }, admin)).status).toBe(400);
    // a public address (a literal: the tests do not depend on outside DNS)
    const ok = await api(server.base, 'PUT', base, { webhookUrl: 'https://203.0.113.10/finestreta#x' }, admin);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json).toMatchObject({ webhookUrl: 'https://203.0.113.10/finestreta', queued: 0 });

    const secret = await api(server.base, 'POST', `${base}/webhook-secret`, {}, admin);
    expect(secret.status).toBe(201);
    expect(secret.json.webhookSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const view = await api(server.base, 'GET', base, undefined, admin);
    expect(view.json).toMatchObject({ webhookSecretSet: true, pullTokenSet: false });
    expect(view.text).not.toContain(secret.json.webhookSecret);
    // at rest the secret is encrypted
    const [row] = await state.db.rows<{ webhook_secret_enc: string }>(sql`SELECT webhook_secret_enc FROM integrations WHERE tenant_id = ${f.tenant.id}`);
    expect(row.webhook_secret_enc).not.toContain(secret.json.webhookSecret.slice(6));

    // the page: admins only, the secret shown on the answer that made it
    const page = await fetch(`${server.base}/${slug}/staff/integration`, { headers: { cookie: admin.cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('https://203.0.113.10/finestreta');
    const form = new URLSearchParams({ _csrf: admin['x-csrf-token'], action: 'new_token' });
    const made = await fetch(`${server.base}/${slug}/staff/integration`, { method: 'POST', headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    const madeHtml = await made.text();
    const token = /value="(fpt_[A-Za-z0-9_-]+)"/.exec(madeHtml)?.[1];
    expect(token).toBeTruthy();
    const list = await api(server.base, 'GET', `/api/v1/handoff/${slug}/packages`, undefined, { authorization: `Bearer ${token}` });
    expect(list.status).toBe(200);
    expect(await (await fetch(`${server.base}/${slug}/staff/integration`, { headers: { cookie: admin.cookie } })).text()).not.toContain(token!);
    const badUrl = await fetch(`${server.base}/${slug}/staff/integration`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: admin['x-csrf-token'], action: 'save_url', webhookUrl: 'https://192.168.0.1/hook' }),
    });
    expect(badUrl.status).toBe(422);
    expect((await api(server.base, 'GET', base, undefined, admin)).json.webhookUrl).toBe('https://203.0.113.10/finestreta');
    expect((await fetch(`${server.base}/${slug}/staff/integration`, { headers: { cookie: supervisor.cookie } })).status).toBe(403);
    // documented in OpenAPI
    const doc = await api(server.base, 'GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    for (const p of ['/api/v1/handoff/{slug}/packages', '/api/v1/handoff/{slug}/packages/{filingId}', '/api/v1/handoff/{slug}/packages/{filingId}/parts/{name}', '/api/v1/handoff/{slug}/packages/{filingId}/ack', '/api/v1/tenants/{slug}/integration', '/api/v1/tenants/{slug}/handoffs/{filingId}/retry', '/api/v1/tenants/{slug}/formal-settings']) {
      expect(doc.json.paths[p], p).toBeDefined();
    }
  });

  it('a delivery re-checks the address where it connects: a stored URL pointing at this machine is refused, the receiver never called', async (t) => {
    if (state.skip) return t.skip();
    const receiver = await webhookReceiver(() => 'ok');
    try {
      const f = await packagedFiling(server);
      const admin = await staffSession(server, f.tenant, 'admin');
      await api(server.base, 'POST', `/api/v1/tenants/${f.tenant.slug}/integration/webhook-secret`, {}, admin);
      // as if saved before the guard, or a name re-pointed to a private address after saving
      const port = new URL(receiver.url).port;
      await state.db.rows(sql`UPDATE integrations SET webhook_url = ${`https://localhost:${port}/hooks`} WHERE tenant_id = ${f.tenant.id}`);
      await drain(handoffRunner(server));
      const [h] = await state.db.rows<{ status: string; attempts: number; last_error: string }>(sql`SELECT status, attempts, last_error FROM handoffs WHERE filing_id = ${f.filingId}`);
      expect(h).toMatchObject({ status: 'pending', attempts: 1, last_error: 'address_refused' });
      await state.db.rows(sql`UPDATE integrations SET webhook_url = ${`https://127.0.0.1:${port}/hooks`} WHERE tenant_id = ${f.tenant.id}`);
      await state.db.rows(sql`UPDATE jobs SET run_at = now() WHERE type = 'deliver_package' AND status = 'pending' AND payload->>'filingId' = ${f.filingId}`);
      await drain(handoffRunner(server));
      expect((await state.db.rows<{ last_error: string }>(sql`SELECT last_error FROM handoffs WHERE filing_id = ${f.filingId}`))[0].last_error).toBe('address_refused');
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it('formal procedure settings: admins read and set them (API and page), out-of-range values refused', async (t) => {
    if (state.skip) return t.skip();
    const f = await packagedFiling(server);
    const slug = f.tenant.slug;
    const admin = await staffSession(server, f.tenant, 'admin');
    const supervisor = await staffSession(server, f.tenant, 'supervisor');
    const base = `/api/v1/tenants/${slug}/formal-settings`;
    expect((await api(server.base, 'GET', base, undefined, supervisor)).status).toBe(403);
    expect((await api(server.base, 'GET', base, undefined, admin)).json).toEqual({ uploadDeadlineHours: 48, consentOtp: 'off', personalDataRetentionDays: 90 });
    for (const bad of [
      { uploadDeadlineHours: 721, consentOtp: 'off', personalDataRetentionDays: 90 },
      { uploadDeadlineHours: -1, consentOtp: 'off', personalDataRetentionDays: 90 },
      { uploadDeadlineHours: 1.5, consentOtp: 'off', personalDataRetentionDays: 90 },
      { uploadDeadlineHours: 48, consentOtp: 'sms', personalDataRetentionDays: 90 },
      { uploadDeadlineHours: 48, consentOtp: 'off', personalDataRetentionDays: 0 },
      { uploadDeadlineHours: 48, consentOtp: 'off', personalDataRetentionDays: 3651 },
      { uploadDeadlineHours: '48', consentOtp: 'off', personalDataRetentionDays: 90 },
      { consentOtp: 'off' },
    ]) {
      const r = await api(server.base, 'PUT', base, bad, admin);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.json.code).toBe('validation_failed');
    }
    const put = await api(server.base, 'PUT', base, { uploadDeadlineHours: 0, consentOtp: 'email', personalDataRetentionDays: 3650 }, admin);
    expect(put.status, put.text).toBe(200);
    expect(put.json).toEqual({ uploadDeadlineHours: 0, consentOtp: 'email', personalDataRetentionDays: 3650 });
    const [row] = await state.db.rows<{ settings: Record<string, unknown> }>(sql`SELECT settings FROM tenants WHERE id = ${f.tenant.id}`);
    expect(row.settings.formal).toEqual({ uploadDeadlineHours: 0, consentOtp: 'email', personalDataRetentionDays: 3650 });

    // the page: a bad value explained next to its box, nothing saved; a good one saved
    const post = (body: Record<string, string>) =>
      fetch(`${server.base}/${slug}/staff/integration?lang=en`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: admin['x-csrf-token'], action: 'save_formal', ...body }),
      });
    const bad = await post({ uploadDeadlineHours: '999', consentOtp: 'off', personalDataRetentionDays: 'ninety' });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('Enter a whole number of hours between 0 and 720.');
    expect(html).toContain('Enter a whole number of days between 1 and 3650.');
    expect(html).toContain('value="999"');
    expect((await api(server.base, 'GET', base, undefined, admin)).json.personalDataRetentionDays).toBe(3650);
    const good = await post({ uploadDeadlineHours: '24', consentOtp: 'off', personalDataRetentionDays: '30' });
    expect(good.status).toBe(303);
    expect((await api(server.base, 'GET', base, undefined, admin)).json).toEqual({ uploadDeadlineHours: 24, consentOtp: 'off', personalDataRetentionDays: 30 });
    const page = await (await fetch(`${server.base}/${slug}/staff/integration?lang=en&done=formal`, { headers: { cookie: admin.cookie } })).text();
    expect(page).toContain('The formal procedure settings have been saved.');
    expect(page).toMatch(/name="personalDataRetentionDays"[^>]*value="30"|value="30"[^>]*name="personalDataRetentionDays"/);
    // the other settings keys are kept
    const [after] = await state.db.rows<{ settings: Record<string, unknown> }>(sql`SELECT settings FROM tenants WHERE id = ${f.tenant.id}`);
    expect(Object.keys(after.settings).sort()).toEqual(Object.keys(row.settings).sort());
  });

  it('pull API: wrong tokens are counted by the rate limiter and end in 429', async (t) => {
    if (state.skip) return t.skip();
    const f = await packagedFiling(server);
    const url = `/api/v1/handoff/${f.tenant.slug}/packages/${f.filingId}/manifest-metadata`;
    const statuses: number[] = [];
    // the limit is 100 a minute for this route (an earlier test here used it once)
    for (let i = 0; i < 110 && statuses.at(-1) !== 429; i++) statuses.push((await api(server.base, 'GET', url, undefined, { authorization: `Bearer fpt_guess${i}` })).status);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.length).toBeGreaterThanOrEqual(100);
    expect(statuses.length).toBeLessThanOrEqual(101);
    expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);
    const limited = await api(server.base, 'GET', url, undefined, { authorization: 'Bearer fpt_guess' });
    expect(limited.json.code).toBe('rate_limited');
  });
});
