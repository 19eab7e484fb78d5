/**
 * The organisation certificate that seals receipts and evidence manifests:
 * the PKCS#12 named by SEAL_P12_PATH (with SEAL_P12_PASSWORD), or the demo
 * seal generated once in DATA_DIR/keys. Loaded at start; a file that cannot
 * be read or opened stops the process like a configuration error (exit 78),
 * naming the setting but never the password.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { type Config, ConfigError } from '../../config/config.js';
import { DemoSealFileError, ensureDemoSeal } from './demo-seal.js';
import { Pkcs12Error, readPkcs12 } from './read-pkcs12.js';

/** The key and certificates a seal is made with. */
export type SealCertificate = {
  /** 'configured': SEAL_P12_PATH; 'demo': the self-signed demo seal (not legally valid). */
  source: 'configured' | 'demo';
  certificate: X509Certificate;
  /** The rest of the chain from the PKCS#12 (issuer first); empty for the demo seal. */
  chain: X509Certificate[];
  privateKey: KeyObject;
};

/** The seal certificate cannot be used; `main` prints it and exits with 78, as for configuration errors. */
export class SealCertificateError extends ConfigError {
  override name = 'SealCertificateError';
}

const EXPIRY_WARNING_DAYS = 30;

/** Loads the configured seal, or the demo one (generated on first use). */
export async function loadSealCertificate(
  config: Pick<Config, 'SEAL_P12_PATH' | 'SEAL_P12_PASSWORD' | 'DATA_DIR'>,
  logger: Pick<Logger, 'info' | 'warn'>,
  now = new Date(),
): Promise<SealCertificate> {
  const seal = config.SEAL_P12_PATH ? await loadConfigured(config.SEAL_P12_PATH, config.SEAL_P12_PASSWORD ?? '') : await loadDemo(config.DATA_DIR, logger);
  const notAfter = new Date(seal.certificate.validTo);
  const notBefore = new Date(seal.certificate.validFrom);
  const setting = seal.source === 'configured' ? 'SEAL_P12_PATH' : 'the demo seal';
  if (notAfter <= now) throw new SealCertificateError(`Invalid configuration:\n  ${setting}: the seal certificate expired on ${notAfter.toISOString()}`);
  if (notBefore > now) throw new SealCertificateError(`Invalid configuration:\n  ${setting}: the seal certificate is valid only from ${notBefore.toISOString()}`);
  const info = { source: seal.source, subject: seal.certificate.subject.replace(/\n/g, ', '), notAfter: notAfter.toISOString(), sha256: seal.certificate.fingerprint256 };
  if (notAfter.getTime() - now.getTime() < EXPIRY_WARNING_DAYS * 86_400_000) logger.warn(info, 'the seal certificate expires soon');
  else logger.info(info, 'seal certificate loaded');
  return seal;
}

async function loadConfigured(file: string, password: string): Promise<SealCertificate> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new SealCertificateError(`Invalid configuration:\n  SEAL_P12_PATH: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return { source: 'configured', ...readPkcs12(bytes, password) };
  } catch (e) {
    if (!(e instanceof Pkcs12Error)) throw e;
    const setting = e.reason === 'wrong_password' ? 'SEAL_P12_PASSWORD' : 'SEAL_P12_PATH';
    throw new SealCertificateError(`Invalid configuration:\n  ${setting}: ${e.message} (${file})`);
  }
}

async function loadDemo(dataDir: string, logger: Pick<Logger, 'info' | 'warn'>): Promise<SealCertificate> {
  try {
    const { p12, password } = await ensureDemoSeal(dataDir, (file) =>
      logger.warn({ file }, 'generated a self-signed demo seal certificate; set SEAL_P12_PATH to the town hall’s organisation certificate in production'),
    );
    return { source: 'demo', ...readPkcs12(p12, password) };
  } catch (e) {
    if (e instanceof DemoSealFileError || e instanceof Pkcs12Error) throw new SealCertificateError(`Invalid configuration:\n  demo seal: ${e.message}`);
    throw e;
  }
}
