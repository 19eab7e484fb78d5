/**
 * An encrypted file written across many requests (a resumable upload), in the
 * very format of storage/encrypted-files.ts (FNE1: a random data key per file
 * wrapped by the tenant key, AES-256-GCM segments with nonce = prefix ‖ index ‖
 * last flag), so that once finished it is an ordinary FileStore file that
 * `files.read` decrypts. While the upload goes on, the file holds the header
 * and the full segments sealed so far (never the last, whose flag is not known
 * yet); the plaintext after the last full segment (the "tail", 1..segment
 * bytes) is kept by the caller in a small encrypted file of its own. Finishing
 * seals the tail as the last segment and truncates whatever a failed attempt
 * may have left beyond it. Segments can also be decrypted one by one, which
 * gives random access (a zip's central directory at the end of a 4 GB file).
 *
 * Layout reference: storage/encrypted-files.ts; a unit test checks that
 * `EncryptedFiles.readDecrypted` reads what this writes.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_SEGMENT_BYTES, EncryptedFileError, HEADER_BYTES, readExactly } from '../../storage/encrypted-files.js';
import { syncDir } from '../../storage/sync-dir.js';

const MAGIC = Buffer.from('FNE1', 'ascii');
const VERSION = 1;
const TAG = 16;
const PREFIX_BYTES = 7;
const AAD_BYTES = 16;
const WRAP_NONCE = 12;
const KEY_BYTES = 32;

export type Fne1Key = { dataKey: Buffer; prefix: Buffer; segmentBytes: number };

function nonce(prefix: Buffer, index: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(index, PREFIX_BYTES);
  n[11] = last ? 1 : 0;
  return n;
}

/** Seals one plaintext segment (≤ segmentBytes) as segment `index`. */
export function sealSegment(k: Fne1Key, index: number, plain: Buffer, last: boolean): Buffer {
  const c = createCipheriv('aes-256-gcm', k.dataKey, nonce(k.prefix, index, last));
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
}

/** The same, as [ciphertext, tag] (written with writev: no copy). */
export function sealSegmentParts(k: Fne1Key, index: number, plain: Buffer, last: boolean): [Buffer, Buffer] {
  const c = createCipheriv('aes-256-gcm', k.dataKey, nonce(k.prefix, index, last));
  const body = c.update(plain);
  c.final();
  return [body, c.getAuthTag()];
}

/** Where segment `index` starts in the file. */
export function segmentPosition(k: Pick<Fne1Key, 'segmentBytes'>, index: number): number {
  return HEADER_BYTES + index * (k.segmentBytes + TAG);
}

/** Creates the file with its header only (fails if it exists); fsynced. */
export async function createAppendable(file: string, tenantKey: Buffer, segmentBytes = DEFAULT_SEGMENT_BYTES): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const dataKey = randomBytes(KEY_BYTES);
  const prefix = randomBytes(PREFIX_BYTES);
  const aad = Buffer.alloc(AAD_BYTES);
  MAGIC.copy(aad, 0);
  aad[4] = VERSION;
  aad.writeUInt32BE(segmentBytes, 5);
  prefix.copy(aad, 9);
  const wrapNonce = randomBytes(WRAP_NONCE);
  const wrap = createCipheriv('aes-256-gcm', tenantKey, wrapNonce);
  wrap.setAAD(aad);
  const wrapped = Buffer.concat([wrap.update(dataKey), wrap.final()]);
  const header = Buffer.concat([aad, wrapNonce, wrapped, wrap.getAuthTag()]);
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await writeAt(handle, header, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await syncDir(path.dirname(file));
}

/** The data key of a file, from its header (EncryptedFileError when it is not ours or was changed). */
export async function readKey(handle: FileHandle, tenantKey: Buffer): Promise<Fne1Key> {
  const header = Buffer.alloc(HEADER_BYTES);
  const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, 0);
  if (bytesRead < HEADER_BYTES || !header.subarray(0, 4).equals(MAGIC)) throw new EncryptedFileError('not_encrypted');
  if (header[4] !== VERSION) throw new EncryptedFileError('unsupported_version');
  const segmentBytes = header.readUInt32BE(5);
  try {
    const unwrap = createDecipheriv('aes-256-gcm', tenantKey, header.subarray(AAD_BYTES, AAD_BYTES + WRAP_NONCE));
    unwrap.setAAD(header.subarray(0, AAD_BYTES));
    unwrap.setAuthTag(header.subarray(HEADER_BYTES - TAG));
    const dataKey = Buffer.concat([unwrap.update(header.subarray(AAD_BYTES + WRAP_NONCE, HEADER_BYTES - TAG)), unwrap.final()]);
    return { dataKey, prefix: Buffer.from(header.subarray(9, AAD_BYTES)), segmentBytes };
  } catch {
    throw new EncryptedFileError('wrong_key_or_tampered');
  }
}

export async function writeAt(handle: FileHandle, buf: Buffer, position: number): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await handle.write(buf, off, buf.length - off, position + off);
    off += bytesWritten;
  }
}

/** Writes buffers one after the other at `position` (writev, retried until all is written). */
export async function writevAt(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pos = position;
  let rest = buffers;
  while (rest.length) {
    const { bytesWritten } = await handle.writev(rest, pos);
    pos += bytesWritten;
    let n = bytesWritten;
    const left: Buffer[] = [];
    for (const b of rest) {
      if (n >= b.length) n -= b.length;
      else {
        left.push(n ? b.subarray(n) : b);
        n = 0;
      }
    }
    rest = left;
  }
}

/** Decrypts segment `index` of a file whose plain size is `size` (so the last segment is known). */
export async function readSegment(handle: FileHandle, k: Fne1Key, size: number, index: number, opts: { complete: boolean } = { complete: true }): Promise<Buffer> {
  const count = Math.max(1, Math.ceil(size / k.segmentBytes));
  const last = opts.complete && index === count - 1;
  const plainLen = last ? size - index * k.segmentBytes : k.segmentBytes;
  const sealed = await readExactly(handle, segmentPosition(k, index), plainLen + TAG);
  const d = createDecipheriv('aes-256-gcm', k.dataKey, nonce(k.prefix, index, last));
  d.setAuthTag(sealed.subarray(plainLen));
  try {
    return Buffer.concat([d.update(sealed.subarray(0, plainLen)), d.final()]);
  } catch {
    throw new EncryptedFileError('tampered');
  }
}

/** Plain bytes [start, start+length) of a complete file of plain size `size`, decrypting only the segments it spans. */
export async function readPlainRange(handle: FileHandle, k: Fne1Key, size: number, start: number, length: number): Promise<Buffer> {
  if (start < 0 || length < 0 || start + length > size) throw new RangeError('range outside the file');
  const out: Buffer[] = [];
  let pos = start;
  const end = start + length;
  while (pos < end) {
    const index = Math.floor(pos / k.segmentBytes);
    const seg = await readSegment(handle, k, size, index);
    const from = pos - index * k.segmentBytes;
    const take = seg.subarray(from, Math.min(seg.length, from + (end - pos)));
    out.push(take);
    pos += take.length;
  }
  return Buffer.concat(out);
}

/**
 * Seals `tail` as the last segment (`index`), cuts the file right after it
 * and fsyncs: the file is then complete and readable by EncryptedFiles.
 */
export async function finishAppendable(handle: FileHandle, k: Fne1Key, index: number, tail: Buffer): Promise<void> {
  const sealed = sealSegment(k, index, tail, true);
  const position = segmentPosition(k, index);
  await writeAt(handle, sealed, position);
  await handle.truncate(position + sealed.length);
  await handle.sync();
}
