import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EncryptedFiles } from '../../storage/encrypted-files.js';
import { KeyRing } from '../../storage/keys.js';
import { createAppendable, finishAppendable, readKey, readPlainRange, sealSegment, segmentPosition, writeAt } from './appendable-file.js';

const TENANT = '11111111-2222-4333-8444-555555555555';

describe('appendable encrypted file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'fin-append-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const keys = new KeyRing(randomBytes(32));

  for (const size of [1, 64 * 1024, 64 * 1024 + 1, 300_000]) {
    it(`writes ${size} bytes in pieces that EncryptedFiles reads back (and random access works)`, async () => {
      const file = path.join(dir, `f-${size}.enc`);
      const plain = randomBytes(size);
      await createAppendable(file, keys.tenantKey(TENANT));
      const h = await open(file, 'r+');
      const k = await readKey(h, keys.tenantKey(TENANT));
      const S = k.segmentBytes;
      const full = Math.floor((size - 1) / S);
      for (let i = 0; i < full; i++) await writeAt(h, sealSegment(k, i, plain.subarray(i * S, (i + 1) * S), false), segmentPosition(k, i));
      // garbage a failed attempt left beyond the end is cut off
      await writeAt(h, randomBytes(5000), segmentPosition(k, full) + size);
      await finishAppendable(h, k, full, plain.subarray(full * S));
      const mid = Math.floor(size / 3);
      expect(await readPlainRange(h, k, size, mid, Math.min(100_000, size - mid))).toEqual(plain.subarray(mid, mid + Math.min(100_000, size - mid)));
      await h.close();
      const out: Buffer[] = [];
      for await (const p of new EncryptedFiles(keys).readDecrypted(file, TENANT)) out.push(p);
      expect(createHash('sha256').update(Buffer.concat(out)).digest('hex')).toBe(createHash('sha256').update(plain).digest('hex'));
      // another tenant's key cannot open it
      await expect((async () => { for await (const _ of new EncryptedFiles(keys).readDecrypted(file, '99999999-2222-4333-8444-555555555555')) void _; })()).rejects.toThrow();
    });
  }
});
