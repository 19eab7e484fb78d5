/**
 * The webhook secret at rest: AES-256-GCM with the town hall's key (the same
 * HKDF tenant key that wraps its files, storage/keys.ts), base64 of
 * nonce ‖ ciphertext ‖ tag, bound to the tenant by the additional data. A
 * value of another tenant, or changed, does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import path from 'node:path';
import { deriveTenantKey, loadMasterKey } from '../../storage/keys.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const aad = (tenantId: string) => Buffer.from(`finestreta:integrations.webhook_secret:${tenantId}`, 'utf8');

/** Encrypts `plain` with the tenant key. */
export function sealSecret(tenantKey: Buffer, tenantId: string, plain: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const c = createCipheriv('aes-256-gcm', tenantKey, nonce);
  c.setAAD(aad(tenantId));
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return Buffer.concat([nonce, body, c.getAuthTag()]).toString('base64');
}

/** Decrypts what `sealSecret` made; throws when the key, the tenant or the bytes differ. */
export function openSecret(tenantKey: Buffer, tenantId: string, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64');
  if (raw.length < NONCE_BYTES + TAG_BYTES) throw new Error('sealed secret too short');
  const d = createDecipheriv('aes-256-gcm', tenantKey, raw.subarray(0, NONCE_BYTES));
  d.setAAD(aad(tenantId));
  d.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
  return Buffer.concat([d.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), d.final()]).toString('utf8');
}

type KeySettings = { DATA_DIR: string; STORAGE_MASTER_KEY?: string };
const masters = new Map<string, Promise<Buffer>>();

/** The tenant key for these settings (the master key is loaded once per process, as the file store does). */
export async function tenantKeyOf(config: KeySettings, tenantId: string): Promise<Buffer> {
  const dataDir = path.resolve(config.DATA_DIR);
  const id = `${dataDir}\u0000${config.STORAGE_MASTER_KEY ?? ''}`;
  let master = masters.get(id);
  if (!master) {
    master = loadMasterKey({ masterKey: config.STORAGE_MASTER_KEY, dataDir });
    masters.set(id, master);
    master.catch(() => masters.delete(id));
  }
  return deriveTenantKey(await master, tenantId);
}
