/**
 * The register receipt and its sealing job on both databases, checked with
 * the real tools: what it says (`pdftotext`, in Catalan and Spanish), its
 * PAdES seal (`pdfsig`; a changed byte breaks it), the CMS over the signed
 * byte ranges (`openssl cms -verify`), the QR code (rendered by `pdftoppm`,
 * decoded by jsQR), and the job's crash safety: whatever point an attempt dies
 * at, the next one ends with exactly one sealed receipt, one audit event, one
 * email job and one build_package job.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDateTime } from '../server/i18n/format.js';
import { verifyAuditChain } from '../server/modules/audit/verify-audit-chain.js';
import { formatCsvCode } from '../server/modules/evidence/csv-code.js';
import { filingContext, packageDocuments } from '../server/modules/handoff/package-sources.js';
import { receiptStorageKey } from '../server/modules/receipt/receipt-file.js';
import { findReceiptFiling, listReceiptDocuments } from '../server/modules/receipt/receipt.repository.js';
import { sealReceipt, type SealReceiptDeps } from '../server/modules/receipt/seal-receipt.js';
import { loadSealer, type Sealer } from '../server/modules/sealing/sealer.js';
import type { FileStore } from '../server/storage/encrypted-files.js';
import { openFileStore } from '../server/storage/open-file-store.js';
import { DATABASE_KINDS } from './support/databases.js';
import { filedRequest, prepareFormalAttention, insertFiling } from './support/filings.js';
import { decodeQrFromPdf, opensslVerifyPdfCms, pdfsig, pdfText } from './support/pdf-tools.js';
import { useDatabase } from './support/use-database.js';

const PUBLIC_URL = 'https://finestreta.example';
const quiet = { info: () => undefined, warn: () => undefined };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** pdftotext keeps words but may move line breaks: compare with runs of white space folded. */
const flat = (s: string) => s.replace(/\s+/g, ' ');

describe.each(DATABASE_KINDS)('receipt and seal_receipt job on %s', (kind) => {
  const state = useDatabase(kind);
  let dir: string;
  let files: FileStore;
  let sealer: Sealer;
  let deps: SealReceiptDeps;

  beforeAll(async () => {
    if (state.skip) return;
    dir = mkdtempSync(path.join(tmpdir(), 'fin-receipt-'));
    files = await openFileStore({ DATA_DIR: dir });
    sealer = await loadSealer({ DATA_DIR: dir }, quiet);
    deps = { database: state.db, files: async () => files, sealer: async () => sealer, config: { PUBLIC_URL, JOB_MAX_ATTEMPTS: 8 } };
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const filingRow = async (id: string) =>
    (await state.db.rows<{ status: string; receipt_key: string | null; receipt_sha256: string | null; sealed_at: Date | null }>(sql`
      SELECT status, receipt_key, receipt_sha256, sealed_at FROM filings WHERE id = ${id}`))[0];
  const jobsOf = async (tenantId: string, type: string) =>
    state.db.rows<{ id: string; payload: Record<string, unknown>; max_attempts: number }>(sql`
      SELECT id, payload, max_attempts FROM jobs WHERE tenant_id = ${tenantId} AND type = ${type} ORDER BY created_at`);
  const sealedEvents = async (tenantId: string) =>
    state.db.rows<{ subjects: Record<string, string>; data: Record<string, unknown>; actor_kind: string }>(sql`
      SELECT subjects, data, actor_kind FROM audit_log WHERE tenant_id = ${tenantId} AND event = 'receipt_sealed'`);
  const storedReceipt = (tenantId: string, filingId: string) => files.readAll(tenantId, receiptStorageKey(tenantId, filingId));

  it('seals a receipt in Catalan that says what was filed; pdfsig and openssl verify it; its QR code opens the verification page', async (t) => {
    if (state.skip) return t.skip();
    const f = await filedRequest(state.db, { files });
    const result = await sealReceipt(deps, { tenantId: f.tenant.id, filingId: f.filingId, csv: f.csv, jobId: f.jobId });
    expect(result).toMatchObject({ outcome: 'sealed', rendered: true });

    const row = await filingRow(f.filingId);
    expect(row).toMatchObject({ status: 'sealed', receipt_key: `${f.tenant.id}/receipts/${f.filingId}/receipt.pdf`, receipt_sha256: result.receiptSha256 });
    expect(row.sealed_at).not.toBeNull();
    const pdf = await storedReceipt(f.tenant.id, f.filingId);
    expect(sha256(pdf)).toBe(result.receiptSha256);

    // what it says
    const text = flat(await pdfText(pdf));
    const csv = formatCsvCode(f.csv);
    const verifyUrl = `${PUBLIC_URL}/${f.tenant.slug}/verify?csv=${csv}`;
    for (const expected of [
      'Ajuntament de Prova',
      'Codi DIR3: L01080001',
      'Justificant de registre d’entrada',
      'SEGELL DE PROVA',
      `Número de registre ${f.registerCode}`,
      formatDateTime(f.registeredAt, 'Europe/Madrid', 'ca'),
      'Tràmit (tramit)',
      'Núria Prats i Vilà',
      'DNI 12345678Z',
      f.citizen.email!,
      '+34612345678',
      'Adreça de l’obra Carrer Major, 12',
      'Tipus d’obra Obra menor',
      'Pressupost (€) 12.500',
      'Cal bastida Sí',
      '4 de maig del 2026',
      'notes Façana i balcons',
      'plànol-façana.pdf',
      'foto-balcó.jpg',
      'model-autoliquidacio.pdf',
      'Lliurat per l’Ajuntament',
      'Agent 0',
      'Decret 123/2026',
      'Llei 39/2015, art. 12.2',
      csv,
      verifyUrl,
    ]) {
      expect(text, expected).toContain(expected);
    }
    for (const d of f.documents) expect(text).toContain(`SHA-256: ${d.sha256}`);
    // identity images are evidence, not documents of the request
    expect(text).not.toContain('id-front.jpg');

    // its seal
    const sig = await pdfsig(pdf);
    expect(sig.stdout).toContain('Signature Type: ETSI.CAdES.detached');
    expect(sig.stdout).toContain('Signature Validation: Signature is Valid.');
    expect(sig.stdout).toContain('Total document signed');
    const cms = await opensslVerifyPdfCms(pdf, sealer.certificatePem);
    expect(cms.verify.stderr).toContain('CMS Verification successful');
    expect(cms.printed).toContain('id-smime-aa-signingCertificateV2');

    // one changed byte in the signed part (the Creator in the document information) breaks it
    const at = pdf.indexOf('Finestreta');
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(pdf);
    tampered[at] = 'G'.charCodeAt(0);
    expect((await pdfsig(tampered)).stdout).toContain('Signature Validation: Digest Mismatch.');
    expect((await opensslVerifyPdfCms(tampered, sealer.certificatePem)).verify.stderr).toContain('CMS Verification failure');

    // metadata: title and language
    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    expect(doc.getTitle()).toBe(`Justificant de registre d’entrada ${f.registerCode}`);
    expect(doc.catalog.lookup(PDFName.of('Lang'), PDFString).decodeText()).toBe('ca');

    // the QR code, read from the rendered page
    expect(await decodeQrFromPdf(pdf)).toBe(verifyUrl);
  });

  it('writes the audit event, queues the email and the package, and forgets the plain code', async (t) => {
    if (state.skip) return t.skip();
    const f = await filedRequest(state.db);
    const result = await sealReceipt(deps, { tenantId: f.tenant.id, filingId: f.filingId, csv: f.csv, jobId: f.jobId });
    const events = await sealedEvents(f.tenant.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor_kind: 'system',
      subjects: { filing: f.filingId, attention: f.attentionId },
      data: { receiptSha256: result.receiptSha256, csvHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(events[0].subjects.registerEntry).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(events[0])).not.toContain(f.csv);
    expect((await verifyAuditChain(state.db, f.tenant.id)).ok).toBe(true);

    const emails = await jobsOf(f.tenant.id, 'email');
    expect(emails).toHaveLength(1);
    expect(emails[0].payload).toEqual({ template: 'receipt', filingId: f.filingId, accessCode: formatCsvCode(f.csv) });
    expect((await jobsOf(f.tenant.id, 'build_package')).map((j) => j.payload)).toEqual([{ filingId: f.filingId }]);
    const [sealJob] = await jobsOf(f.tenant.id, 'seal_receipt');
    expect(sealJob.payload).toEqual({ filingId: f.filingId });
  });

  it('prints the receipt in Spanish for a Spanish-speaking citizen, and names outside Latin-1 exactly', async (t) => {
    if (state.skip) return t.skip();
    const f = await filedRequest(state.db, { language: 'es', citizenName: 'Łucja Żółkiewska-Ødegård', email: null, phone: '+34 600 000 001' });
    await sealReceipt(deps, { tenantId: f.tenant.id, filingId: f.filingId, csv: f.csv, jobId: f.jobId });
    const pdf = await storedReceipt(f.tenant.id, f.filingId);
    const text = flat(await pdfText(pdf));
    for (const expected of [
      'Justificante de registro de entrada',
      'SELLO DE PRUEBA',
      `Número de registro ${f.registerCode}`,
      formatDateTime(f.registeredAt, 'Europe/Madrid', 'es'),
      'Trámite (tramit)',
      'Łucja Żółkiewska-Ødegård',
      'Dirección de la obra Carrer Major, 12',
      'Tipo de obra Obra menor',
      'Presupuesto (€) 12.500',
      'Necesita andamio Sí',
      'Aportado por la persona interesada',
      'Funcionario habilitado',
      'Código seguro de verificación (CSV)',
      formatCsvCode(f.csv),
    ]) {
      expect(text, expected).toContain(expected);
    }
    expect(text).not.toContain('Correo electrónico');
    expect((await pdfsig(pdf)).stdout).toContain('Signature Validation: Signature is Valid.');
    // no email address: no email job, the package all the same
    expect(await jobsOf(f.tenant.id, 'email')).toHaveLength(0);
    expect(await jobsOf(f.tenant.id, 'build_package')).toHaveLength(1);
  });

  it('a crash after storing the receipt: the next attempt finishes with the stored one — one receipt, one event, one email, one package', async (t) => {
    if (state.skip) return t.skip();
    const f = await filedRequest(state.db);
    // the real store, except that the process "dies" right after the receipt is written
    const crashing = Object.create(files, {
      write: {
        value: async (...args: Parameters<FileStore['write']>) => {
          await files.write(...args);
          throw new Error('crash after storing');
        },
      },
    }) as FileStore;
    await expect(sealReceipt({ ...deps, files: async () => crashing }, { tenantId: f.tenant.id, filingId: f.filingId, csv: f.csv, jobId: f.jobId })).rejects.toThrow(
      'crash after storing',
    );
    // nothing committed but the stored file
    expect((await filingRow(f.filingId)).status).toBe('registered');
    expect(await sealedEvents(f.tenant.id)).toHaveLength(0);
    expect(await jobsOf(f.tenant.id, 'email')).toHaveLength(0);
    expect(await jobsOf(f.tenant.id, 'build_package')).toHaveLength(0);
    expect((await jobsOf(f.tenant.id, 'seal_receipt'))[0].payload).toEqual({ filingId: f.filingId, csv: f.csv });
    const stored = await storedReceipt(f.tenant.id, f.filingId);

    const again = await sealReceipt(deps, { tenantId: f.tenant.id, filingId: f.filingId, csv: f.csv, jobId: f.jobId });
    expect(again).toEqual({ outcome: 'sealed', receiptSha256: sha256(stored), rendered: false });
    const third = await sealReceipt(deps, { tenantId: f.tenant.id, filingId: f.filingId, csv: undefined, jobId: f.jobId });
    expect(third).toEqual({ outcome: 'already_sealed', receiptSha256: sha256(stored), rendered: false });

    expect(await filingRow(f.filingId)).toMatchObject({ status: 'sealed', receipt_sha256: sha256(stored) });
    expect(sha256(await storedReceipt(f.tenant.id, f.filingId))).toBe(sha256(stored));
    expect(await sealedEvents(f.tenant.id)).toHaveLength(1);
    expect(await jobsOf(f.tenant.id, 'email')).toHaveLength(1);
    expect(await jobsOf(f.tenant.id, 'build_package')).toHaveLength(1);
    expect((await jobsOf(f.tenant.id, 'seal_receipt'))[0].payload).toEqual({ filingId: f.filingId });
  });

  it('the code already gone from the job after a crash: the stored receipt is used, never rendered again', async (t) => {
    if (state.skip) return t.skip();
    const f = await filedRequest(state.db);
    const crashing = Object.create(files, {
      write: {
        value: async (...args: Parameters<FileStore['write']>) => {
          await files.write(...args);
          throw new Error('crash after storing');
        },
      },
    }) as FileStore;
    await expect(sealReceipt({ ...deps, files: async () => crashing }, { tenantId: f.tenant.id, filingId: f.filingId, csv: f.csv })).rejects.toThrow();
    // a sealer that fails proves nothing is sealed again
    const noSealing: Sealer = { ...sealer, sealPdf: async () => Promise.reject(new Error('must not render again')) };
    const again = await sealReceipt({ ...deps, sealer: async () => noSealing }, { tenantId: f.tenant.id, filingId: f.filingId });
    expect(again).toMatchObject({ outcome: 'sealed', rendered: false });
    // the email goes without the code in its payload (the attached receipt prints it)
    expect((await jobsOf(f.tenant.id, 'email')).map((j) => j.payload)).toEqual([{ template: 'receipt', filingId: f.filingId }]);
  });

  it('a crash before storing leaves nothing behind; without the code and without a stored receipt it refuses to render', async (t) => {
    if (state.skip) return t.skip();
    const f = await filedRequest(state.db);
    const broken: Sealer = { ...sealer, sealPdf: async () => Promise.reject(new Error('seal service down')) };
    await expect(sealReceipt({ ...deps, sealer: async () => broken }, { tenantId: f.tenant.id, filingId: f.filingId, csv: f.csv })).rejects.toThrow('seal service down');
    expect(await files.exists(f.tenant.id, receiptStorageKey(f.tenant.id, f.filingId))).toBe(false);
    expect((await filingRow(f.filingId)).status).toBe('registered');

    await expect(sealReceipt(deps, { tenantId: f.tenant.id, filingId: f.filingId })).rejects.toThrow(/no verification code/);
    await expect(sealReceipt(deps, { tenantId: f.tenant.id, filingId: f.filingId, csv: formatCsvCode(f.csv).replace(/^..../, '0000').slice(0, 34) })).rejects.toThrow();
    expect((await filingRow(f.filingId)).status).toBe('registered');

    const ok = await sealReceipt(deps, { tenantId: f.tenant.id, filingId: f.filingId, csv: f.csv });
    expect(ok).toMatchObject({ outcome: 'sealed', rendered: true });
  });

  it('two attempts at once store one receipt and queue one of everything', async (t) => {
    if (state.skip) return t.skip();
    const f = await filedRequest(state.db);
    const results = await Promise.all([0, 1].map(() => sealReceipt(deps, { tenantId: f.tenant.id, filingId: f.filingId, csv: f.csv, jobId: f.jobId })));
    expect(results.map((r) => r.outcome).sort()).toEqual(['already_sealed', 'sealed']);
    const stored = await storedReceipt(f.tenant.id, f.filingId);
    expect(results.every((r) => r.receiptSha256 === sha256(stored))).toBe(true);
    expect((await filingRow(f.filingId)).receipt_sha256).toBe(sha256(stored));
    expect(await sealedEvents(f.tenant.id)).toHaveLength(1);
    expect(await jobsOf(f.tenant.id, 'email')).toHaveLength(1);
    expect(await jobsOf(f.tenant.id, 'build_package')).toHaveLength(1);
  });

  it('lists the same documents as the evidence package: those accepted (or handed out) by registration, none after', async (t) => {
    if (state.skip) return t.skip();
    const f = await filedRequest(state.db);
    // after registration: a citizen document completed before but accepted after, one uploaded after, a handout after
    const late = await state.db.rows<{ id: string }>(sql`
      INSERT INTO documents (tenant_id, appointment_id, kind, file_name, declared_bytes, content_type, bytes, sha256, storage_key, status, reviewed_at, uploaded_by, completed_at)
      SELECT ${f.tenant.id}, ${f.appointmentId}, k.kind, 'late.pdf', 10, 'application/pdf', 10, repeat('a', 64), ${f.tenant.id} || '/documents/late/' || k.n, 'accepted',
             CASE WHEN k.kind = 'citizen' THEN now() + interval '1 minute' END, NULL, now() + k.completed
        FROM (VALUES (1, 'citizen', interval '-1 minute'), (2, 'citizen', interval '1 minute'), (3, 'handout', interval '1 minute')) AS k(n, kind, completed)
      RETURNING id`);
    const receipt = await findReceiptFiling(state.db, f.tenant.id, f.filingId);
    const listed = (await listReceiptDocuments(state.db, receipt!)).map((d) => d.id).sort();
    const ctx = await filingContext(state.db, f.tenant.id, f.filingId);
    const packaged = (await packageDocuments(state.db, ctx!, { front: null, back: null })).map((d) => d.id).sort();
    expect(listed).toEqual(f.documents.map((d) => d.id).sort());
    expect(packaged).toEqual(listed);
    for (const d of late) expect(listed).not.toContain(d.id);
  });

  it('a filing of another town hall is not found', async (t) => {
    if (state.skip) return t.skip();
    const a = await prepareFormalAttention(state.db);
    const b = await prepareFormalAttention(state.db);
    const filing = await insertFiling(state.db, a);
    await expect(sealReceipt(deps, { tenantId: b.tenant.id, filingId: filing.filingId, csv: filing.csv })).rejects.toMatchObject({ code: 'filing_not_found' });
    expect((await filingRow(filing.filingId)).status).toBe('registered');
  });
});
