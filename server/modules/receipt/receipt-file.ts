/** Where a sealed receipt is stored and the name it is downloaded under (no personal data in either). */
import type { Language } from '../../../shared/domain.js';
import { translator } from '../../i18n/i18n.js';

/** `<tenantId>/receipts/<filingId>/receipt.pdf` in the encrypted file store. */
export function receiptStorageKey(tenantId: string, filingId: string): string {
  return `${tenantId}/receipts/${filingId}/receipt.pdf`;
}

/** `justificant-E-2026-000123.pdf` (the word in the receipt's language; ASCII only). */
export function receiptFileName(registerCode: string, lang: Language): string {
  const word = translator(lang)('receipt.file_word');
  return `${word}-${registerCode.replace(/\//g, '-')}.pdf`.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** The public verification page of a code, as printed under the QR code. */
export function verifyUrl(publicUrl: string, slug: string, csv: string): string {
  return `${publicUrl}/${slug}/verify?csv=${encodeURIComponent(csv)}`;
}
