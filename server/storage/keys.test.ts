import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveTenantKey, KeyRing, loadMasterKey, masterKeyPath } from './keys.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fin-keys-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('storage keys', () => {
  it('uses the configured master key and writes nothing', async () => {
    const configured = randomBytes(32);
    const dataDir = path.join(dir, 'configured');
    expect((await loadMasterKey({ masterKey: configured.toString('base64'), dataDir })).equals(configured)).toBe(true);
    await expect(stat(dataDir)).rejects.toThrow();
  });

  it('generates one key, 0600, atomically, even when several callers race; then keeps it', async () => {
    const dataDir = path.join(dir, 'generated');
    const told: string[] = [];
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadMasterKey({ dataDir, onGenerated: (f) => told.push(f) })));
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(1);
    expect(keys[0].length).toBe(32);
    expect(told).toEqual([masterKeyPath(dataDir)]);
    const file = masterKeyPath(dataDir);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(path.dirname(file))).toEqual(['master.key']);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64').equals(keys[0])).toBe(true);
    expect((await loadMasterKey({ dataDir })).equals(keys[0])).toBe(true);
  });

  it('refuses a damaged key file instead of replacing it', async () => {
    const dataDir = path.join(dir, 'damaged');
    await loadMasterKey({ dataDir });
    await writeFile(masterKeyPath(dataDir), 'c2hvcnQ=\n');
    await expect(loadMasterKey({ dataDir })).rejects.toThrow(/32 bytes/);
  });

  it('derives distinct, stable tenant keys with HKDF-SHA256', () => {
    const master = Buffer.alloc(32, 7);
    const a = deriveTenantKey(master, 'tenant-a');
    expect(a.length).toBe(32);
    expect(deriveTenantKey(master, 'tenant-a').equals(a)).toBe(true);
    expect(deriveTenantKey(master, 'tenant-b').equals(a)).toBe(false);
    expect(deriveTenantKey(Buffer.alloc(32, 8), 'tenant-a').equals(a)).toBe(false);
    const ring = new KeyRing(master);
    expect(ring.tenantKey('tenant-a').equals(a)).toBe(true);
    expect(JSON.stringify({ ring })).toBe('{"ring":"[KeyRing]"}');
  });

  it('derives a key per town hall and purpose, apart from the file keys', () => {
    const ring = new KeyRing(Buffer.alloc(32, 7));
    const otp = ring.purposeKey('tenant-a', 'consent-otp');
    expect(otp.length).toBe(32);
    expect(ring.purposeKey('tenant-a', 'consent-otp').equals(otp)).toBe(true);
    expect(ring.purposeKey('tenant-b', 'consent-otp').equals(otp)).toBe(false);
    expect(ring.purposeKey('tenant-a', 'other').equals(otp)).toBe(false);
    expect(ring.tenantKey('tenant-a').equals(otp)).toBe(false);
    expect(() => ring.purposeKey('tenant-a', '')).toThrow();
  });
});
