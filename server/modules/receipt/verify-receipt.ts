/**
 * Public verification of a receipt by its secure verification code (CSV):
 * the code is checked before any lookup (a typo answers csv_length,
 * csv_character or csv_checksum), then looked up by its SHA-256 in this
 * town hall only. An unknown code — or one of another town hall — answers
 * verify_not_found and nothing else.
 */
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import type { FileStore } from '../../storage/encrypted-files.js';
import { csvLookupKey, parseCsvCode } from '../evidence/csv-code.js';
import { TtlCache } from '../transparency/ttl-cache.js';
import { receiptFileName } from './receipt-file.js';
import { findFilingIdByCsvHash, findReceiptFiling, type ReceiptFiling } from './receipt.repository.js';

/** The filing a typed code belongs to (in this tenant), and the code's compact form. */
export async function verifyCsv(database: Database, tenantId: string, input: unknown): Promise<{ filing: ReceiptFiling; code: string }> {
  const parsed = parseCsvCode(input);
  if (!parsed.ok) throw new AppError(parsed.error);
  const id = await findFilingIdByCsvHash(database, tenantId, csvLookupKey(parsed.code));
  const filing = id ? await findReceiptFiling(database, tenantId, id) : undefined;
  if (!filing) throw new AppError('verify_not_found');
  return { filing, code: parsed.code };
}

/** The sealed PDF of a filing and the name it is downloaded under; receipt_not_ready while the job has not sealed it. */
export async function readSealedReceipt(files: FileStore, filing: ReceiptFiling): Promise<{ pdf: Buffer; fileName: string }> {
  if (filing.status !== 'sealed' || !filing.receiptKey) throw new AppError('receipt_not_ready');
  try {
    return { pdf: await files.readAll(filing.tenantId, filing.receiptKey), fileName: receiptFileName(filing.registerCode, filing.language) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('not_found');
    throw e;
  }
}

/** A filing of the tenant by id (a malformed id is simply not found). */
export async function findFilingForDownload(database: Database, tenantId: string, filingId: string): Promise<ReceiptFiling> {
  const filing = z.uuid().safeParse(filingId).success ? await findReceiptFiling(database, tenantId, filingId) : undefined;
  if (!filing) throw new AppError('filing_not_found');
  return filing;
}

/** What the verification page and API show of the seal certificate. */
export type SealView = { subject: string; issuer: string; validFrom: Date; validTo: Date; sha256Fingerprint: string; demo: boolean };

/** The demo seal's certificate is self-signed with this common name (sealing/demo-seal.ts). */
const DEMO_SUBJECT = /(^|\n)CN=Finestreta demo seal(\n|$)/;

export function sealView(certificate: string | X509Certificate, demo: boolean): SealView {
  const cert = typeof certificate === 'string' ? new X509Certificate(certificate) : certificate;
  const dn = (s: string) => s.split('\n').filter(Boolean).join(', ');
  return {
    subject: dn(cert.subject),
    issuer: dn(cert.issuer),
    validFrom: new Date(cert.validFrom),
    validTo: new Date(cert.validTo),
    sha256Fingerprint: cert.fingerprint256,
    demo,
  };
}

/**
 * The certificate that sealed each stored receipt, as PEM: a sealed receipt
 * never changes (its SHA-256 is part of the key), so it is read from the PDF
 * once, not on every lookup ('' = the PDF names no readable signer). About
 * 2 KB each, at most 4 MB in all.
 */
const signers = new TtlCache<string>({ ttlMs: 6 * 3600_000, maxBytes: 4 * 1024 * 1024, sizeOf: (pem) => 2 * pem.length, maxEntries: 5000 });

/**
 * The seal to show for a filing: the certificate that sealed its stored
 * receipt (read from the PDF once, then cached), or — while it is being
 * sealed, or if the PDF cannot be read — the seal in use now.
 */
export async function sealOfFiling(files: FileStore, filing: ReceiptFiling, current: { certificatePem: string; source: string }): Promise<SealView> {
  const now = new X509Certificate(current.certificatePem);
  let signer: X509Certificate | null = null;
  if (filing.status === 'sealed' && filing.receiptKey) {
    const receiptKey = filing.receiptKey;
    const key = `${filing.tenantId}:${filing.id}:${filing.receiptSha256 ?? ''}`;
    // a failed read is not cached: the next lookup tries again
    const pem = await signers
      .get(key, async () => (await import('./receipt-signer.js')).receiptSigner(await files.readAll(filing.tenantId, receiptKey))?.toString() ?? '')
      .catch(() => null);
    signer = pem ? new X509Certificate(pem) : null;
  }
  const cert = signer ?? now;
  const demo = cert.fingerprint256 === now.fingerprint256 ? current.source === 'demo' : cert.subject === cert.issuer && DEMO_SUBJECT.test(cert.subject);
  return sealView(cert, demo);
}
