/**
 * `npm run audit:verify -- <tenant-slug>`: verifies a tenant's audit chain on
 * the database the server is configured with (DATABASE_URL, or the PGlite
 * folder in DATA_DIR — stop the server first, PGlite admits one process).
 * Exit status: 0 intact, 1 broken (the first broken entry is named by seq and
 * id), 2 could not verify (usage, configuration, unknown tenant, database).
 * Prints ids and hashes only, never personal data.
 */
import path from 'node:path';
import { ConfigError, loadConfig } from '../../config/config.js';
import { openDatabase, type Database } from '../../db/client.js';
import { findTenantBySlug } from '../tenants/tenants.repository.js';
import { verifyAuditChain } from './verify-audit-chain.js';

export const EXIT_INTACT = 0;
export const EXIT_BROKEN = 1;
export const EXIT_UNVERIFIED = 2;

const SLUG = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
const REASONS = { seq_gap: 'gap in seq', prev_hash_mismatch: 'prev_hash mismatch', hash_mismatch: 'hash mismatch' } as const;

type Io = {
  argv: string[];
  env?: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Tests hand in an open database; otherwise it is opened from the configuration. */
  database?: Database;
};

export async function runAuditVerify(io: Io): Promise<number> {
  const args = io.argv.filter((a) => a !== '--');
  if (args.length !== 1 || !SLUG.test(args[0])) {
    io.err('usage: npm run audit:verify -- <tenant-slug>');
    return EXIT_UNVERIFIED;
  }
  const slug = args[0];
  let database = io.database;
  try {
    if (!database) {
      const config = loadConfig(io.env ?? process.env);
      database = await openDatabase({ url: config.DATABASE_URL, dataDir: path.join(config.DATA_DIR, 'pglite'), poolSize: 2 });
    }
    const tenant = await findTenantBySlug(database.db, slug);
    if (!tenant) {
      io.err(`no town hall with slug "${slug}"`);
      return EXIT_UNVERIFIED;
    }
    const result = await verifyAuditChain(database, tenant.id);
    if (result.ok) {
      io.out(`audit chain of ${slug}: intact, ${result.entries} entries, head ${result.head}`);
      return EXIT_INTACT;
    }
    const b = result.firstBroken;
    io.out(`audit chain of ${slug}: BROKEN at seq ${b.seq} (entry ${b.id}): ${REASONS[b.reason]}`);
    return EXIT_BROKEN;
  } catch (e) {
    if (e instanceof ConfigError) io.err(e.message);
    else io.err(`could not verify: ${e instanceof Error ? e.name : 'error'}${codeOf(e)}`);
    return EXIT_UNVERIFIED;
  } finally {
    if (database && !io.database) await database.close().catch(() => undefined);
  }
}

/** The error's code (e.g. ECONNREFUSED, 3D000), never its message (which may quote data). */
function codeOf(e: unknown): string {
  const code = e && typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? ` (${code})` : '';
}
