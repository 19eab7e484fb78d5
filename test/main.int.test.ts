import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const tsx = path.resolve('node_modules/.bin/tsx');

function run(env: Record<string, string>) {
  const child = spawn(tsx, ['server/main.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out, errors: () => err };
}

describe('the server process', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'finestreta-main-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts on an empty embedded database with a demo town hall, is ready, and stops cleanly on SIGTERM', async () => {
    const p = run({ DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'warn' });
    const deadline = Date.now() + 60_000;
    while (!/citizens:\s+http/.test(p.output())) {
      if (Date.now() > deadline) throw new Error(`no start-up output: ${p.output()} ${p.errors()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(p.output()).toContain('Demo town hall created.');
    expect(p.output()).toMatch(/Demo staff password: \S{8,}/);
    expect(readFileSync(path.join(dir, 'demo-credentials.txt'), 'utf8')).toContain('admin@demo.example');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 90_000);

  it('refuses bad configuration, naming the variable', async () => {
    const p = run({ DATA_DIR: dir, PORT: 'not-a-port', DATABASE_URL: 'mysql://nope' });
    expect(await p.exited).toBe(78);
    expect(p.errors()).toMatch(/PORT/);
    expect(p.errors()).toMatch(/DATABASE_URL/);
  }, 30_000);
});
