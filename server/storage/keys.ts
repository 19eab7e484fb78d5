/**
 * Keys for files encrypted at rest. One master key per installation (the
 * STORAGE_MASTER_KEY setting, or a key generated once in DATA_DIR/keys) and a
 * key per town hall derived from it, so a file of one tenant never opens with
 * another tenant's key. Keys are never logged.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { syncDir } from './sync-dir.js';

export const MASTER_KEY_BYTES = 32;
const TENANT_KEY_SALT = 'finestreta-tenant-key';

/** Where a generated master key lives, under DATA_DIR. */
export function masterKeyPath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'master.key');
}

/**
 * The installation's master key: the configured one (base64), or the one in
 * DATA_DIR/keys/master.key, created on first use. Creation is atomic and safe
 * when several processes start together: the key is written to a temporary
 * file (mode 0600, fsynced) and linked into place only if no key is there yet,
 * so every process ends up with the same key. `onGenerated` is told the path
 * (never the key) once, when a new key was made.
 */
export async function loadMasterKey(o: { masterKey?: string; dataDir: string; onGenerated?: (file: string) => void }): Promise<Buffer> {
  if (o.masterKey) return decodeKey(o.masterKey, 'STORAGE_MASTER_KEY');
  const file = masterKeyPath(o.dataDir);
  const existing = await readKeyFile(file);
  if (existing) return existing;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(`${randomBytes(MASTER_KEY_BYTES).toString('base64')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  let generated = false;
  try {
    // link() never replaces an existing file: the first process to get here wins, the others read its key.
    await link(tmp, file);
    generated = true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      /* another process made it first */
    } else if (['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].includes(code ?? '') && (await readKeyFile(file)) === undefined) {
      // A filesystem without hard links: rename instead (the window for a race is tiny and only at first start).
      await rename(tmp, file);
      generated = true;
    } else {
      throw e;
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  await syncDir(path.dirname(file));
  const key = await readKeyFile(file);
  if (!key) throw new Error(`could not create the storage master key in ${file}`);
  if (generated) o.onGenerated?.(file);
  return key;
}

async function readKeyFile(file: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return decodeKey(text.trim(), file);
}

function decodeKey(b64: string, source: string): Buffer {
  const key = Buffer.from(b64, 'base64');
  // A damaged key file must stop us, never be replaced by a new key (the files it opens would be lost).
  if (key.length !== MASTER_KEY_BYTES) throw new Error(`${source}: the storage master key must be ${MASTER_KEY_BYTES} bytes in base64`);
  return key;
}


/** A town hall's key: HKDF-SHA256(master, salt 'finestreta-tenant-key', info tenantId), 32 bytes. */
export function deriveTenantKey(master: Buffer, tenantId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, TENANT_KEY_SALT, tenantId, 32));
}

/**
 * A town hall's key for one purpose other than files (e.g. 'consent-otp'):
 * HKDF-SHA256(master, salt 'finestreta-purpose-key:<purpose>', info tenantId), 32 bytes.
 */
export function derivePurposeKey(master: Buffer, tenantId: string, purpose: string): Buffer {
  if (!tenantId || !purpose) throw new Error('tenantId and purpose are required');
  return Buffer.from(hkdfSync('sha256', master, `finestreta-purpose-key:${purpose}`, tenantId, 32));
}

/** The master key and the tenant keys derived from it (cached: derivation is cheap but not free). */
export class KeyRing {
  private readonly cache = new Map<string, Buffer>();
  constructor(private readonly master: Buffer) {
    if (master.length !== MASTER_KEY_BYTES) throw new Error('the storage master key must be 32 bytes');
  }

  tenantKey(tenantId: string): Buffer {
    if (!tenantId) throw new Error('tenantId is required');
    let key = this.cache.get(tenantId);
    if (!key) {
      key = deriveTenantKey(this.master, tenantId);
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(tenantId, key);
    }
    return key;
  }

  /** The town hall's key for one purpose other than files (derivePurposeKey), e.g. 'consent-otp'. */
  purposeKey(tenantId: string, purpose: string): Buffer {
    return derivePurposeKey(this.master, tenantId, purpose);
  }

  /** Keeps a key ring from printing its secrets when logged or inspected by mistake. */
  toJSON(): string {
    return '[KeyRing]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[KeyRing]';
  }
}
