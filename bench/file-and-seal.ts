/**
 * File and seal: requests filed per second (fileRequest: the checks, the
 * register number, the filing row and its seal_receipt job in one
 * transaction) and receipts sealed per second (the seal_receipt job's work:
 * render in the citizen's language, PAdES seal, encrypted store, the sealing
 * transaction with its audit event and outbox jobs), sequential and 8-way
 * concurrent, on PostgreSQL. Baselines measured in the same run:
 * `registerEntry` alone in a transaction (the part of filing that takes the
 * tenant's locks), and `sealPdf` alone on the same receipt PDF (the signing).
 *
 *   npx tsx bench/file-and-seal.ts        (npm run bench:file-and-seal)
 *
 * Knobs (environment): BENCH_ROUNDS (3), BENCH_FILINGS (48 per round and mode),
 * BENCH_CONCURRENCY (8). Each round files into a fresh town hall. The
 * attentions the filings rest on (appointment, documents, identity check,
 * consent: test/support/filings.ts) are prepared outside the timed part; a
 * filed attention is closed before its agent takes the next one (an agent
 * attends one citizen at a time). The demo seal (RSA 3072) signs.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { fileRequest } from '../server/modules/filing/file-request.js';
import { findReceiptFiling } from '../server/modules/receipt/receipt.repository.js';
import { receiptInput, sealReceipt, type SealReceiptDeps } from '../server/modules/receipt/seal-receipt.js';
import { renderReceipt } from '../server/modules/receipt/render-receipt.js';
import { registerEntry } from '../server/modules/register/register-entry.js';
import { loadSealer } from '../server/modules/sealing/sealer.js';
import { openFileStore } from '../server/storage/open-file-store.js';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../test/support/databases.js';
import { prepareFormalAttention, type FormalAttention } from '../test/support/filings.js';
import { smallTenant } from '../test/support/test-server.js';
import { envInt, fmt, machineLine, median } from './lib/stats.js';

const ROUNDS = envInt('BENCH_ROUNDS', 3);
const FILINGS = envInt('BENCH_FILINGS', 48);
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 8);
const quiet = { info: () => undefined, warn: () => undefined };

type Town = Awaited<ReturnType<typeof smallTenant>>;
type Filed = { tenantId: string; filingId: string; csv: string };
type Mode = 'sequential' | 'concurrent';
type Figures = Record<'file' | 'register' | 'seal' | 'sealPdf', Record<Mode, number>>;

/** Runs `tasks` in waves of `width` at once; returns the summed wall time of the waves (ms) and the results. */
async function waves<T>(width: number, tasks: Array<() => Promise<T>>): Promise<{ ms: number; results: T[] }> {
  let ms = 0;
  const results: T[] = [];
  for (let i = 0; i < tasks.length; i += width) {
    const t0 = performance.now();
    results.push(...(await Promise.all(tasks.slice(i, i + width).map((t) => t()))));
    ms += performance.now() - t0;
  }
  return { ms, results };
}

/** Runs `tasks` with `width` workers pulling from one queue; returns the wall time (ms). */
async function pool(width: number, tasks: Array<() => Promise<unknown>>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) await tasks[next++]();
    }),
  );
  return performance.now() - t0;
}

async function closeAttention(db: TestDatabase, a: FormalAttention) {
  await db.rows(sql`
    UPDATE attentions SET status = 'closed', ended_at = now(), closed_at = now(), outcome = 'resolved',
           typology_id = (SELECT id FROM typologies WHERE tenant_id = ${a.tenant.id} ORDER BY position LIMIT 1)
     WHERE id = ${a.attentionId}`);
}

/** Files FILINGS requests, `width` at a time (one agent each), timing only fileRequest. */
async function fileMany(db: TestDatabase, town: Town, width: number): Promise<{ rate: number; filed: Filed[] }> {
  const filed: Filed[] = [];
  let ms = 0;
  for (let i = 0; i < FILINGS; i += width) {
    const batch: FormalAttention[] = [];
    for (let k = 0; k < Math.min(width, FILINGS - i); k++) batch.push(await prepareFormalAttention(db, { town, agentIndex: k }));
    const t0 = performance.now();
    const results = await Promise.all(
      batch.map((a) => fileRequest({ database: db }, { tenant: town.tenant, attentionId: a.attentionId, official: { id: a.official.id, role: a.official.role }, formData: a.formData })),
    );
    ms += performance.now() - t0;
    results.forEach((r) => filed.push({ tenantId: town.tenant.id, filingId: r.filingId, csv: r.csv }));
    for (const a of batch) await closeAttention(db, a);
  }
  return { rate: (FILINGS / ms) * 1000, filed };
}

async function round(db: TestDatabase, deps: SealReceiptDeps, r: number): Promise<Figures> {
  const sealer = await deps.sealer();
  const town = await smallTenant(db, { agents: CONCURRENCY });
  const figures = { file: {}, register: {}, seal: {}, sealPdf: {} } as Figures;

  // filing: sequential (one agent), then CONCURRENCY agents at once
  const sequential = await fileMany(db, town, 1);
  const concurrent = await fileMany(db, town, CONCURRENCY);
  figures.file.sequential = sequential.rate;
  figures.file.concurrent = concurrent.rate;

  // baseline: registerEntry alone, each in its own transaction
  const entry = (n: number) => () =>
    db.db.transaction((tx) =>
      registerEntry(tx, {
        tenantId: town.tenant.id,
        timeZone: town.tenant.timeZone,
        procedureId: town.procedure.id,
        officialId: town.agents[0].id,
        requestSha256: createHash('sha256').update(`bench-${r}-${n}`).digest('hex'),
      }),
    );
  const entries = (offset: number) => Array.from({ length: FILINGS }, (_, n) => entry(offset + n));
  figures.register.sequential = (FILINGS / (await pool(1, entries(0)))) * 1000;
  figures.register.concurrent = (FILINGS / (await waves(CONCURRENCY, entries(FILINGS))).ms) * 1000;

  // sealing: the job's work for each filing, sequential then CONCURRENCY at once
  const seal = (f: Filed) => () => sealReceipt(deps, { tenantId: f.tenantId, filingId: f.filingId, csv: f.csv });
  figures.seal.sequential = (FILINGS / (await pool(1, sequential.filed.map(seal)))) * 1000;
  figures.seal.concurrent = (FILINGS / (await pool(CONCURRENCY, concurrent.filed.map(seal)))) * 1000;

  // baseline: sealPdf alone on one receipt PDF (rendered once)
  const one = (await findReceiptFiling(db, town.tenant.id, sequential.filed[0].filingId))!;
  const pdf = await renderReceipt(await receiptInput(db, { tenant: town.tenant, filing: one, csv: sequential.filed[0].csv, publicUrl: deps.config.PUBLIC_URL, demoSeal: true }));
  const sealOnce = () => sealer.sealPdf(pdf, { reason: 'bench', location: town.tenant.name, name: town.tenant.name });
  figures.sealPdf.sequential = (FILINGS / (await pool(1, Array.from({ length: FILINGS }, () => sealOnce)))) * 1000;
  figures.sealPdf.concurrent = (FILINGS / (await pool(CONCURRENCY, Array.from({ length: FILINGS }, () => sealOnce)))) * 1000;
  return figures;
}

async function main() {
  if (!(await postgresAvailable())) {
    console.error('file-and-seal needs PostgreSQL (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)');
    process.exit(1);
  }
  console.log(await machineLine());
  console.log(`file-and-seal on PostgreSQL: ${ROUNDS} rounds × ${FILINGS} filings per mode, concurrency ${CONCURRENCY}`);
  const db = await freshDatabase('postgres', 20);
  const dir = mkdtempSync(path.join(tmpdir(), 'fin-bench-seal-'));
  try {
    const files = await openFileStore({ DATA_DIR: dir });
    const sealer = await loadSealer({ DATA_DIR: dir }, quiet);
    const deps: SealReceiptDeps = { database: db, files: async () => files, sealer: async () => sealer, config: { PUBLIC_URL: 'https://finestreta.example', JOB_MAX_ATTEMPTS: 8 } };
    // warm-up: fonts, the seal, the query plans
    {
      const town = await smallTenant(db);
      const w = await fileMany(db, town, 1);
      await sealReceipt(deps, { tenantId: w.filed[0].tenantId, filingId: w.filed[0].filingId, csv: w.filed[0].csv });
    }
    const rounds: Figures[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const f = await round(db, deps, r);
      rounds.push(f);
      console.log(
        `round ${r + 1}: filed ${fmt(f.file.sequential)}/s seq, ${fmt(f.file.concurrent)}/s ×${CONCURRENCY}; registerEntry ${fmt(f.register.sequential)}/s seq, ${fmt(f.register.concurrent)}/s ×${CONCURRENCY}; ` +
          `sealed ${fmt(f.seal.sequential)}/s seq, ${fmt(f.seal.concurrent)}/s ×${CONCURRENCY}; sealPdf ${fmt(f.sealPdf.sequential)}/s seq, ${fmt(f.sealPdf.concurrent)}/s ×${CONCURRENCY}`,
      );
    }
    const med = (k: keyof Figures, m: Mode) => median(rounds.map((f) => f[k][m]));
    console.log('\nmedian of rounds (per second)      sequential   8-way');
    const line = (label: string, k: keyof Figures) => console.log(`  ${label.padEnd(32)} ${fmt(med(k, 'sequential')).padStart(10)} ${fmt(med(k, 'concurrent')).padStart(7)}`);
    line('requests filed (fileRequest)', 'file');
    line('  baseline: registerEntry alone', 'register');
    line('receipts sealed (seal_receipt)', 'seal');
    line('  baseline: sealPdf alone', 'sealPdf');
    console.log('\nratios to baseline                  sequential   8-way');
    const ratio = (label: string, a: keyof Figures, b: keyof Figures) =>
      console.log(`  ${label.padEnd(32)} ${fmt(med(a, 'sequential') / med(b, 'sequential'), 2).padStart(10)} ${fmt(med(a, 'concurrent') / med(b, 'concurrent'), 2).padStart(7)}`);
    ratio('filed / registerEntry', 'file', 'register');
    ratio('sealed / sealPdf', 'seal', 'sealPdf');
  } finally {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
