/**
 * Runs integration tests against both databases: a fresh in-memory PGlite and a
 * fresh database on the real PostgreSQL (TEST_DATABASE_URL, default
 * 127.0.0.1:5432/test). With CI=true an unreachable PostgreSQL fails the run.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../server/db/client.js';

export const DATABASE_KINDS = ['pglite', 'postgres'] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

let reachable: Promise<boolean> | undefined;

/** Whether the PostgreSQL tests run here; throws under CI when PostgreSQL is missing. */
export async function postgresAvailable(): Promise<boolean> {
  const ok = await (reachable ??= postgresReachable());
  if (!ok && process.env.CI === 'true') throw new Error(`PostgreSQL is unreachable at ${ADMIN_URL.replace(/:[^:@/]*@/, ':***@')} and CI=true`);
  if (!ok) console.warn('PostgreSQL unreachable: skipping the PostgreSQL half of the integration tests (set CI=true to fail instead)');
  return ok;
}

export type TestDatabase = Database & { url?: string; drop(): Promise<void> };

/** A fresh, migrated database of the given kind. */
export async function freshDatabase(kind: DatabaseKind, poolSize = 20): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const db = await openDatabase({ dataDir: 'memory://' });
    return { ...db, drop: () => db.close() };
  }
  const name = `fin_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), poolSize });
  return {
    ...db,
    url: url.toString(),
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

