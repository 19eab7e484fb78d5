import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.js';

/** `npm start` as package.json says it: its "prestart" (the build of dist/), then its "start", a plain node command. */
const scripts: Record<string, string> = JSON.parse(readFileSync('package.json', 'utf8')).scripts;
const [startCmd, ...startArgs] = scripts.start.trim().split(/\s+/);


function run(env: Record<string, string>) {
  const child = spawn(process.execPath, startArgs, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out, errors: () => err };
}

describe('the server process (npm start)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'finestreta-main-'));
  beforeAll(() => {
    expect(startCmd).toBe('node');
    expect(scripts.prestart).toBe('node scripts/build.mjs');
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'pipe' });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts on an empty embedded database with a demo town hall, serves its pages and assets, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const p = run({ DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    const deadline = Date.now() + 60_000;
    while (!/citizens:\s+http/.test(p.output())) {
      if (Date.now() > deadline) throw new Error(`no start-up output: ${p.output()} ${p.errors()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(p.output()).toContain('Demo town hall created.');
    expect(p.output()).toMatch(/Demo staff password: \S{8,}/);
    expect(readFileSync(path.join(dir, 'demo-credentials.txt'), 'utf8')).toContain('admin@demo.example');
    // translations, browser assets and migrations are read from dist/ as from the sources
    const page = await fetch(`http://127.0.0.1:${port}/demo`, { headers: { 'accept-language': 'ca' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Ajuda amb un tràmit · Ajuntament de Vilademo');
    const css = await fetch(`http://127.0.0.1:${port}/assets/app.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
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
