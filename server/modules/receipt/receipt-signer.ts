/**
 * The certificate a sealed receipt names as its signer, read from the PDF
 * itself: the CMS in the signature's /Contents, its SignerInfo's issuer and
 * serial number, and the matching certificate the CMS carries. The
 * verification page shows this one, so a receipt sealed before the town hall
 * changed its certificate still shows the certificate that sealed it.
 */
import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** The signer's certificate of the PDF's first signature, or null when there is none that can be read. */
export function receiptSigner(pdf: Buffer): X509Certificate | null {
  const text = pdf.toString('latin1');
  const range = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+\d+\s*\]/.exec(text);
  if (!range) return null;
  const [start, length, next] = range.slice(1, 4).map(Number);
  const hex = text.slice(start + length, next).trim();
  if (!/^<[0-9a-fA-F]+>$/.test(hex)) return null;
  try {
    const der = Buffer.from(hex.slice(1, -1), 'hex');
    // the placeholder is zero-padded after the DER value; fromBER reads the value and ignores the rest
    const asn = asn1js.fromBER(new Uint8Array(der).buffer);
    if (asn.offset === -1) return null;
    const signed = new pkijs.SignedData({ schema: new pkijs.ContentInfo({ schema: asn.result }).content });
    const sid = signed.signerInfos[0]?.sid;
    if (!(sid instanceof pkijs.IssuerAndSerialNumber)) return null;
    const cert = (signed.certificates ?? []).find(
      (c): c is pkijs.Certificate => c instanceof pkijs.Certificate && c.serialNumber.isEqual(sid.serialNumber) && c.issuer.isEqual(sid.issuer),
    );
    return cert ? new X509Certificate(Buffer.from(cert.toSchema().toBER(false))) : null;
  } catch {
    return null;
  }
}
