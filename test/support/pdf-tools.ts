/**
 * Checks a PDF the way a town hall, a court or a citizen would, with the real
 * tools: `pdftotext` and `pdftoppm` (poppler) for what it says and shows,
 * `pdfsig` for its PAdES seal, `openssl cms -verify` for the CMS over the
 * signed byte ranges, and jsQR for the QR code on the rendered page.
 * (scripts/install-test-deps.sh installs poppler-utils and openssl.)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jsQRModule from 'jsqr';

// jsqr is CommonJS whose typings say `export default`: under NodeNext the default import is module.exports itself.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as typeof jsQRModule.default;

export type Run = { code: number; stdout: string; stderr: string };

/** Runs a tool and returns its exit code and output (never throws on a non-zero exit). */
export function run(cmd: string, args: string[], cwd?: string): Promise<Run> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { encoding: 'utf8', cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    }),
  );
}

/** Runs `fn` with a throw-away folder. */
async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fin-pdf-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The text of a PDF as `pdftotext` reads it (UTF-8). */
export function pdfText(pdf: Buffer): Promise<string> {
  return inTempDir(async (dir) => {
    const file = path.join(dir, 'doc.pdf');
    await writeFile(file, pdf);
    const out = await run('pdftotext', ['-enc', 'UTF-8', file, '-']);
    if (out.code !== 0) throw new Error(`pdftotext failed: ${out.stderr}`);
    return out.stdout;
  });
}

/** What `pdfsig` says about a PDF's signatures. */
export function pdfsig(pdf: Buffer): Promise<Run> {
  return inTempDir(async (dir) => {
    const file = path.join(dir, 'doc.pdf');
    await writeFile(file, pdf);
    return run('pdfsig', [file]);
  });
}

/** The first signature's ByteRange and its CMS (the DER inside /Contents <…>). */
export function signedParts(pdf: Buffer): { byteRange: [number, number, number, number]; signed: Buffer; cms: Buffer } {
  const text = pdf.toString('latin1');
  const m = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text);
  if (!m) throw new Error('no /ByteRange in the PDF');
  const [a, b, c, d] = m.slice(1, 5).map(Number) as [number, number, number, number];
  const hex = pdf.subarray(a + b, c).toString('latin1').trim();
  if (!hex.startsWith('<') || !hex.endsWith('>')) throw new Error('the gap between the byte ranges is not the /Contents hex string');
  const padded = Buffer.from(hex.slice(1, -1), 'hex');
  return { byteRange: [a, b, c, d], signed: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]), cms: derPrefix(padded) };
}

/** The DER value at the start of `b` (the placeholder is zero-padded after it): tag, length, content. */
function derPrefix(b: Buffer): Buffer {
  if (b[0] !== 0x30) throw new Error('the signature is not a DER SEQUENCE');
  const first = b[1];
  if (first < 0x80) return b.subarray(0, 2 + first);
  const n = first & 0x7f;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + b[2 + i];
  return b.subarray(0, 2 + n + length);
}

/**
 * `openssl cms -verify` of the PDF's CMS over its signed byte ranges, trusting
 * `certificatePem`; also prints the CMS so callers can check its attributes.
 */
export function opensslVerifyPdfCms(pdf: Buffer, certificatePem: string): Promise<{ verify: Run; printed: string }> {
  const { signed, cms } = signedParts(pdf);
  return inTempDir(async (dir) => {
    const f = (n: string) => path.join(dir, n);
    await writeFile(f('sig.der'), cms);
    await writeFile(f('signed.bin'), signed);
    await writeFile(f('seal.pem'), certificatePem);
    const verify = await run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', f('sig.der'), '-content', f('signed.bin'), '-CAfile', f('seal.pem'), '-purpose', 'any', '-out', '/dev/null']);
    const printed = (await run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', f('sig.der')])).stdout;
    return { verify, printed };
  });
}

/** A binary PPM (P6) as RGBA pixels. */
function ppmToRgba(ppm: Buffer): { width: number; height: number; data: Uint8ClampedArray } {
  // header: "P6" whitespace width whitespace height whitespace maxval single-whitespace
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(ppm.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error('not a binary PPM');
  const [width, height] = [Number(header[1]), Number(header[2])];
  const pixels = ppm.subarray(header[0].length);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; i < width * height; i++, j += 3) {
    data[i * 4] = pixels[j];
    data[i * 4 + 1] = pixels[j + 1];
    data[i * 4 + 2] = pixels[j + 2];
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}

/** Renders each page (pdftoppm, 150 dpi) and returns the text of the first QR code found, or null. */
export function decodeQrFromPdf(pdf: Buffer): Promise<string | null> {
  return inTempDir(async (dir) => {
    const file = path.join(dir, 'doc.pdf');
    await writeFile(file, pdf);
    const out = await run('pdftoppm', ['-r', '150', file, path.join(dir, 'page')]);
    if (out.code !== 0) throw new Error(`pdftoppm failed: ${out.stderr}`);
    const pages = (await readdir(dir)).filter((n) => n.endsWith('.ppm')).sort();
    for (const page of pages.reverse()) {
      const { width, height, data } = ppmToRgba(await readFile(path.join(dir, page)));
      const found = jsQR(data, width, height);
      if (found) return found.data;
    }
    return null;
  });
}
