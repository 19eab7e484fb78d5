/**
 * Public verification by secure verification code on both databases: the API
 * (`/api/v1/verify/{slug}?csv=`), the page (`/{slug}/verify`, `?csv=` from the
 * QR code) and the receipt download by code. Valid, typed loosely, not sealed
 * yet, unknown, malformed, another town hall's code, and the rate limit.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCsvCode, newCsvCode } from '../server/modules/evidence/csv-code.js';
import { sealReceipt } from '../server/modules/receipt/seal-receipt.js';
import { loadSealer } from '../server/modules/sealing/sealer.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { filedRequest } from './support/filings.js';
import { api, startTestServer, type TestServer } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

const LATER = new Date(Date.now() + 24 * 3600_000);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(DATABASE_KINDS)('public verification on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  let server: TestServer;
  let limited: TestServer;
  let dataDir: string;

  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    // two processes of one installation (same files and seal), the second with a low limit
    dataDir = mkdtempSync(path.join(tmpdir(), 'fin-verify-'));
    // the sealing jobs are run by the tests themselves (sealAt later keeps the runner off them)
    server = await startTestServer(db, { DATA_DIR: dataDir, LIVE_SWEEP_SECONDS: '3600', RATE_LIMIT_VERIFY_PER_MINUTE: '100000' });
    limited = await startTestServer(db, { DATA_DIR: dataDir, LIVE_SWEEP_SECONDS: '3600', RATE_LIMIT_VERIFY_PER_MINUTE: '3', WORKER: 'false' });
  });
  afterAll(async () => {
    await server?.close();
    await limited?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** A filed request whose receipt is sealed (or not, with `sealed: false`). */
  async function filing(o: { sealed?: boolean; language?: 'ca' | 'es' | 'en' } = {}) {
    const f = await filedRequest(db, { sealAt: LATER, language: o.language });
    if (o.sealed !== false) {
      await sealReceipt(
        { database: db, files: server.ctx.files, sealer: server.ctx.sealer, config: server.ctx.config },
        { tenantId: f.tenant.id, filingId: f.filingId, csv: f.csv, jobId: f.jobId },
      );
    }
    return f;
  }
  const verifyApi = (base: string, slug: string, csv?: string, lang = 'en') =>
    api(base, 'GET', `/api/v1/verify/${slug}?lang=${lang}${csv === undefined ? '' : `&csv=${encodeURIComponent(csv)}`}`);

  it('API: a valid code, however it is typed, gives the entry, the receipt link and the seal; the receipt downloads by code', async (t) => {
    if (state.skip) return t.skip();
    const f = await filing();
    const csv = formatCsvCode(f.csv);
    const [row] = await db.rows<{ receipt_sha256: string; sealed_at: Date }>(sql`SELECT receipt_sha256, sealed_at FROM filings WHERE id = ${f.filingId}`);
    const sealer = await server.ctx.sealer();
    const cert = new X509Certificate(sealer.certificatePem);
    // lower case, spaces instead of dashes, O for 0 and L for 1: the same code
    for (const typed of [csv, f.csv.toLowerCase(), csv.replace(/-/g, ' '), csv.replace(/0/g, 'O').replace(/1/g, 'l')]) {
      const r = await verifyApi(server.base, f.tenant.slug, typed, 'es');
      expect(r.status, typed).toBe(200);
      expect(r.json).toEqual({
        valid: true,
        registerCode: f.registerCode,
        registeredAt: f.registeredAt.toISOString(),
        procedure: 'Trámite',
        sealedAt: new Date(row.sealed_at).toISOString(),
        receiptUrl: `${server.ctx.config.PUBLIC_URL}/${f.tenant.slug}/verify/receipt?csv=${csv}`,
        seal: {
          subject: 'O=Finestreta, CN=Finestreta demo seal',
          issuer: 'O=Finestreta, CN=Finestreta demo seal',
          validFrom: new Date(cert.validFrom).toISOString(),
          validTo: new Date(cert.validTo).toISOString(),
          sha256Fingerprint: cert.fingerprint256,
          demo: true,
        },
      });
    }
    const receipt = await fetch(`${server.base}/${f.tenant.slug}/verify/receipt?csv=${encodeURIComponent(csv)}`);
    expect(receipt.status).toBe(200);
    expect(receipt.headers.get('content-type')).toBe('application/pdf');
    expect(receipt.headers.get('content-disposition')).toBe(`attachment; filename=justificant-${f.registerCode.replace(/\//g, '-')}.pdf`);
    expect(sha256(Buffer.from(await receipt.arrayBuffer()))).toBe(row.receipt_sha256);
  });

  it('API: not sealed yet — valid, without a receipt; its download answers receipt_not_ready', async (t) => {
    if (state.skip) return t.skip();
    const f = await filing({ sealed: false });
    const r = await verifyApi(server.base, f.tenant.slug, f.csv);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ valid: true, registerCode: f.registerCode, sealedAt: null, receiptUrl: null });
    const receipt = await fetch(`${server.base}/${f.tenant.slug}/verify/receipt?csv=${f.csv}`, { headers: { accept: 'application/json' } });
    expect(receipt.status).toBe(409);
    expect((await receipt.json()).code).toBe('receipt_not_ready');
  });

  it('API: unknown, malformed and another town hall’s codes say only why', async (t) => {
    if (state.skip) return t.skip();
    const f = await filing();
    const other = await filing();
    const unknown = await verifyApi(server.base, f.tenant.slug, newCsvCode());
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ code: 'verify_not_found', message: 'No document has this verification code.' });
    const foreign = await verifyApi(server.base, f.tenant.slug, other.csv);
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual(unknown.json);

    const csv = formatCsvCode(f.csv);
    const swapped = csv.slice(0, 5) + (csv[5] === 'A' ? 'B' : 'A') + csv.slice(6);
    const cases: Array<[string | undefined, string]> = [
      [undefined, 'csv_malformed'],
      ['', 'csv_malformed'],
      [csv.slice(0, -1), 'csv_length'],
      ['x'.repeat(150), 'csv_length'],
      [csv.replace(/.$/, 'U'), 'csv_character'],
      [swapped, 'csv_checksum'],
      ["'; DROP TABLE filings; --", 'csv_character'],
    ];
    for (const [typed, code] of cases) {
      const r = await verifyApi(server.base, f.tenant.slug, typed);
      expect(r.status, String(typed)).toBe(422);
      expect(r.json.code, String(typed)).toBe(code);
    }
    expect((await verifyApi(server.base, 'no-such-town', f.csv)).json.code).toBe('tenant_not_found');
    const download = await fetch(`${server.base}/${f.tenant.slug}/verify/receipt?csv=${other.csv}`, { headers: { accept: 'application/json' } });
    expect(download.status).toBe(404);
    expect((await download.json()).code).toBe('verify_not_found');
  });

  it('page: the form; `?csv=` from the QR code opens the result with the download and the seal; errors in the field', async (t) => {
    if (state.skip) return t.skip();
    const f = await filing();
    const csv = formatCsvCode(f.csv);
    const form = await fetch(`${server.base}/${f.tenant.slug}/verify?lang=ca`);
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    expect(formHtml).toContain('<h1>Verificació de documents</h1>');
    expect(formHtml).toMatch(/<label for="f-csv">Codi segur de verificació \(CSV\)<\/label>/);
    expect(formHtml).toContain(`action="/${f.tenant.slug}/verify"`);

    const result = await fetch(`${server.base}/${f.tenant.slug}/verify?csv=${csv}&lang=ca`);
    expect(result.status).toBe(200);
    const html = await result.text();
    expect(html).toContain('Document vàlid');
    // the code may break after its slashes on a phone (<wbr>)
    expect(html.replace(/<wbr\/?>/g, '')).toContain(`<dd>${f.registerCode}</dd>`);
    expect(html).toContain('Tràmit');
    expect(html).toContain(`href="/${f.tenant.slug}/verify/receipt?csv=${csv}"`);
    expect(html).toContain('O=Finestreta, CN=Finestreta demo seal');
    expect(html).toContain('Segell de prova');

    const es = await (await fetch(`${server.base}/${f.tenant.slug}/verify?csv=${csv}&lang=es`)).text();
    expect(es).toContain('Documento válido');

    const unknown = await fetch(`${server.base}/${f.tenant.slug}/verify?csv=${newCsvCode()}&lang=en`);
    expect(unknown.status).toBe(404);
    const unknownHtml = await unknown.text();
    expect(unknownHtml).toContain('No document has this verification code.');
    expect(unknownHtml).toContain('aria-invalid="true"');
    expect(unknownHtml.replace(/<wbr\/?>/g, '')).not.toContain(f.registerCode);
    const typo = await fetch(`${server.base}/${f.tenant.slug}/verify?csv=${encodeURIComponent(csv.slice(0, -1))}&lang=en`);
    expect(typo.status).toBe(422);
    expect(await typo.text()).toContain('The code has 28 characters (7 groups of 4).');
    // a script in the code is shown back as text, never run
    const tricky = await (await fetch(`${server.base}/${f.tenant.slug}/verify?csv=${encodeURIComponent('<script>alert(1)</script>')}&lang=en`)).text();
    expect(tricky).not.toContain('<script>alert(1)</script>');
  });

  it('rate limit: past RATE_LIMIT_VERIFY_PER_MINUTE the API, the page and the download answer 429, the page translated', async (t) => {
    if (state.skip) return t.skip();
    const f = await filing();
    const slug = f.tenant.slug;
    // three requests in all, whichever route they use
    expect((await verifyApi(limited.base, slug, f.csv)).status).toBe(200);
    expect((await fetch(`${limited.base}/${slug}/verify?csv=${f.csv}`)).status).toBe(200);
    expect((await fetch(`${limited.base}/${slug}/verify/receipt?csv=${f.csv}`)).status).toBe(200);
    const api429 = await verifyApi(limited.base, slug, f.csv);
    expect(api429.status).toBe(429);
    expect(api429.json.code).toBe('rate_limited');
    const page = await fetch(`${limited.base}/${slug}/verify?csv=${f.csv}&lang=ca`);
    expect(page.status).toBe(429);
    const html = await page.text();
    expect(html).toContain('<html lang="ca">');
    const { translator } = await import('../server/i18n/i18n.js');
    expect(html).toContain(translator('ca')('errors.rate_limited'));
    expect((await fetch(`${limited.base}/${slug}/verify/receipt?csv=${f.csv}`)).status).toBe(429);
  });

  it('shows the certificate that sealed the receipt, even when the town hall seals with another one now', async (t) => {
    if (state.skip) return t.skip();
    const otherDir = mkdtempSync(path.join(tmpdir(), 'fin-verify-old-seal-'));
    try {
      const oldSealer = await loadSealer({ DATA_DIR: otherDir }, { info: () => undefined, warn: () => undefined });
      const f = await filedRequest(db, { sealAt: LATER });
      await sealReceipt(
        { database: db, files: server.ctx.files, sealer: async () => oldSealer, config: server.ctx.config },
        { tenantId: f.tenant.id, filingId: f.filingId, csv: f.csv, jobId: f.jobId },
      );
      const old = new X509Certificate(oldSealer.certificatePem);
      const current = new X509Certificate((await server.ctx.sealer()).certificatePem);
      expect(old.fingerprint256).not.toBe(current.fingerprint256);
      const r = await verifyApi(server.base, f.tenant.slug, f.csv);
      expect(r.json.seal).toMatchObject({ sha256Fingerprint: old.fingerprint256, validFrom: new Date(old.validFrom).toISOString(), demo: true });
      const html = await (await fetch(`${server.base}/${f.tenant.slug}/verify?csv=${f.csv}&lang=en`)).text();
      expect(html.replace(/<wbr\/?>/g, '')).toContain(old.fingerprint256);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('is in the OpenAPI document', async (t) => {
    if (state.skip) return t.skip();
    const doc = await api(server.base, 'GET', '/api/openapi.json');
    expect(doc.json.paths['/api/v1/verify/{slug}'].get.summary).toMatch(/verification code/);
    expect(doc.json.paths['/api/v1/tenants/{slug}/filings/{filingId}/receipt'].get).toBeDefined();
  });
});
