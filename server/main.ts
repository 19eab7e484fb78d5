/**
 * Entry point: validate configuration, open the database (PGlite in DATA_DIR by
 * default), seed the demo town hall on an empty database, serve, and shut down
 * gracefully on SIGTERM/SIGINT.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, loadConfig } from './config/config.js';
import { seedDemo } from './db/demo-seed.js';
import { createLogger } from './logger.js';
import { listTenants } from './modules/tenants/tenants.repository.js';
import { startServer } from './server.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const running = await startServer(config, logger);
  const tenants = await listTenants(running.database.db);
  const out: string[] = [];
  if (tenants.length === 0 && config.DEMO_SEED) {
    const demo = await seedDemo(running.database.db);
    const file = path.resolve(config.DATA_DIR, 'demo-credentials.txt');
    const lines = [`Demo staff password: ${demo.password}`, ...demo.accounts.map((a) => `  ${a.role.padEnd(10)} ${a.email}`)];
    await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 }).catch(() => undefined);
    out.push('', 'Demo town hall created.', ...lines, `(also kept in ${file})`);
    tenants.push(demo.tenant);
  } else if (config.DEMO_SEED) {
    out.push('', `Demo staff credentials: see ${path.resolve(config.DATA_DIR, 'demo-credentials.txt')}`);
  }
  for (const t of tenants.slice(0, 5)) {
    out.push('', `${t.name}:`, `  citizens:       ${config.PUBLIC_URL}/${t.slug}`, `  agent console:  ${config.PUBLIC_URL}/${t.slug}/staff/console`);
  }
  out.push('', `API (OpenAPI 3.1): ${config.PUBLIC_URL}/api/openapi.json`, `Database: ${running.database.kind}`, '');
  process.stdout.write(`${out.join('\n')}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await running.close();
    } finally {
      logger.flush();
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((e) => {
  process.stderr.write(`Finestreta failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
