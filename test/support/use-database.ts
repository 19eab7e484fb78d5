/** Vitest glue: a fresh database per describe block (kept apart from databases.ts, which Playwright imports too). */
import { afterAll, beforeAll } from 'vitest';
import { freshDatabase, postgresAvailable, type DatabaseKind, type TestDatabase } from './databases.js';

/**
 * Registers beforeAll/afterAll that give a describe block a fresh database of
 * `kind`; `skip` is true when PostgreSQL is unreachable outside CI.
 */
export function useDatabase(kind: DatabaseKind, poolSize = 20) {
  const state = { db: undefined as unknown as TestDatabase, skip: false };
  beforeAll(async () => {
    if (kind === 'postgres' && !(await postgresAvailable())) {
      state.skip = true;
      return;
    }
    state.db = await freshDatabase(kind, poolSize);
  });
  afterAll(async () => {
    await state.db?.drop();
  });
  return state;
}
