/**
 * Detached CMS SignedData in the CAdES-BES form (ETSI EN 319 122-1): SHA-256,
 * signed attributes content-type, message-digest, signing-certificate-v2 (the
 * signer certificate's SHA-256 and issuer/serial, so the certificate cannot
 * be swapped) and, outside PDFs, signing-time; the signer's certificate and
 * chain included. The structures are pkijs objects; the signature itself is
 * made with Node's crypto from the seal's key (RSA PKCS#1 v1.5 or ECDSA).
 * Verify with `openssl cms -verify -binary -inform DER -in x.p7s -content x`.
 */
import { createHash, sign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { SealCertificate } from './seal-certificate.js';

/** Object identifiers used here (RFC 5652, RFC 5035, RFC 5754, RFC 4055, RFC 5758). */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const;

export type SealCmsOptions = {
  /**
   * The signing-time attribute: a date (default: now), or null to leave it out —
   * as PAdES requires, where the signature dictionary's M entry carries the time.
   */
  signingTime?: Date | null;
};

/** A detached CAdES-BES signature (DER) over `data`. */
export function sealCms(seal: SealCertificate, data: Buffer | Uint8Array, opts: SealCmsOptions = {}): Buffer {
  const signer = parsed(seal);
  const signingTime = opts.signingTime === undefined ? new Date() : opts.signingTime;
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: sha256(data) })] }),
    new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2(signer.certificate, signer.certificateHash)] }),
    ...(signingTime ? [new pkijs.Attribute({ type: OID.signingTime, values: [new asn1js.UTCTime({ valueDate: signingTime })] })] : []),
  ];
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: derSorted(attributes) });
  // The signature covers the attributes encoded as a SET (RFC 5652 §5.4), not with their [0] tag.
  const toSign = Buffer.from(signedAttrs.toSchema().toBER());
  toSign[0] = 0x31;
  const rsa = seal.privateKey.asymmetricKeyType === 'rsa';
  const signature = sign('sha256', toSign, rsa ? seal.privateKey : { key: seal.privateKey, dsaEncoding: 'der' });

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: signer.certificate.issuer, serialNumber: signer.certificate.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
    signedAttrs,
    signatureAlgorithm: rsa
      ? new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256WithRsa, algorithmParams: new asn1js.Null() })
      : new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 }),
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: [signer.certificate, ...signer.chain],
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return Buffer.from(contentInfo.toSchema().toBER());
}

/**
 * SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 } (RFC 5035), with one
 * ESSCertIDv2 { certHash, issuerSerial }; hashAlgorithm is left out because SHA-256 is its default.
 */
function signingCertificateV2(certificate: pkijs.Certificate, certificateHash: ArrayBuffer): asn1js.Sequence {
  const issuerSerial = new pkijs.IssuerSerial({
    issuer: new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 4, value: certificate.issuer })] }),
    serialNumber: certificate.serialNumber,
  });
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: certificateHash }), issuerSerial.toSchema()] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

/** DER orders the members of a SET OF by their encodings (OpenSSL re-encodes them so before verifying). */
function derSorted(attributes: pkijs.Attribute[]): pkijs.Attribute[] {
  return attributes
    .map((attribute) => ({ attribute, der: Buffer.from(attribute.toSchema().toBER()) }))
    .sort((a, b) => Buffer.compare(a.der, b.der))
    .map((x) => x.attribute);
}

type ParsedSeal = { certificate: pkijs.Certificate; certificateHash: ArrayBuffer; chain: pkijs.Certificate[] };
const parsedSeals = new WeakMap<SealCertificate, ParsedSeal>();

/** The seal's certificates as pkijs objects, parsed once per seal. */
function parsed(seal: SealCertificate): ParsedSeal {
  let p = parsedSeals.get(seal);
  if (!p) {
    p = {
      certificate: pkijs.Certificate.fromBER(seal.certificate.raw),
      certificateHash: sha256(seal.certificate.raw),
      chain: seal.chain.map((c) => pkijs.Certificate.fromBER(c.raw)),
    };
    parsedSeals.set(seal, p);
  }
  return p;
}

function sha256(data: Buffer | Uint8Array): ArrayBuffer {
  return toArrayBuffer(createHash('sha256').update(data).digest());
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
