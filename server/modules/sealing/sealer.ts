/**
 * Sealing behind one interface, so the receipt and evidence code does not
 * care where the key lives. Today: a local PKCS#12 (configured or the demo
 * seal); a remote signing service or HSM would be another implementation.
 * The signing libraries (node-forge, pkijs, pdf-lib, @signpdf) are loaded on
 * first use, not at start-up: a process that never seals does not hold them.
 */
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { SealCertificate } from './seal-certificate.js';
import type { SealPdfOptions } from './seal-pdf.js';

export type Sealer = {
  /** 'demo' when the self-signed demo seal is in use (receipts should say it is not legally valid). */
  readonly source: SealCertificate['source'];
  /** The sealing certificate, PEM, e.g. for the public verification page. */
  readonly certificatePem: string;
  /** A detached CAdES-BES signature (DER) over `data`, with signing-time. */
  sealCms(data: Buffer | Uint8Array): Promise<Buffer>;
  /** The PDF with a PAdES B-B seal. */
  sealPdf(pdf: Buffer, opts: SealPdfOptions): Promise<Buffer>;
};

/** A sealer that signs with a key held in this process. */
export function localSealer(seal: SealCertificate): Sealer {
  return {
    source: seal.source,
    certificatePem: seal.certificate.toString(),
    sealCms: async (data) => (await import('./seal-cms.js')).sealCms(seal, data),
    sealPdf: async (pdf, opts) => (await import('./seal-pdf.js')).sealPdf(seal, pdf, opts),
  };
}

/** Loads the seal certificate (see `loadSealCertificate`) and returns its sealer. */
export async function loadSealer(
  config: Pick<Config, 'SEAL_P12_PATH' | 'SEAL_P12_PASSWORD' | 'DATA_DIR'>,
  logger: Pick<Logger, 'info' | 'warn'>,
): Promise<Sealer> {
  const { loadSealCertificate } = await import('./seal-certificate.js');
  return localSealer(await loadSealCertificate(config, logger));
}
