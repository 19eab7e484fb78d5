/**
 * Fixtures of the live-attention specs (e2e/call/), on top of fixtures.ts, in a worker of their own:
 * - `sweepingServer`: one more server on the worker's database whose live sweep runs every second
 *   (the worker's own runs every 15 s), with the worker's SMTP capture;
 * - `postgresPair`: two server instances, each with its own pool, on one throw-away database of the
 *   real PostgreSQL — as two processes of a deployment. Inside the end-to-end network namespace
 *   PostgreSQL's TCP port is out of reach, so its Unix socket is used. Unreachable PostgreSQL skips
 *   the test, except under CI=true where it fails it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../server/db/client.js';
import { seedTenant, startTestServer, uniqueSlug, type TestServer } from '../../test/support/test-server.js';
import { test as base } from './fixtures.js';

/** Admin URL of the PostgreSQL for end-to-end tests (E2E_DATABASE_URL wins; the Unix socket inside the namespace). */
export function e2ePostgresUrl(): string {
  if (process.env.E2E_DATABASE_URL) return process.env.E2E_DATABASE_URL;
  if (process.env.E2E_NETNS === '1') return 'postgres://postgres@/test?host=/var/run/postgresql';
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** The same URL on another database (works for socket URLs, which `new URL` refuses). */
function onDatabase(url: string, name: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^/?]*\/)[^?]*/, `$1${name}`);
}

const hidePassword = (url: string) => url.replace(/:[^:@/]*@/, ':***@');

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

export type PostgresPair = {
  /** Server A's database handle (also the one to query from the test). */
  db: Database;
  a: TestServer;
  b: TestServer;
  town: Awaited<ReturnType<typeof seedTenant>>;
};

export const test = base.extend<{ sweepingServer: TestServer; postgresPair: PostgresPair }, { ownWorker: true }>({
  // A worker-scoped fixture of its own gives the specs that use this `test` a worker of their own
  // (Playwright groups tests by their worker fixtures): the emails these specs cause (no-show, not
  // reached) and the sweeps they speed up never reach the SMTP capture of the other specs' worker.
  ownWorker: [async ({}, use) => use(true), { scope: 'worker' }],

  sweepingServer: async ({ env }, use) => {
    const server = await startTestServer(env.db, { SMTP_URL: env.smtp.url, LIVE_SWEEP_SECONDS: '1' });
    await use(server);
    await server.close();
  },

  postgresPair: async ({}, use, testInfo) => {
    const url = e2ePostgresUrl();
    const reachable = await admin(url, (c) => c.query('SELECT 1')).then(
      () => true,
      () => false,
    );
    if (!reachable) {
      if (process.env.CI === 'true') throw new Error(`PostgreSQL is unreachable at ${hidePassword(url)} and CI=true`);
      testInfo.skip(true, `PostgreSQL unreachable at ${hidePassword(url)} (set CI=true to fail instead)`);
      return;
    }
    const name = `fin_e2e_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    await admin(url, (c) => c.query(`CREATE DATABASE ${name}`));
    const opened: Database[] = [];
    const servers: TestServer[] = [];
    try {
      // two pools (and two LISTEN connections) on one database: what two processes would have
      const first = await openDatabase({ url: onDatabase(url, name), poolSize: 5 });
      opened.push(first);
      const second = await openDatabase({ url: onDatabase(url, name), poolSize: 5 });
      opened.push(second);
      servers.push(await startTestServer(first));
      servers.push(await startTestServer(second));
      const town = await seedTenant(first, uniqueSlug('e2e-pg'));
      await use({ db: first, a: servers[0], b: servers[1], town });
    } finally {
      for (const s of servers) await s.close().catch(() => undefined);
      for (const d of opened) await d.close().catch(() => undefined);
      await admin(url, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
  },
});

export { expect, expectNoAxeViolations } from './fixtures.js';
