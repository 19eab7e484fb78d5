/**
 * Opens a PKCS#12 file (.p12/.pfx) with node-forge, which reads both the
 * current format (PBES2 with AES, SHA-256 MAC: OpenSSL 3, recent browsers)
 * and the legacy one (3DES/RC2 with a SHA-1 MAC: Windows exports, older
 * certificate authorities). The key and certificates come back as Node
 * crypto objects; the password is never part of an error.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

/** What a PKCS#12 holds for sealing: the signing key, its certificate and the rest of the chain. */
export type Pkcs12Contents = {
  privateKey: KeyObject;
  certificate: X509Certificate;
  /** The other certificates in the file, the signer's issuer first when present. */
  chain: X509Certificate[];
};

/** Why a PKCS#12 could not be used; `reason` is stable, the message is for operators. */
export class Pkcs12Error extends Error {
  constructor(
    readonly reason: 'not_pkcs12' | 'wrong_password' | 'no_key' | 'no_matching_certificate' | 'unsupported_key',
    message: string,
  ) {
    super(message);
    this.name = 'Pkcs12Error';
  }
}

/** Decodes a PKCS#12, checks its MAC with the password and returns the key with the certificate that matches it. */
export function readPkcs12(file: Buffer, password: string): Pkcs12Contents {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(file.toString('binary')), false);
  } catch {
    throw new Pkcs12Error('not_pkcs12', 'the file is not a PKCS#12 (DER) file');
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch (e) {
    const message = e instanceof Error ? e.message : '';
    if (/password|MAC could not be verified|decrypt/i.test(message)) throw new Pkcs12Error('wrong_password', 'the password does not open the PKCS#12 file');
    throw new Pkcs12Error('not_pkcs12', 'the file is not a readable PKCS#12 file');
  }

  const keys = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ].map(keyFromBag);
  if (keys.length === 0) throw new Pkcs12Error('no_key', 'the PKCS#12 file holds no private key');
  const certificates = (p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? []).map(certificateFromBag);

  for (const privateKey of keys) {
    const certificate = certificates.find((c) => c.checkPrivateKey(privateKey));
    if (!certificate) continue;
    if (privateKey.asymmetricKeyType !== 'rsa' && privateKey.asymmetricKeyType !== 'ec') {
      throw new Pkcs12Error('unsupported_key', `the seal key is ${privateKey.asymmetricKeyType}; RSA or ECDSA is required`);
    }
    return { privateKey, certificate, chain: orderChain(certificate, certificates.filter((c) => c !== certificate)) };
  }
  throw new Pkcs12Error('no_matching_certificate', 'the PKCS#12 file holds no certificate for its private key');
}

function keyFromBag(bag: forge.pkcs12.Bag): KeyObject {
  // forge parses RSA keys itself and leaves other kinds (EC) as ASN.1; both become a PKCS#8 DER.
  const info = bag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)) : bag.asn1;
  if (!info) throw new Pkcs12Error('no_key', 'a key bag of the PKCS#12 file is empty');
  return createPrivateKey({ key: Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary'), format: 'der', type: 'pkcs8' });
}

function certificateFromBag(bag: forge.pkcs12.Bag): X509Certificate {
  const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
  if (!asn1) throw new Pkcs12Error('not_pkcs12', 'a certificate bag of the PKCS#12 file is empty');
  return new X509Certificate(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
}

/** Issuer first, then its issuer…; certificates outside the signer's path follow in file order. */
function orderChain(signer: X509Certificate, others: X509Certificate[]): X509Certificate[] {
  const ordered: X509Certificate[] = [];
  const rest = [...others];
  let current = signer;
  for (;;) {
    const i = rest.findIndex((c) => current.checkIssued(c) && c.fingerprint256 !== current.fingerprint256);
    if (i < 0) break;
    [current] = rest.splice(i, 1);
    ordered.push(current);
  }
  return [...ordered, ...rest];
}
