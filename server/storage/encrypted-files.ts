/**
 * Files encrypted at rest (recordings now, documents later), by envelope
 * encryption: every file has its own random 256-bit data key, wrapped with the
 * town hall's key (AES-256-GCM) in a small header; the body is encrypted in
 * fixed-size segments, each with its own nonce and tag (the STREAM
 * construction: nonce = prefix ‖ segment number ‖ last-segment flag), so memory
 * does not grow with the file and any change, reordering, truncation or
 * extension is detected. Writes are atomic: a temporary file, fsync, rename.
 *
 * Layout (version 1):
 *   magic "FNE1" (4) | version 1 (1) | segment size, uint32 BE (4) | nonce prefix (7)
 *   | wrap nonce (12) | wrapped data key (32) | wrap tag (16)            = 76-byte header
 *   then segments: ciphertext (segment size; the last one 0..segment size) + tag (16).
 * The header's first 16 bytes are the additional data of the key wrap, so they cannot be changed.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, rm, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { KeyRing } from './keys.js';
import { syncDir } from './sync-dir.js';

const MAGIC = Buffer.from('FNE1', 'ascii');
const VERSION = 1;
const TAG_BYTES = 16;
const NONCE_PREFIX_BYTES = 7;
const WRAP_NONCE_BYTES = 12;
const KEY_BYTES = 32;
const AAD_BYTES = MAGIC.length + 1 + 4 + NONCE_PREFIX_BYTES; // 16
export const HEADER_BYTES = AAD_BYTES + WRAP_NONCE_BYTES + KEY_BYTES + TAG_BYTES; // 76
/** Plaintext bytes per segment unless told otherwise. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024;
const MIN_SEGMENT_BYTES = 16;
const MAX_SEGMENT_BYTES = 16 * 1024 * 1024;
/** Segments a file may hold (the counter is 32 bits). */
const MAX_SEGMENTS = 2 ** 32 - 1;

/** Why an encrypted file could not be read; the file is never partly trusted. */
export class EncryptedFileError extends Error {
  constructor(readonly reason: 'not_encrypted' | 'unsupported_version' | 'wrong_key_or_tampered' | 'tampered' | 'truncated') {
    super(`encrypted file: ${reason}`);
    this.name = 'EncryptedFileError';
  }
}

/** What a write reports: the plain size and the SHA-256 (hex) of the plain content. */
export type WriteResult = { bytes: number; sha256: string };

export type Source = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array;

function segmentNonce(prefix: Buffer, index: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  prefix.copy(nonce, 0);
  nonce.writeUInt32BE(index, NONCE_PREFIX_BYTES);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

async function* chunksOf(source: Source): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  for await (const c of source as AsyncIterable<Uint8Array>) yield c;
}


/** Encrypts and decrypts files with the tenant keys of a key ring. */
export class EncryptedFiles {
  constructor(
    readonly keys: KeyRing,
    private readonly opts: { segmentBytes?: number } = {},
  ) {
    const seg = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isInteger(seg) || seg < MIN_SEGMENT_BYTES || seg > MAX_SEGMENT_BYTES) throw new Error('segmentBytes out of range');
  }

  /**
   * Encrypts `source` into `file` for `tenantId`. The file appears complete or
   * not at all: it is written to a temporary file beside it, fsynced, then
   * renamed into place (replacing any file of that name).
   */
  async writeEncrypted(file: string, tenantId: string, source: Source): Promise<WriteResult> {
    const segmentBytes = this.opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    const dir = path.dirname(file);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    let ok = false;
    try {
      const dataKey = randomBytes(KEY_BYTES);
      const prefix = randomBytes(NONCE_PREFIX_BYTES);
      const aad = Buffer.alloc(AAD_BYTES);
      MAGIC.copy(aad, 0);
      aad[4] = VERSION;
      aad.writeUInt32BE(segmentBytes, 5);
      prefix.copy(aad, 9);
      const wrapNonce = randomBytes(WRAP_NONCE_BYTES);
      const wrap = createCipheriv('aes-256-gcm', this.keys.tenantKey(tenantId), wrapNonce);
      wrap.setAAD(aad);
      const wrapped = Buffer.concat([wrap.update(dataKey), wrap.final()]);
      await writeAll(handle, Buffer.concat([aad, wrapNonce, wrapped, wrap.getAuthTag()]));

      const hash = createHash('sha256');
      let bytes = 0;
      let index = 0;
      // Pending plaintext; a full segment is sealed only once more data follows, so that the last is known.
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const seal = async (plain: Buffer, last: boolean) => {
        if (index >= MAX_SEGMENTS) throw new Error('file too large for its segment size');
        const c = createCipheriv('aes-256-gcm', dataKey, segmentNonce(prefix, index, last));
        const body = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
        index++;
        await writeAll(handle, body);
      };
      for await (const piece of chunksOf(source)) {
        if (!piece.length) continue;
        // A copy: the source may reuse its buffer once we ask for the next piece.
        const buf = Buffer.from(piece);
        hash.update(buf);
        bytes += buf.length;
        pending.push(buf);
        pendingBytes += buf.length;
        while (pendingBytes > segmentBytes) {
          const all = pending.length === 1 ? pending[0] : Buffer.concat(pending);
          await seal(all.subarray(0, segmentBytes), false);
          const rest = all.subarray(segmentBytes);
          pending = [rest];
          pendingBytes = rest.length;
        }
      }
      await seal(pending.length === 1 ? pending[0] : Buffer.concat(pending), true);
      await handle.sync();
      await handle.close();
      await rename(tmp, file);
      await syncDir(dir);
      ok = true;
      return { bytes, sha256: hash.digest('hex') };
    } finally {
      if (!ok) {
        await handle.close().catch(() => undefined);
        await unlink(tmp).catch(() => undefined);
      }
    }
  }

  /**
   * The plain content of `file`, segment by segment; each segment is released
   * only after its tag is verified. Throws EncryptedFileError on a wrong key or
   * any change to the file (including truncation or data appended).
   */
  async *readDecrypted(file: string, tenantId: string): AsyncIterable<Buffer> {
    const handle = await open(file, 'r');
    try {
      const size = (await handle.stat()).size;
      if (size < HEADER_BYTES) throw new EncryptedFileError(size >= 4 && (await readExactly(handle, 0, 4)).equals(MAGIC) ? 'truncated' : 'not_encrypted');
      const header = await readExactly(handle, 0, HEADER_BYTES);
      if (!header.subarray(0, 4).equals(MAGIC)) throw new EncryptedFileError('not_encrypted');
      if (header[4] !== VERSION) throw new EncryptedFileError('unsupported_version');
      const segmentBytes = header.readUInt32BE(5);
      if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) throw new EncryptedFileError('tampered');
      const prefix = header.subarray(9, AAD_BYTES);
      let dataKey: Buffer;
      try {
        const unwrap = createDecipheriv('aes-256-gcm', this.keys.tenantKey(tenantId), header.subarray(AAD_BYTES, AAD_BYTES + WRAP_NONCE_BYTES));
        unwrap.setAAD(header.subarray(0, AAD_BYTES));
        unwrap.setAuthTag(header.subarray(HEADER_BYTES - TAG_BYTES));
        dataKey = Buffer.concat([unwrap.update(header.subarray(AAD_BYTES + WRAP_NONCE_BYTES, HEADER_BYTES - TAG_BYTES)), unwrap.final()]);
      } catch {
        throw new EncryptedFileError('wrong_key_or_tampered');
      }
      const body = size - HEADER_BYTES;
      const stride = segmentBytes + TAG_BYTES;
      if (body < TAG_BYTES) throw new EncryptedFileError('truncated');
      const count = Math.ceil(body / stride);
      if (body - (count - 1) * stride < TAG_BYTES) throw new EncryptedFileError('tampered');
      for (let i = 0; i < count; i++) {
        const offset = HEADER_BYTES + i * stride;
        const length = Math.min(stride, size - offset);
        const sealed = await readExactly(handle, offset, length);
        const d = createDecipheriv('aes-256-gcm', dataKey, segmentNonce(prefix, i, i === count - 1));
        d.setAuthTag(sealed.subarray(length - TAG_BYTES));
        let plain: Buffer;
        try {
          plain = Buffer.concat([d.update(sealed.subarray(0, length - TAG_BYTES)), d.final()]);
        } catch {
          // The last segment fails as "last" when the real end was cut off: report truncation as tampering too.
          throw new EncryptedFileError('tampered');
        }
        if (plain.length) yield plain;
      }
    } finally {
      await handle.close();
    }
  }
}

async function writeAll(handle: FileHandle, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await handle.write(buf, off, buf.length - off);
    off += bytesWritten;
  }
}

/** Reads exactly `length` bytes at `position`, or throws EncryptedFileError('truncated'). */
export async function readExactly(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let off = 0;
  while (off < length) {
    const { bytesRead } = await handle.read(buf, off, length - off, position + off);
    if (bytesRead === 0) throw new EncryptedFileError('truncated');
    off += bytesRead;
  }
  return buf;
}

/** A storage key: `<tenantId>/<folder>/…/<name>`; only ids and fixed words, never personal data. */
const KEY_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/**
 * Encrypted files under one root folder (DATA_DIR/files), addressed by storage
 * keys that start with the tenant id — e.g.
 * `<tenantId>/recordings/<recordingId>/chunk-000001-<random>.enc`. Every
 * operation names the tenant, and a key of another tenant is refused.
 */
export class FileStore {
  constructor(
    readonly root: string,
    readonly files: EncryptedFiles,
  ) {}

  /** The key ring the files are encrypted with (tenant keys for formats written elsewhere, purpose keys). */
  get keys(): KeyRing {
    return this.files.keys;
  }

  /** The file behind a key, after checking the key belongs to the tenant and cannot leave the root. */
  pathOf(tenantId: string, key: string): string {
    const parts = key.split('/');
    if (parts.length < 2 || parts[0] !== tenantId || !parts.every((p) => KEY_SEGMENT.test(p) && p !== '.' && p !== '..' && !p.endsWith('.tmp'))) {
      throw new Error('invalid storage key');
    }
    return path.join(this.root, ...parts);
  }

  /** Stores `source` encrypted under `key` (atomically: all or nothing). */
  write(tenantId: string, key: string, source: Source): Promise<WriteResult> {
    return this.files.writeEncrypted(this.pathOf(tenantId, key), tenantId, source);
  }

  /** The plain content under `key`; throws ENOENT when absent, EncryptedFileError when damaged. */
  read(tenantId: string, key: string): AsyncIterable<Buffer> {
    return this.files.readDecrypted(this.pathOf(tenantId, key), tenantId);
  }

  /** Reads a whole (small) file into memory. */
  async readAll(tenantId: string, key: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const p of this.read(tenantId, key)) parts.push(p);
    return Buffer.concat(parts);
  }

  async exists(tenantId: string, key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(tenantId, key))).isFile();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  /** Removes a file; absent is fine. */
  async delete(tenantId: string, key: string): Promise<void> {
    await rm(this.pathOf(tenantId, key), { force: true });
  }

  /**
   * Removes every file in the folder `prefix` (a key without a file name)
   * except those in `keep`, including temporary files left by a crash; the
   * folder goes too when nothing is kept.
   */
  async prune(tenantId: string, prefix: string, keep: string[] = []): Promise<void> {
    const dir = this.pathOf(tenantId, prefix);
    const kept = new Set(keep.map((k) => this.pathOf(tenantId, k)));
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      if (!kept.has(file)) await rm(file, { force: true });
    }
    if (kept.size === 0) await rmdir(dir).catch(() => undefined);
  }
}
