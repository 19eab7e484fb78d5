/**
 * A real Finestreta server in a child process, for bench/realtime-capacity.ts:
 * `startServer` on the PostgreSQL database given in BENCH_DATABASE_URL,
 * listening on 127.0.0.1 (ephemeral port), logging nothing. Run as
 * `node --expose-gc --import tsx bench/lib/realtime-server.ts` with an IPC channel.
 *
 * IPC, parent → child: `{id, cmd: 'mem', gc?}` (memory figures, after a full
 * GC when asked), `{id, cmd: 'cpu'}` (CPU time and event-loop utilisation
 * since start), `{cmd: 'stop'}` (closes the server and exits, which also writes
 * a --cpu-prof profile). Child → parent: `{type: 'ready', url, pid}` once
 * listening, `{type: 'reply', id, …}`. The child exits when its parent goes away.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { loadConfig } from '../../server/config/config.js';
import { createLogger } from '../../server/logger.js';
import { startServer, type Running } from '../../server/server.js';

const send = (m: unknown) => process.send?.(m);

/** Resident set size from the kernel (what the goal is about), in bytes. */
function vmRss(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finestreta-bench-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    PUBLIC_URL: 'http://127.0.0.1:0',
    LOG_LEVEL: 'silent',
    DEMO_SEED: 'false',
    DATABASE_URL: process.env.BENCH_DATABASE_URL,
    DATABASE_POOL_SIZE: process.env.BENCH_POOL ?? '20',
    DATA_DIR: dataDir,
    STORAGE_MASTER_KEY: randomBytes(32).toString('base64'),
    RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
    RATE_LIMIT_QUEUE_PER_MINUTE: '100000',
  });
  const logger = createLogger(config.LOG_LEVEL);
  let running: Running | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(code), 5000);
    force.unref();
    await running?.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(code);
  };
  // The parent died or hung up: leave too.
  process.on('disconnect', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  running = await startServer(config, logger);
  const elu0 = performance.eventLoopUtilization();
  const gc = (globalThis as { gc?: () => void }).gc;

  process.on('message', (m: { id?: number; cmd: string; gc?: boolean }) => {
    if (m.cmd === 'stop') return void stop(0);
    if (m.cmd === 'mem') {
      if (m.gc && gc) {
        gc();
        gc();
      }
      const u = process.memoryUsage();
      const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((x) => [x.space_name, { size: x.space_size, used: x.space_used_size }]));
      send({ type: 'reply', id: m.id, rss: vmRss(), heapUsed: u.heapUsed, heapTotal: u.heapTotal, external: u.external, arrayBuffers: u.arrayBuffers, spaces });
    } else if (m.cmd === 'cpu') {
      const c = process.cpuUsage();
      send({ type: 'reply', id: m.id, cpuMs: (c.user + c.system) / 1000, elu: performance.eventLoopUtilization(elu0) });
    }
  });
  send({ type: 'ready', url: running.url, pid: process.pid });
}

main().catch((e) => {
  console.error('realtime-server child failed:', e);
  process.exit(1);
});
