/**
 * PAdES baseline B-B (ETSI EN 319 142-1) for a PDF the platform made (the
 * receipt): pdf-lib rewrites the document with an invisible signature field
 * whose dictionary has SubFilter ETSI.CAdES.detached, the time in M and a
 * ByteRange placeholder (@signpdf/placeholder-pdf-lib); @signpdf/signpdf
 * fills the ByteRange and embeds the detached CAdES from `sealCms` over those
 * ranges — without a signing-time attribute, as PAdES requires. Verify with
 * `pdfsig file.pdf`. The document is rewritten, so it must not be signed yet.
 */
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { PDFDocument } from 'pdf-lib';
import { sealCms } from './seal-cms.js';
import type { SealCertificate } from './seal-certificate.js';

export type SealPdfOptions = {
  /** Why the document is sealed (the signature's Reason), e.g. "Justificant de registre E/2026/000123". */
  reason: string;
  /** Where (Location): the town hall. */
  location: string;
  /** Who seals (Name): the organisation. */
  name: string;
  /** How to reach the signer (ContactInfo), optional. */
  contactInfo?: string;
  /** The signing time written in M; default now. */
  signingTime?: Date;
};

/** Bytes kept for the CMS beyond the certificates it carries (signature, attributes, structure). */
const CMS_OVERHEAD_BYTES = 4096;
const MAX_TEXT_LENGTH = 200;

/** The PDF with a PAdES B-B seal. */
export async function sealPdf(seal: SealCertificate, pdf: Buffer, opts: SealPdfOptions): Promise<Buffer> {
  if (pdf.includes('/ByteRange')) throw new Error('sealPdf: the PDF is already signed; sealing rewrites it and would break that signature');
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const certificateBytes = [seal.certificate, ...seal.chain].reduce((n, c) => n + c.raw.length, 0);
  pdflibAddPlaceholder({
    pdfDoc: doc,
    reason: pdfLiteral(opts.reason),
    location: pdfLiteral(opts.location),
    name: pdfLiteral(opts.name),
    contactInfo: pdfLiteral(opts.contactInfo ?? ''),
    signingTime: opts.signingTime ?? new Date(),
    // In hexadecimal digits (two per byte; an odd count would shift the end of the file by one).
    signatureLength: 2 * (CMS_OVERHEAD_BYTES + certificateBytes),
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'Finestreta',
  });
  // No object streams: the signature dictionary must stay a plain object the signer can find and fill.
  const prepared = Buffer.from(await doc.save({ useObjectStreams: false }));
  return new SignPdf().sign(prepared, new CadesSigner(seal));
}

/** Signs the concatenated byte ranges @signpdf hands over. */
class CadesSigner extends Signer {
  constructor(private readonly seal: SealCertificate) {
    super();
  }

  override async sign(signedRanges: Buffer): Promise<Buffer> {
    return sealCms(this.seal, signedRanges, { signingTime: null });
  }
}

/**
 * Text for a PDF literal string as pdf-lib writes it (each character one byte, nothing escaped):
 * plain ASCII as it is, anything else as UTF-16BE with its byte-order mark (a PDF text string), so
 * every language survives; \ ( ) and line-end bytes are escaped, control characters become spaces.
 */
export function pdfLiteral(text: string): string {
  const clean = [...text.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')].slice(0, MAX_TEXT_LENGTH).join('');
  const bytes = /^[\x20-\x7e]*$/.test(clean) ? Buffer.from(clean, 'latin1') : Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(clean, 'utf16le').swap16()]);
  let out = '';
  for (const b of bytes) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else out += String.fromCharCode(b);
  }
  return out;
}
