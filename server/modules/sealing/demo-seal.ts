/**
 * The demo seal: when no organisation certificate is configured, a
 * self-signed one is made once and kept in DATA_DIR/keys/seal.p12, its
 * password in seal.p12.password beside it (both mode 0600). Every process
 * and every restart uses the same one, so receipts sealed yesterday still
 * name today's certificate. Creation is safe when several processes start
 * together: each file is written to a temporary name and linked into place
 * only if absent (the first process wins, the others read its files). A seal
 * that is there but damaged stops the start; it is never silently replaced.
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { syncDir } from '../../storage/sync-dir.js';

/** Subject of the demo certificate: the platform as organisation. */
export const DEMO_SEAL_SUBJECT = { organisation: 'Finestreta', commonName: 'Finestreta demo seal' } as const;
const DEMO_VALIDITY_YEARS = 10;
/** How long a process waits for the seal another process is writing at the same moment. */
const WAIT_FOR_OTHER_PROCESS_MS = 10_000;

/** Where the demo seal lives under DATA_DIR. */
export function demoSealPaths(dataDir: string): { p12: string; password: string } {
  const p12 = path.join(dataDir, 'keys', 'seal.p12');
  return { p12, password: `${p12}.password` };
}

/** A demo seal file that exists but cannot be used (damaged or half-written). */
export class DemoSealFileError extends Error {
  override name = 'DemoSealFileError';
}

/**
 * The demo seal's PKCS#12 and password, made on first use. `onGenerated` is
 * told the file path (never the password) once, when a new seal was made.
 */
export async function ensureDemoSeal(dataDir: string, onGenerated?: (file: string) => void): Promise<{ p12: Buffer; password: string }> {
  const files = demoSealPaths(dataDir);
  const existing = await readDemoSeal(files);
  if (existing) return existing;

  await mkdir(path.dirname(files.p12), { recursive: true, mode: 0o700 });
  const password = randomBytes(32).toString('base64url');
  const p12 = await createDemoSealP12(password);
  // The password goes first: a process that finds it knows the PKCS#12 is on its way.
  if (await linkNewFile(files.password, `${password}\n`)) {
    if (!(await linkNewFile(files.p12, p12))) throw new DemoSealFileError(`${files.p12} appeared while its password was being created; remove both files to start again`);
    await syncDir(path.dirname(files.p12));
    onGenerated?.(files.p12);
    return { p12, password };
  }
  // Another process is making the seal: wait for its files.
  const deadline = Date.now() + WAIT_FOR_OTHER_PROCESS_MS;
  for (;;) {
    const theirs = await readDemoSeal(files);
    if (theirs) return theirs;
    if (Date.now() > deadline) {
      throw new DemoSealFileError(`${files.password} exists without ${files.p12} (an interrupted first start?); remove it to generate a new demo seal`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Both files, or undefined when neither exists yet (or only the password, while another process writes). */
async function readDemoSeal(files: { p12: string; password: string }): Promise<{ p12: Buffer; password: string } | undefined> {
  const [p12, password] = await Promise.all([readIfExists(files.p12), readIfExists(files.password)]);
  if (p12 && password) {
    const text = password.toString('utf8').trim();
    if (!text) throw new DemoSealFileError(`${files.password} is empty`);
    return { p12, password: text };
  }
  if (p12 && !password) throw new DemoSealFileError(`${files.p12} has no password file beside it (${path.basename(files.password)})`);
  return undefined;
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Writes a temporary file (0600, fsynced) and links it to `file` unless that exists; true when ours is now in place. */
async function linkNewFile(file: string, content: string | Buffer): Promise<boolean> {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * A new self-signed organisation certificate (RSA 3072, SHA-256; keyUsage
 * digitalSignature + nonRepudiation, critical; not a CA) with its key, as a
 * PKCS#12 encrypted with AES-256 under `password`.
 */
export async function createDemoSealP12(password: string, now = new Date()): Promise<Buffer> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 3072,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(privateKey);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = positiveSerial();
  cert.validity.notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now);
  cert.validity.notAfter.setUTCFullYear(now.getUTCFullYear() + DEMO_VALIDITY_YEARS);
  const subject = [
    { shortName: 'O', value: DEMO_SEAL_SUBJECT.organisation },
    { shortName: 'CN', value: DEMO_SEAL_SUBJECT.commonName },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, {
    algorithm: 'aes256',
    friendlyName: DEMO_SEAL_SUBJECT.commonName,
    generateLocalKeyId: true,
  });
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}

/** 16 random bytes as a positive DER INTEGER (top bit clear, first byte non-zero). */
function positiveSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x10;
  return bytes.toString('hex');
}
