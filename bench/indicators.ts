/**
 * Indicators: the supervisors' dashboard over a large city's year (3 million
 * attentions) and a region's (10 million), on PostgreSQL. Goal: p95 < 100 ms
 * for any period and filter, by reading the rollups the database keeps as
 * attentions end. Baseline, measured in the same run: the naive aggregate of
 * the same indicators over the raw `attentions` table (one statement, with an
 * index on (tenant_id, due_at) that the rollups do not need).
 *
 *   npx tsx bench/indicators.ts        (npm run bench:indicators)
 *
 * Knobs (environment): BENCH_SCALES ("3000000,10000000"), BENCH_ROUNDS (15
 * timed calls of each query shape), BENCH_NAIVE_ROUNDS (3), BENCH_CLOSES (300).
 * PGlite is not measured: ten million rows in an in-process WebAssembly
 * database is not how a region would run it.
 *
 * Data, per scale: one tenant (Europe/Madrid) with attentions due over the
 * year from 2025-12-01, 08:00–20:00, in the order they happen (as they
 * would close); procedures (40 for
 * the city, 80 for the region) in 10 departments; agents (120 / 400), each
 * procedure attended by 9 of them; 3 channels; 10 consultation types; 85%
 * closed, 6% abandoned, 5% no-show, 4% not reached; waits 0–30 min, handling
 * 1–40 min; a survey answer for 1 in 10. Rows go in through the same insert
 * trigger that counts a real close, in statements of 250,000 rows; the load
 * rate is reported; then the rollups are vacuumed, as autovacuum would. The
 * cost of keeping the rollups on a single close is measured too (the same
 * UPDATE with the triggers on and off).
 */
import { sql } from 'drizzle-orm';
import { computeIndicators } from '../server/modules/indicators/compute-indicators.js';
import type { IndicatorFilter } from '../server/modules/indicators/indicators.types.js';
import type { Tenant } from '../server/modules/tenants/tenants.repository.js';
import { freshDatabase, type TestDatabase } from '../test/support/databases.js';
import { envInt, fmt, fmtInt, machineLine, median, pass, percentile, since } from './lib/stats.js';

const SCALES = (process.env.BENCH_SCALES ?? '3000000,10000000').split(',').map(Number);
const ROUNDS = envInt('BENCH_ROUNDS', 15);
const NAIVE_ROUNDS = envInt('BENCH_NAIVE_ROUNDS', 3);
const CLOSES = envInt('BENCH_CLOSES', 300);
const BATCH = 250_000;
const GOAL_P95_MS = 100;
const TZ = 'Europe/Madrid';
const YEAR_START = '2025-12-01';

type Shape = { name: string; filter: (ids: Ids) => IndicatorFilter };
type Ids = { procedure: string; department: string; agent: string };

/** Periods × filters: the shapes a supervisor asks for. */
const PERIODS: { name: string; from: string; to: string }[] = [
  { name: 'a day', from: '2026-06-17', to: '2026-06-17' },
  { name: 'last 7 days', from: '2026-11-24', to: '2026-11-30' },
  { name: 'a month', from: '2026-03-01', to: '2026-03-31' },
  { name: '45 days across months', from: '2026-02-10', to: '2026-03-26' },
  { name: 'a quarter', from: '2026-04-01', to: '2026-06-30' },
  { name: 'the year', from: '2025-12-01', to: '2026-11-30' },
  { name: '400 days, ragged', from: '2025-11-15', to: '2026-12-19' },
];
const FILTERS: { name: string; f: (ids: Ids) => Partial<IndicatorFilter> }[] = [
  { name: 'all', f: () => ({}) },
  { name: 'procedure', f: (ids) => ({ procedureId: ids.procedure }) },
  { name: 'channel', f: () => ({ channel: 'callback' }) },
  { name: 'department', f: (ids) => ({ departmentId: ids.department }) },
  { name: 'agent', f: (ids) => ({ agentId: ids.agent }) },
  { name: 'department+channel', f: (ids) => ({ departmentId: ids.department, channel: 'video' }) },
];
const SHAPES: Shape[] = PERIODS.flatMap((p) =>
  FILTERS.map((f) => ({ name: `${p.name} / ${f.name}`, filter: (ids: Ids) => ({ from: p.from, to: p.to, ...f.f(ids) }) })),
);

type ScaleResult = {
  scale: number;
  loadMs: number;
  rollupRows: number;
  rawMb: number;
  rollupMb: number;
  samples: number[];
  byShape: { name: string; p50: number; p95: number; naive: number }[];
  closeOn: number;
  closeOff: number;
};

async function setupTenant(db: TestDatabase, scale: number): Promise<{ tenant: Tenant; ids: Ids; procedures: number; agents: number }> {
  const procedures = scale >= 10_000_000 ? 80 : 40;
  const agents = scale >= 10_000_000 ? 400 : 120;
  const slug = `bench-${scale}`;
  const [tenant] = await db.rows<Tenant & { time_zone: string }>(sql`
    INSERT INTO tenants (slug, name, dir3_code, time_zone, languages, default_language, settings)
    VALUES (${slug}, ${'Bench ' + scale}, 'L01080193', ${TZ}, ARRAY['ca','es','en'], 'ca', '{"cancelCutoffMinutes":60}') RETURNING *`);
  await db.rows(sql`INSERT INTO departments (tenant_id, name) SELECT ${tenant.id}, jsonb_build_object('ca', 'Departament ' || g) FROM generate_series(1, 10) g`);
  await db.rows(sql`
    INSERT INTO procedures (tenant_id, code, name, help, department_id, channels, duration_minutes, position)
    SELECT ${tenant.id}, 'p' || g, jsonb_build_object('ca', 'Tràmit ' || g), '{"ca":""}',
      (SELECT id FROM departments WHERE tenant_id = ${tenant.id} ORDER BY id OFFSET (g % 10) LIMIT 1),
      ARRAY['video','phone','callback'], 20, g
    FROM generate_series(1, ${procedures}) g`);
  await db.rows(sql`
    INSERT INTO staff (tenant_id, email, full_name, password_hash, role, channels)
    SELECT ${tenant.id}, 'agent' || g || '@bench.example', 'Agent ' || g, 'x', 'agent', ARRAY['video','phone','callback']
    FROM generate_series(1, ${agents}) g`);
  await db.rows(sql`
    INSERT INTO typologies (tenant_id, code, name, position)
    SELECT ${tenant.id}, 'bench-type-' || g, jsonb_build_object('ca', 'Tipus ' || g), 100 + g FROM generate_series(1, 10) g`);
  const [ids] = await db.rows<Ids>(sql`
    SELECT (SELECT id FROM procedures WHERE tenant_id = ${tenant.id} ORDER BY position LIMIT 1 OFFSET 3) AS procedure,
           (SELECT department_id FROM procedures WHERE tenant_id = ${tenant.id} ORDER BY position LIMIT 1 OFFSET 3) AS department,
           (SELECT id FROM staff WHERE tenant_id = ${tenant.id} ORDER BY email LIMIT 1 OFFSET 7) AS agent`);
  return { tenant: { ...tenant, timeZone: TZ } as Tenant, ids, procedures, agents };
}

/** Inserts `n` ended attentions (and their survey answers) in statements of BATCH rows. */
async function load(db: TestDatabase, tenantId: string, n: number) {
  await db.rows(sql`DROP TABLE IF EXISTS bench_p, bench_s, bench_t`);
  // Lookup tables by position, so the generator can pick by number.
  await db.rows(sql`CREATE UNLOGGED TABLE bench_p AS SELECT row_number() OVER (ORDER BY position) - 1 AS i, id FROM procedures WHERE tenant_id = ${tenantId}`);
  await db.rows(sql`CREATE UNLOGGED TABLE bench_s AS SELECT row_number() OVER (ORDER BY email) - 1 AS i, id FROM staff WHERE tenant_id = ${tenantId}`);
  await db.rows(sql`CREATE UNLOGGED TABLE bench_t AS SELECT row_number() OVER (ORDER BY code) - 1 AS i, id FROM typologies WHERE tenant_id = ${tenantId}`);
  const [{ np, ns, nt }] = await db.rows<{ np: number; ns: number; nt: number }>(
    sql`SELECT (SELECT count(*) FROM bench_p)::int AS np, (SELECT count(*) FROM bench_s)::int AS ns, (SELECT count(*) FROM bench_t)::int AS nt`,
  );
  for (let start = 0; start < n; start += BATCH) {
    const end = Math.min(n, start + BATCH) - 1;
    // r(k) is a deterministic pseudo-random number in [0, 1) per row and purpose.
    await db.rows(sql`
      WITH g AS (
        SELECT i,
          (hashint8(i * 8 + 1)::bigint & 2147483647) / 2147483648.0 AS r1,
          (hashint8(i * 8 + 2)::bigint & 2147483647) / 2147483648.0 AS r2,
          (hashint8(i * 8 + 3)::bigint & 2147483647) / 2147483648.0 AS r3,
          (hashint8(i * 8 + 4)::bigint & 2147483647) / 2147483648.0 AS r4,
          (hashint8(i * 8 + 5)::bigint & 2147483647) / 2147483648.0 AS r5,
          (hashint8(i * 8 + 6)::bigint & 2147483647) / 2147483648.0 AS r6
        FROM generate_series(${start}::bigint, ${end}::bigint) i
      ), v AS (
        SELECT g.*, floor(r1 * ${np})::int AS pi,
          CASE WHEN r2 < 0.85 THEN 'closed' WHEN r2 < 0.91 THEN 'abandoned' WHEN r2 < 0.96 THEN 'no_show' ELSE 'not_reached' END AS status,
          CASE WHEN r3 < 0.5 THEN 'video' WHEN r3 < 0.8 THEN 'phone' ELSE 'callback' END AS channel,
          ((${YEAR_START}::timestamp + (floor(i * 365.0 / ${n}) || ' days')::interval
             + ((8 * 3600 + floor(r5 * 12 * 3600)) || ' seconds')::interval) AT TIME ZONE ${TZ}) AS due
        FROM g
      )
      INSERT INTO attentions (tenant_id, procedure_id, channel, status, citizen_name, email, language, agent_id,
        queued_at, due_at, taken_at, ended_at, closed_at, typology_id, outcome)
      SELECT ${tenantId}, p.id, v.channel, v.status, 'Bench', 'bench@example.com', 'ca',
        CASE WHEN v.status IN ('closed', 'not_reached') THEN s.id END,
        v.due, v.due,
        CASE WHEN v.status = 'closed' THEN v.due + (floor(r6 * 1800) || ' seconds')::interval END,
        CASE WHEN v.status = 'closed' THEN v.due + (floor(r6 * 1800) + 60 + floor(r5 * 2340) || ' seconds')::interval END,
        CASE WHEN v.status IN ('closed', 'no_show', 'not_reached') THEN v.due + (floor(r6 * 1800) + 60 + floor(r5 * 2340) || ' seconds')::interval END,
        CASE WHEN v.status = 'closed' THEN t.id END,
        CASE WHEN v.status <> 'closed' THEN NULL WHEN r5 < 0.7 THEN 'resolved' WHEN r5 < 0.85 THEN 'follow_up' WHEN r5 < 0.95 THEN 'missing_documents' ELSE 'other' END
      FROM v
      JOIN bench_p p ON p.i = v.pi
      JOIN bench_s s ON s.i = (v.pi * 9 + floor(v.r6 * 9)::int) % ${ns}
      JOIN bench_t t ON t.i = floor(v.r3 * 1000)::int % ${nt}`);
  }
  // One in ten closed attentions answered the survey.
  await db.rows(sql`
    INSERT INTO survey_responses (tenant_id, attention_id, liked, easy, again, language)
    SELECT tenant_id, id, 5 + (hashint8(extract(epoch FROM due_at)::bigint) & 5)::int, 6 + (hashint8(extract(epoch FROM due_at)::bigint + 1) & 3)::int,
      (hashint8(extract(epoch FROM due_at)::bigint + 2) & 15) <> 0, 'ca'
    FROM attentions WHERE tenant_id = ${tenantId} AND status = 'closed' AND (hashint8(extract(epoch FROM due_at)::bigint + 3) & 7) = 0 AND (hashint8(extract(epoch FROM due_at)::bigint + 4) & 1) = 0`);
}

/** The same indicators straight from the raw table: one statement, one scan of the period. */
async function naive(db: TestDatabase, tenantId: string, f: IndicatorFilter): Promise<void> {
  const conds = [sql`a.tenant_id = ${tenantId}`, sql`a.status IN ('closed','no_show','not_reached','abandoned')`,
    sql`a.due_at >= (${f.from}::date::timestamp AT TIME ZONE ${TZ})`, sql`a.due_at < ((${f.to}::date + 1)::timestamp AT TIME ZONE ${TZ})`];
  if (f.procedureId) conds.push(sql`a.procedure_id = ${f.procedureId}`);
  if (f.channel) conds.push(sql`a.channel = ${f.channel}`);
  if (f.agentId) conds.push(sql`a.agent_id = ${f.agentId}`);
  if (f.departmentId) conds.push(sql`a.procedure_id IN (SELECT id FROM procedures WHERE tenant_id = ${tenantId} AND department_id = ${f.departmentId})`);
  await db.rows(sql`
    WITH a AS MATERIALIZED (
      SELECT a.*, extract(epoch FROM a.taken_at - a.queued_at) AS w, extract(epoch FROM a.closed_at - a.taken_at) AS hd,
             s.liked, s.easy, s.again
      FROM attentions a LEFT JOIN survey_responses s ON s.attention_id = a.id
      WHERE ${sql.join(conds, sql` AND `)}
    )
    SELECT
      (SELECT json_build_object('n', count(*), 'closed', count(*) FILTER (WHERE status = 'closed'),
         'no_show', count(*) FILTER (WHERE status = 'no_show'), 'not_reached', count(*) FILTER (WHERE status = 'not_reached'),
         'w_avg', avg(w), 'w_p90', percentile_disc(0.9) WITHIN GROUP (ORDER BY w),
         'hd_avg', avg(hd) FILTER (WHERE status = 'closed'), 'hd_p90', percentile_disc(0.9) WITHIN GROUP (ORDER BY hd) FILTER (WHERE status = 'closed'),
         'liked', avg(liked), 'easy', avg(easy), 'again', avg(again::int), 'sv', count(liked)) FROM a) AS totals,
      (SELECT json_agg(x) FROM (SELECT typology_id, count(*) FROM a WHERE status = 'closed' GROUP BY 1) x) AS by_type,
      (SELECT json_agg(x) FROM (SELECT outcome, count(*) FROM a WHERE status = 'closed' GROUP BY 1) x) AS by_outcome,
      (SELECT json_agg(x) FROM (SELECT channel, count(*) FROM a GROUP BY 1) x) AS by_channel,
      (SELECT json_agg(x) FROM (SELECT procedure_id, count(*) FROM a GROUP BY 1) x) AS by_procedure,
      (SELECT json_agg(x) FROM (SELECT extract(hour FROM due_at AT TIME ZONE ${TZ}) AS h, count(*) FROM a GROUP BY 1) x) AS by_hour,
      (SELECT json_agg(x) FROM (SELECT extract(isodow FROM due_at AT TIME ZONE ${TZ}) AS d, count(*) FROM a GROUP BY 1) x) AS by_weekday,
      (SELECT json_agg(x) FROM (SELECT (due_at AT TIME ZONE ${TZ})::date AS d, count(*) FROM a GROUP BY 1) x) AS by_day,
      (SELECT json_agg(x) FROM (SELECT liked, count(*) FROM a WHERE liked IS NOT NULL GROUP BY 1) x) AS liked_dist`);
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return since(t0);
}

/** p50 of a single-row close (in progress → closed), `CLOSES` times, with the rollup triggers on or off. */
async function closeLatency(db: TestDatabase, tenantId: string, triggers: boolean): Promise<number> {
  await db.rows(sql.raw(`ALTER TABLE attentions ${triggers ? 'ENABLE' : 'DISABLE'} TRIGGER attentions_rollup_update`));
  const [{ p, s, t }] = await db.rows<{ p: string; s: string; t: string }>(sql`
    SELECT (SELECT id FROM procedures WHERE tenant_id = ${tenantId} LIMIT 1) AS p, (SELECT id FROM staff WHERE tenant_id = ${tenantId} ORDER BY email DESC LIMIT 1) AS s,
           (SELECT id FROM typologies WHERE tenant_id = ${tenantId} LIMIT 1) AS t`);
  const ms: number[] = [];
  for (let i = 0; i < CLOSES; i++) {
    const [a] = await db.rows<{ id: string }>(sql`
      INSERT INTO attentions (tenant_id, procedure_id, channel, status, citizen_name, email, language, agent_id, queued_at, due_at, taken_at)
      VALUES (${tenantId}, ${p}, 'video', 'in_progress', 'Bench', 'bench@example.com', 'ca', ${s}, now() - interval '5 min', now() - interval '5 min', now() - interval '2 min')
      RETURNING id`);
    ms.push(await timeIt(() => db.rows(sql`UPDATE attentions SET status = 'closed', ended_at = now(), closed_at = now(), typology_id = ${t}, outcome = 'resolved' WHERE id = ${a.id}`)));
  }
  await db.rows(sql`ALTER TABLE attentions ENABLE TRIGGER attentions_rollup_update`);
  return median(ms);
}

async function runScale(db: TestDatabase, scale: number): Promise<ScaleResult> {
  const { tenant, ids, procedures, agents } = await setupTenant(db, scale);
  console.log(`  loading ${fmtInt(scale)} attentions (${procedures} procedures, ${agents} agents)…`);
  const t0 = performance.now();
  await load(db, tenant.id, scale);
  const loadMs = since(t0);
  await db.rows(sql`CREATE INDEX IF NOT EXISTS bench_attentions_due ON attentions (tenant_id, due_at)`);
  // What autovacuum does after a load: the visibility map lets listings use index-only scans.
  await db.rows(sql`VACUUM (ANALYZE) indicator_rollups`);
  await db.rows(sql`ANALYZE`);
  const [size] = await db.rows<{ rollup_rows: string; raw_mb: number; rollup_mb: number }>(sql`
    SELECT (SELECT count(*) FROM indicator_rollups WHERE tenant_id = ${tenant.id})::text AS rollup_rows,
           pg_total_relation_size('attentions') / 1048576.0 AS raw_mb, pg_total_relation_size('indicator_rollups') / 1048576.0 AS rollup_mb`);
  console.log(`  loaded in ${fmt(loadMs / 1000)} s (${fmtInt(scale / (loadMs / 1000))} attentions/s through the rollup triggers); ${fmtInt(Number(size.rollup_rows))} rollup rows`);

  const samples: number[] = [];
  const byShape: ScaleResult['byShape'] = [];
  for (const shape of SHAPES) {
    const filter = shape.filter(ids);
    await computeIndicators(db, tenant, filter, 'ca'); // warm
    const ms: number[] = [];
    for (let i = 0; i < ROUNDS; i++) ms.push(await timeIt(() => computeIndicators(db, tenant, filter, 'ca')));
    samples.push(...ms);
    const naiveMs: number[] = [];
    for (let i = 0; i < NAIVE_ROUNDS; i++) naiveMs.push(await timeIt(() => naive(db, tenant.id, filter)));
    byShape.push({ name: shape.name, p50: median(ms), p95: percentile(ms, 95), naive: median(naiveMs) });
    console.log(`    ${shape.name.padEnd(36)} rollups p50 ${fmt(median(ms)).padStart(7)} ms  p95 ${fmt(percentile(ms, 95)).padStart(7)} ms   naive p50 ${fmt(median(naiveMs)).padStart(9)} ms`);
  }
  const closeOn = await closeLatency(db, tenant.id, true);
  const closeOff = await closeLatency(db, tenant.id, false);
  return { scale, loadMs, rollupRows: Number(size.rollup_rows), rawMb: size.raw_mb, rollupMb: size.rollup_mb, samples, byShape, closeOn, closeOff };
}

async function main() {
  console.log(`# indicators benchmark — ${await machineLine()}`);
  console.log(`${SHAPES.length} query shapes (${PERIODS.length} periods × ${FILTERS.length} filters), ${ROUNDS} timed calls each of computeIndicators; naive baseline ${NAIVE_ROUNDS} calls each\n`);
  const results: ScaleResult[] = [];
  const db = await freshDatabase('postgres', 4);
  try {
    for (const scale of SCALES) {
      console.log(`## ${fmtInt(scale)} attentions`);
      results.push(await runScale(db, scale));
    }
  } finally {
    await db.drop();
  }
  console.log('\n## Summary (PostgreSQL)');
  for (const r of results) {
    const p95 = percentile(r.samples, 95);
    const ratios = r.byShape.map((s) => s.naive / s.p50);
    const naiveP50 = median(r.byShape.map((s) => s.naive));
    console.log(`${fmtInt(r.scale)} attentions: dashboard p50 ${fmt(median(r.samples))} ms, p95 ${fmt(p95)} ms, max ${fmt(Math.max(...r.samples))} ms over ${r.samples.length} calls — goal p95 < ${GOAL_P95_MS} ms: ${pass(p95 < GOAL_P95_MS)}`);
    console.log(`  naive aggregate over the raw table: median of shapes ${fmt(naiveP50)} ms; speed-up (naive / rollups, per shape) median ${fmt(median(ratios))}×, min ${fmt(Math.min(...ratios))}×`);
    console.log(`  load through the triggers ${fmtInt(r.scale / (r.loadMs / 1000))} attentions/s; rollups ${fmtInt(r.rollupRows)} rows, ${fmt(r.rollupMb)} MB (raw attentions table ${fmt(r.rawMb)} MB, both tenants so far)`);
    console.log(`  one close: p50 ${fmt(r.closeOn, 2)} ms with the rollup trigger, ${fmt(r.closeOff, 2)} ms without (ratio ${fmt(r.closeOn / r.closeOff, 2)})`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
