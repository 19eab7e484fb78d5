import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, truncate, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEGMENT_BYTES, EncryptedFileError, EncryptedFiles, FileStore, HEADER_BYTES } from './encrypted-files.js';
import { KeyRing } from './keys.js';

const TENANT = '7d1c3f4e-0000-4000-8000-000000000001';
const OTHER = '7d1c3f4e-0000-4000-8000-000000000002';

let dir: string;
const files = new EncryptedFiles(new KeyRing(randomBytes(32)));

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fin-enc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of it) parts.push(p);
  return Buffer.concat(parts);
}

/** A recognisable plaintext, so that a leak into the file would be found. */
function plaintext(n: number): Buffer {
  const pattern = Buffer.from('FINESTRETA-PLAINTEXT-');
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += pattern.length) pattern.copy(b, i, 0, Math.min(pattern.length, n - i));
  return b;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('encrypted files', () => {
  const S = DEFAULT_SEGMENT_BYTES;
  it.each([0, 1, S - 1, S, S + 1, 2 * S, 3 * 1024 * 1024 + 17])('round-trips %i bytes', async (n) => {
    const file = path.join(dir, `rt-${n}.enc`);
    const plain = plaintext(n);
    const res = await files.writeEncrypted(file, TENANT, plain);
    expect(res).toEqual({ bytes: n, sha256: sha(plain) });
    const back = await readAll(files.readDecrypted(file, TENANT));
    expect(back.equals(plain)).toBe(true);
    const onDisk = await readFile(file);
    const segments = Math.max(1, Math.ceil(n / S));
    expect(onDisk.length).toBe(HEADER_BYTES + n + 16 * segments);
    if (n >= 21) expect(onDisk.includes(Buffer.from('FINESTRETA-PLAINTEXT-'))).toBe(false);
  });

  it('streams from an async source in odd-sized pieces, with the same result as one buffer', async () => {
    const plain = randomBytes(5 * S + 123);
    async function* pieces() {
      for (let i = 0; i < plain.length; ) {
        const n = Math.min(plain.length - i, 1 + Math.floor(Math.random() * 40_000));
        yield plain.subarray(i, i + n);
        i += n;
      }
    }
    const file = path.join(dir, 'stream.enc');
    expect(await files.writeEncrypted(file, TENANT, pieces())).toEqual({ bytes: plain.length, sha256: sha(plain) });
    const seen: number[] = [];
    const back: Buffer[] = [];
    for await (const p of files.readDecrypted(file, TENANT)) {
      seen.push(p.length);
      back.push(p);
    }
    expect(Buffer.concat(back).equals(plain)).toBe(true);
    expect(Math.max(...seen)).toBeLessThanOrEqual(S);
  });

  it("refuses another tenant's key and a different master key", async () => {
    const file = path.join(dir, 'tenant.enc');
    await files.writeEncrypted(file, TENANT, plaintext(1000));
    await expect(readAll(files.readDecrypted(file, OTHER))).rejects.toThrow(new EncryptedFileError('wrong_key_or_tampered'));
    const stranger = new EncryptedFiles(new KeyRing(randomBytes(32)));
    await expect(readAll(stranger.readDecrypted(file, TENANT))).rejects.toThrow(EncryptedFileError);
  });

  it('detects a flipped byte anywhere: header, body, tag', async () => {
    const plain = plaintext(3 * S + 10);
    const file = path.join(dir, 'flip.enc');
    await files.writeEncrypted(file, TENANT, plain);
    const good = await readFile(file);
    for (const at of [0, 4, 6, 10, 20, 60, HEADER_BYTES, HEADER_BYTES + S + 3, HEADER_BYTES + S + 16 + 1, good.length - 1]) {
      const bad = Buffer.from(good);
      bad[at] ^= 0x01;
      await writeFile(file, bad);
      await expect(readAll(files.readDecrypted(file, TENANT)), `byte ${at}`).rejects.toThrow(EncryptedFileError);
    }
  });

  it('detects truncation (at a segment boundary or not), appended data and swapped segments', async () => {
    const plain = plaintext(3 * S + 10);
    const file = path.join(dir, 'cut.enc');
    await files.writeEncrypted(file, TENANT, plain);
    const good = await readFile(file);
    const stride = S + 16;
    for (const len of [HEADER_BYTES + 2 * stride, HEADER_BYTES + stride + 5, HEADER_BYTES + 3, HEADER_BYTES, 10, good.length - 1]) {
      await writeFile(file, good);
      await truncate(file, len);
      await expect(readAll(files.readDecrypted(file, TENANT)), `length ${len}`).rejects.toThrow(EncryptedFileError);
    }
    await writeFile(file, good);
    await appendFile(file, good.subarray(HEADER_BYTES, HEADER_BYTES + stride));
    await expect(readAll(files.readDecrypted(file, TENANT))).rejects.toThrow(EncryptedFileError);
    const swapped = Buffer.concat([
      good.subarray(0, HEADER_BYTES),
      good.subarray(HEADER_BYTES + stride, HEADER_BYTES + 2 * stride),
      good.subarray(HEADER_BYTES, HEADER_BYTES + stride),
      good.subarray(HEADER_BYTES + 2 * stride),
    ]);
    await writeFile(file, swapped);
    await expect(readAll(files.readDecrypted(file, TENANT))).rejects.toThrow(EncryptedFileError);
  });

  it('never releases a segment before its tag is checked', async () => {
    const file = path.join(dir, 'early.enc');
    await files.writeEncrypted(file, TENANT, plaintext(2 * S));
    const bad = await readFile(file);
    bad[HEADER_BYTES + 5] ^= 0xff; // first segment
    await writeFile(file, bad);
    const got: Buffer[] = [];
    await expect((async () => {
      for await (const p of files.readDecrypted(file, TENANT)) got.push(p);
    })()).rejects.toThrow(EncryptedFileError);
    expect(got).toEqual([]);
  });

  it('refuses a file that is not one of ours', async () => {
    const file = path.join(dir, 'plain.txt');
    await writeFile(file, plaintext(500));
    await expect(readAll(files.readDecrypted(file, TENANT))).rejects.toThrow(new EncryptedFileError('not_encrypted'));
  });

  it('leaves no file behind when the source fails, and keeps the previous one', async () => {
    const file = path.join(dir, 'sub', 'atomic.enc');
    await files.writeEncrypted(file, TENANT, plaintext(10));
    async function* failing() {
      yield plaintext(3 * S);
      throw new Error('network cut');
    }
    await expect(files.writeEncrypted(file, TENANT, failing())).rejects.toThrow('network cut');
    expect(await readdir(path.dirname(file))).toEqual(['atomic.enc']);
    expect((await readAll(files.readDecrypted(file, TENANT))).equals(plaintext(10))).toBe(true);
  });

  it('works with small segments (many of them)', async () => {
    const small = new EncryptedFiles(new KeyRing(randomBytes(32)), { segmentBytes: 16 });
    const file = path.join(dir, 'small.enc');
    for (const n of [0, 15, 16, 17, 1000]) {
      const plain = randomBytes(n);
      await small.writeEncrypted(file, TENANT, plain);
      expect((await readAll(small.readDecrypted(file, TENANT))).equals(plain)).toBe(true);
    }
  });
});

describe('file store', () => {
  it('keeps files under <tenant>/… keys, refuses other tenants and escapes, prunes folders', async () => {
    const store = new FileStore(path.join(dir, 'files'), files);
    const key = `${TENANT}/recordings/abc/chunk-000001.enc`;
    await store.write(TENANT, key, Buffer.from('hello'));
    expect(await store.exists(TENANT, key)).toBe(true);
    expect((await store.readAll(TENANT, key)).toString()).toBe('hello');
    expect(() => store.pathOf(OTHER, key)).toThrow('invalid storage key');
    for (const bad of [`${TENANT}/../x`, `${TENANT}/a/../../x`, `${TENANT}`, `${TENANT}//x`, `/${TENANT}/x`, `${TENANT}/x y`, `${TENANT}/.x.tmp`]) {
      expect(() => store.pathOf(TENANT, bad), bad).toThrow('invalid storage key');
    }
    const keep = `${TENANT}/recordings/abc/recording.enc`;
    await store.write(TENANT, keep, Buffer.from('all'));
    await writeFile(path.join(store.root, TENANT, 'recordings', 'abc', '.stray.tmp'), 'x');
    await store.prune(TENANT, `${TENANT}/recordings/abc`, [keep]);
    expect(await readdir(path.join(store.root, TENANT, 'recordings', 'abc'))).toEqual(['recording.enc']);
    await store.prune(TENANT, `${TENANT}/recordings/abc`);
    expect(await readdir(path.join(store.root, TENANT, 'recordings'))).toEqual([]);
    await store.delete(TENANT, key); // absent: fine
  });
});
