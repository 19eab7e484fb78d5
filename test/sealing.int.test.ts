/**
 * Sealing, checked by the tools a town hall or a court would use: `openssl cms
 * -verify` for the detached CAdES over a manifest, `pdfsig` (poppler) for the
 * PAdES receipt. Covers the demo seal (generated once, reused, 0600 files),
 * PKCS#12 files made by OpenSSL (current AES format with an EC key and a CA
 * chain; legacy 3DES with RSA), and the clear start-up errors. No database.
 */
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFDict, PDFDocument as PdfLibDocument, PDFHexString, PDFName, PDFString } from 'pdf-lib';
import PDFDocument from 'pdfkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../server/config/config.js';
import { demoSealPaths } from '../server/modules/sealing/demo-seal.js';
import { loadSealCertificate, type SealCertificate, SealCertificateError } from '../server/modules/sealing/seal-certificate.js';
import { sealCms } from '../server/modules/sealing/seal-cms.js';
import { sealPdf } from '../server/modules/sealing/seal-pdf.js';
import { loadSealer } from '../server/modules/sealing/sealer.js';

type Run = { code: number; stdout: string; stderr: string };
/** Runs a tool and returns its exit code and output (never throws on a non-zero exit). */
function run(cmd: string, args: string[], cwd?: string): Promise<Run> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { encoding: 'utf8', cwd }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    }),
  );
}

const quietLogger = () => ({ info: vi.fn(), warn: vi.fn() });

async function smallPdf(text: string): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4' });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => doc.on('end', r));
  doc.fontSize(14).text(text);
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

/** The signature dictionary of a sealed PDF, its text entries decoded. */
async function signatureDictionary(pdf: Buffer): Promise<Record<string, string>> {
  const doc = await PdfLibDocument.load(pdf);
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (obj instanceof PDFDict && obj.get(PDFName.of('Type')) === PDFName.of('Sig')) {
      const out: Record<string, string> = {};
      for (const [k, v] of obj.entries()) out[k.decodeText()] = v instanceof PDFString || v instanceof PDFHexString ? v.decodeText() : String(v);
      return out;
    }
  }
  throw new Error('no signature dictionary');
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fin-sealing-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('demo seal', () => {
  it('is generated once (0600 files, RSA 3072, O/CN, keyUsage) and reused across loads and concurrent starts', async () => {
    const dataDir = path.join(dir, 'demo');
    const loggers = [quietLogger(), quietLogger(), quietLogger()];
    const concurrent = await Promise.all(loggers.map((logger) => loadSealCertificate({ DATA_DIR: dataDir }, logger)));
    const again = await loadSealCertificate({ DATA_DIR: dataDir }, quietLogger());
    const fingerprints = new Set([...concurrent, again].map((s) => s.certificate.fingerprint256));
    expect(fingerprints.size).toBe(1);
    expect(again.source).toBe('demo');
    // Exactly one of the concurrent starts made it, and said so (path only).
    const generated = loggers.flatMap((l) => l.warn.mock.calls).filter(([, msg]) => /generated a self-signed demo seal/.test(String(msg)));
    expect(generated).toHaveLength(1);
    const files = demoSealPaths(dataDir);
    expect(generated[0]![0]).toEqual({ file: files.p12 });
    for (const f of [files.p12, files.password]) expect((await stat(f)).mode & 0o777).toBe(0o600);
    const password = (await readFile(files.password, 'utf8')).trim();
    for (const l of loggers) expect(JSON.stringify([...l.info.mock.calls, ...l.warn.mock.calls])).not.toContain(password);

    const pem = path.join(dir, 'demo.pem');
    await writeFile(pem, again.certificate.toString());
    const text = (await run('openssl', ['x509', '-in', pem, '-noout', '-text'])).stdout;
    expect(text).toContain('Public-Key: (3072 bit)');
    expect(text).toMatch(/Subject: O ?= ?Finestreta, CN ?= ?Finestreta demo seal/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation\n/);
    // OpenSSL itself opens the PKCS#12 with the generated password.
    const opened = await run('openssl', ['pkcs12', '-in', files.p12, '-passin', `file:${files.password}`, '-nokeys', '-clcerts']);
    expect(opened.code).toBe(0);
    expect(new X509Certificate(opened.stdout.slice(opened.stdout.indexOf('-----BEGIN'))).fingerprint256).toBe(again.certificate.fingerprint256);
  });

  it('stops with a clear error when the PKCS#12 is there but its password file is not', async () => {
    const dataDir = path.join(dir, 'damaged');
    await loadSealCertificate({ DATA_DIR: dataDir }, quietLogger());
    await rm(demoSealPaths(dataDir).password);
    const error = await loadSealCertificate({ DATA_DIR: dataDir }, quietLogger()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SealCertificateError);
    expect(String((error as Error).message)).toMatch(/demo seal: .*seal\.p12 has no password file beside it/);
  });
});

describe('sealCms (detached CAdES-BES) verified by openssl', () => {
  let seal: SealCertificate;
  let certPem: string;
  const manifest = Buffer.from(`${JSON.stringify({ parts: [{ name: 'form.json', sha256: 'a'.repeat(64) }] }, null, 2)}\n`);

  beforeAll(async () => {
    seal = await loadSealCertificate({ DATA_DIR: path.join(dir, 'cms') }, quietLogger());
    certPem = path.join(dir, 'cms-cert.pem');
    await writeFile(certPem, seal.certificate.toString());
  });

  it('verifies over the manifest, and carries content-type, message-digest, signing-time and signingCertificateV2', async () => {
    const signingTime = new Date('2026-03-02T10:11:12Z');
    const sig = path.join(dir, 'manifest.p7s');
    const content = path.join(dir, 'manifest.json');
    await writeFile(sig, sealCms(seal, manifest, { signingTime }));
    await writeFile(content, manifest);

    const verified = await run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sig, '-content', content, '-CAfile', certPem, '-purpose', 'any', '-out', '/dev/null']);
    expect(verified.stderr).toContain('CMS Verification successful');
    expect(verified.code).toBe(0);

    const printed = (await run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', sig])).stdout;
    expect(printed).toContain('object: contentType (1.2.840.113549.1.9.3)');
    expect(printed).toContain('object: messageDigest (1.2.840.113549.1.9.4)');
    expect(printed).toContain('object: signingTime (1.2.840.113549.1.9.5)');
    expect(printed).toContain('UTCTIME:Mar  2 10:11:12 2026 GMT');
    expect(printed).toContain('object: id-smime-aa-signingCertificateV2 (1.2.840.113549.1.9.16.2.47)');
    expect(printed).toMatch(/eContentType: pkcs7-data[\s\S]*eContent: <ABSENT>/); // detached
    expect(printed).toContain('algorithm: sha256 (2.16.840.1.101.3.4.2.1)');
    // ESSCertIDv2.certHash is the SHA-256 of the signer's certificate.
    const certHash = createHash('sha256').update(seal.certificate.raw).digest('hex').toUpperCase();
    expect(printed).toContain(`OCTET STRING      [HEX DUMP]:${certHash}`);
  });

  it('fails for modified content', async () => {
    const sig = path.join(dir, 'manifest2.p7s');
    const content = path.join(dir, 'manifest2.json');
    await writeFile(sig, sealCms(seal, manifest));
    const modified = Buffer.from(manifest);
    modified[10] ^= 0x01;
    await writeFile(content, modified);
    const verified = await run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sig, '-content', content, '-CAfile', certPem, '-purpose', 'any', '-out', '/dev/null']);
    expect(verified.code).not.toBe(0);
    expect(verified.stderr).toContain('CMS Verification failure');
    expect(verified.stderr).toContain('content verify error');
  });
});

describe('sealPdf (PAdES B-B) verified by pdfsig', () => {
  let seal: SealCertificate;
  let sealed: Buffer;
  const signingTime = new Date('2026-03-02T10:11:12Z');

  beforeAll(async () => {
    seal = await loadSealCertificate({ DATA_DIR: path.join(dir, 'pdf') }, quietLogger());
    const pdf = await smallPdf('Justificant de registre E/2026/000123');
    sealed = await sealPdf(seal, pdf, {
      reason: 'Justificant de registre E/2026/000123 (còpia)',
      location: 'Ajuntament de Sant Llorenç',
      name: 'Ajuntament — segell electrònic',
      signingTime,
    });
  });

  it('is a valid ETSI.CAdES.detached signature over the whole document', async () => {
    const file = path.join(dir, 'receipt.pdf');
    await writeFile(file, sealed);
    const out = await run('pdfsig', [file]);
    expect(out.stdout).toContain('Signature Type: ETSI.CAdES.detached');
    expect(out.stdout).toContain('Signature Validation: Signature is Valid.');
    expect(out.stdout).toContain('Total document signed');
    expect(out.stdout).toContain('Signer Certificate Common Name: Finestreta demo seal');
    expect(out.stdout).toContain('Signing Hash Algorithm: SHA-256');
  });

  it('writes the dictionary PAdES asks for, and a CMS with signingCertificateV2 and no signing-time', async () => {
    const dict = await signatureDictionary(sealed);
    expect(dict).toMatchObject({
      SubFilter: '/ETSI.CAdES.detached',
      Filter: '/Adobe.PPKLite',
      M: 'D:20260302101112Z',
      Reason: 'Justificant de registre E/2026/000123 (còpia)',
      Location: 'Ajuntament de Sant Llorenç',
      Name: 'Ajuntament — segell electrònic',
    });
    const file = path.join(dir, 'dump.pdf');
    await writeFile(file, sealed);
    expect((await run('pdfsig', ['-dump', file], dir)).code).toBe(0); // writes dump.pdf.sig0 in the working folder
    const printed = (await run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', `${file}.sig0`])).stdout;
    expect(printed).toContain('object: id-smime-aa-signingCertificateV2 (1.2.840.113549.1.9.16.2.47)');
    expect(printed).toContain('object: contentType (1.2.840.113549.1.9.3)');
    expect(printed).toContain('object: messageDigest (1.2.840.113549.1.9.4)');
    expect(printed).not.toContain('signingTime');
  });

  it('reports a digest mismatch when one signed byte changes', async () => {
    // The page size (A4 width 595.28) lies in the first signed range: make the page 0.01 pt wider.
    const at = sealed.indexOf('595.28');
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(sealed.indexOf('/Contents <'));
    const tampered = Buffer.from(sealed);
    tampered[at + 5] = '9'.charCodeAt(0);
    const file = path.join(dir, 'tampered.pdf');
    await writeFile(file, tampered);
    const out = await run('pdfsig', [file]);
    expect(out.stdout).toContain('Signature Validation: Digest Mismatch.');
    expect(out.stdout).not.toContain('Signature is Valid');
  });

  it('refuses a PDF that is already signed', async () => {
    await expect(sealPdf(seal, sealed, { reason: 'r', location: 'l', name: 'n' })).rejects.toThrow(/already signed/);
  });
});

describe('configured PKCS#12 (made by OpenSSL)', () => {
  const password = 'pr0va-Segell!';
  let ecP12: string;
  let legacyP12: string;
  let rc2P12: string;
  let caPem: string;

  beforeAll(async () => {
    const f = (name: string) => path.join(dir, name);
    caPem = f('ca.pem');
    const steps: string[][] = [
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', caPem, '-subj', '/O=Prova CA/CN=Prova Root', '-days', '30'],
      ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/O=Ajuntament de Prova/CN=Segell'],
      ['x509', '-req', '-in', f('leaf.csr'), '-CA', caPem, '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('leaf.pem'), '-days', '30', '-extfile', f('ext.cnf')],
      // Current format: PBES2/AES-256, SHA-256 MAC; the CA in the chain.
      ['pkcs12', '-export', '-inkey', f('leaf.key'), '-in', f('leaf.pem'), '-certfile', caPem, '-out', f('ec.p12'), '-passout', `pass:${password}`],
      // Legacy format (Windows exports): 3DES, SHA-1 MAC.
      ['pkcs12', '-export', '-inkey', f('ca.key'), '-in', caPem, '-out', f('legacy.p12'), '-passout', `pass:${password}`, '-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'],
      // OpenSSL 1.1's default: certificates under RC2-40, the key under 3DES.
      ['pkcs12', '-export', '-legacy', '-inkey', f('ca.key'), '-in', caPem, '-out', f('rc2.p12'), '-passout', `pass:${password}`],
    ];
    await writeFile(f('ext.cnf'), 'keyUsage=critical,digitalSignature,nonRepudiation\n');
    for (const args of steps) {
      const r = await run('openssl', args);
      if (r.code !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
    }
    ecP12 = f('ec.p12');
    legacyP12 = f('legacy.p12');
    rc2P12 = f('rc2.p12');
  });

  it('loads an EC key with its CA chain; the CMS verifies against the CA and the PDF with pdfsig', async () => {
    const sealer = await loadSealer({ DATA_DIR: dir, SEAL_P12_PATH: ecP12, SEAL_P12_PASSWORD: password }, quietLogger());
    expect(sealer.source).toBe('configured');
    const leaf = new X509Certificate(await readFile(path.join(dir, 'leaf.pem')));
    expect(new X509Certificate(sealer.certificatePem).fingerprint256).toBe(leaf.fingerprint256);

    const data = Buffer.from('evidence manifest\n');
    await writeFile(path.join(dir, 'ec-data'), data);
    await writeFile(path.join(dir, 'ec.p7s'), await sealer.sealCms(data));
    const verified = await run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', path.join(dir, 'ec.p7s'), '-content', path.join(dir, 'ec-data'), '-CAfile', caPem, '-purpose', 'any', '-out', '/dev/null']);
    expect(verified.stderr).toContain('CMS Verification successful');
    const printed = (await run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', path.join(dir, 'ec.p7s')])).stdout;
    expect(printed).toContain('algorithm: ecdsa-with-SHA256 (1.2.840.10045.4.3.2)');
    expect(printed.match(/cert_info:/g)).toHaveLength(2); // the signer and its CA

    const pdf = await sealer.sealPdf(await smallPdf('EC'), { reason: 'Prova', location: 'Prova', name: 'Ajuntament de Prova' });
    await writeFile(path.join(dir, 'ec.pdf'), pdf);
    const out = await run('pdfsig', [path.join(dir, 'ec.pdf')]);
    expect(out.stdout).toContain('Signature Validation: Signature is Valid.');
    expect(out.stdout).toContain('Signature Type: ETSI.CAdES.detached');
  });

  it('loads legacy PKCS#12 files (3DES; RC2-40 + 3DES) with an RSA key', async () => {
    for (const file of [legacyP12, rc2P12]) {
      const seal = await loadSealCertificate({ DATA_DIR: dir, SEAL_P12_PATH: file, SEAL_P12_PASSWORD: password }, quietLogger());
      expect(seal.certificate.fingerprint256).toBe(new X509Certificate(await readFile(caPem)).fingerprint256);
      expect(seal.privateKey.asymmetricKeyType).toBe('rsa');
    }
  });

  it('a wrong password stops the start with a configuration error that names the setting, not the password', async () => {
    const wrong = 'not-the-password-42';
    for (const file of [ecP12, legacyP12, rc2P12]) {
      const error = await loadSealCertificate({ DATA_DIR: dir, SEAL_P12_PATH: file, SEAL_P12_PASSWORD: wrong }, quietLogger()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SealCertificateError);
      expect(error).toBeInstanceOf(ConfigError); // main maps ConfigError to exit code 78
      expect((error as Error).message).toContain('SEAL_P12_PASSWORD: the password does not open the PKCS#12 file');
      expect((error as Error).message).not.toContain(wrong);
    }
  });

  it('an unreadable or non-PKCS#12 file names SEAL_P12_PATH', async () => {
    const missing = await loadSealCertificate({ DATA_DIR: dir, SEAL_P12_PATH: path.join(dir, 'nope.p12'), SEAL_P12_PASSWORD: password }, quietLogger()).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SealCertificateError);
    expect((missing as Error).message).toMatch(/SEAL_P12_PATH: cannot read .*nope\.p12 \(ENOENT\)/);
    const notP12 = path.join(dir, 'not.p12');
    await writeFile(notP12, 'hello, I am not a certificate');
    const garbage = await loadSealCertificate({ DATA_DIR: dir, SEAL_P12_PATH: notP12, SEAL_P12_PASSWORD: password }, quietLogger()).catch((e: unknown) => e);
    expect(garbage).toBeInstanceOf(SealCertificateError);
    expect((garbage as Error).message).toMatch(/SEAL_P12_PATH: the file is not a PKCS#12/);
  });

  it('an expired certificate stops the start', async () => {
    const later = new Date(Date.now() + 365 * 86_400_000);
    const error = await loadSealCertificate({ DATA_DIR: dir, SEAL_P12_PATH: ecP12, SEAL_P12_PASSWORD: password }, quietLogger(), later).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SealCertificateError);
    expect((error as Error).message).toMatch(/SEAL_P12_PATH: the seal certificate expired on/);
  });

  it('SEAL_P12_PATH without SEAL_P12_PASSWORD is a configuration error', () => {
    expect(() => loadConfig({ SEAL_P12_PATH: ecP12 })).toThrow(/SEAL_P12_PASSWORD: is required when SEAL_P12_PATH is set/);
    expect(loadConfig({ SEAL_P12_PATH: ecP12, SEAL_P12_PASSWORD: password })).toMatchObject({ SEAL_P12_PATH: ecP12 });
  });
});
