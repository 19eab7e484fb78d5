/**
 * Booking storm: many concurrent HTTP clients booking distinct free slots on a
 * real server backed by PostgreSQL, against the bare equivalent INSERT through
 * the `pg` driver.
 *
 *   npx tsx bench/booking-storm.ts        (npm run bench:booking-storm)
 *
 * Optional knobs (environment): BENCH_ROUNDS (3), BENCH_CLIENTS (64),
 * BENCH_POOL (32, server pool and baseline pool), BENCH_HTTP_SECONDS (8),
 * BENCH_BARE_SECONDS (4), BENCH_WORKER (true: the server runs its outbox worker
 * as in production; false to measure without it), BENCH_ORDER (interleaved;
 * slot-major for a contention variant).
 *
 * Baseline: the statement of insertAppointmentWithEmail (appointment row plus
 * its outbox job in one statement) sent through a pg.Pool of the same size as
 * the server's, by the same number of concurrent callers, for distinct
 * agent/slot pairs. The only difference: its jobs get run_at = now() + 10 years
 * so that the server's outbox worker does not process them during the baseline.
 * The appointment-only INSERT is printed for reference.
 *
 * Each round books into a fresh tenant of 50 agents (smallTenant), so every
 * round starts from the same state. The clients run in a worker thread (see
 * lib/http-load-worker.mjs) so they do not share the server's event loop; the
 * server, the clients and PostgreSQL still share the machine's CPUs.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { hashAccessCode, newAccessCode, newManageToken, sha256 } from '../server/modules/booking/secrets.js';
import { saveProcedure } from '../server/modules/catalogue/save-procedure.js';
import { createTenant } from '../server/modules/tenants/create-tenant.js';
import { freshDatabase, type TestDatabase } from '../test/support/databases.js';
import { api, bookingBody, smallTenant, startTestServer, uniqueSlug, type TestServer } from '../test/support/test-server.js';
import { envInt, fmt, fmtInt, machineLine, median, pass, percentile, since, sleep } from './lib/stats.js';

const ROUNDS = envInt('BENCH_ROUNDS', 3);
const CLIENTS = envInt('BENCH_CLIENTS', 64);
const POOL = envInt('BENCH_POOL', 32);
const HTTP_MS = envInt('BENCH_HTTP_SECONDS', 8) * 1000;
const BARE_MS = envInt('BENCH_BARE_SECONDS', 4) * 1000;
const WARMUP_MS = 2000;
const AGENTS = 50;
const WORKER = process.env.BENCH_WORKER ?? 'true';
/**
 * `interleaved` (default): consecutive requests go to different slots, so
 * concurrent clients never compete for the same agent. `slot-major`: all places
 * of a slot are requested one after the other, so ~64 clients race for the
 * same slot's agents (a contention variant, not part of the goals).
 */
const ORDER = process.env.BENCH_ORDER === 'slot-major' ? 'slot-major' : 'interleaved';
/** Hard stop for the whole run, whatever happens. */
const HARD_LIMIT_MS = 170_000;

const GOAL_RATE = 1000;
const GOAL_P99 = 100;
const GOAL_RATIO = 0.3;

type HttpResult = {
  elapsedMs: number;
  ok: number;
  sent: number;
  latOk: Float64Array;
  latAll: Float64Array;
  statuses: Record<string, number>;
  codes: Record<string, number>;
  samples: string[];
  exhausted: boolean;
};

type RoundFigures = {
  rate: number;
  p50: number;
  p99: number;
  p50All: number;
  p99All: number;
  ok: number;
  taken: number;
  otherErrors: number;
  doubles: number;
  bookedInDb: number;
  backlog: number;
  cpuBusy: number;
  serverElu: number;
  nodeCpuMsPerBooking: number;
  bareRate: number;
  bareP50: number;
  bareP99: number;
  bareApptRate: number;
  bareApptP50: number;
  bareApptP99: number;
  ratio: number;
};

/** Busy fraction of all CPUs between two /proc/stat readings (NaN when unavailable). */
function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = v[3] + (v[4] ?? 0);
    const total = v.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}
function busyFraction(a?: { busy: number; total: number }, b?: { busy: number; total: number }): number {
  if (!a || !b || b.total === a.total) return Number.NaN;
  return (b.busy - a.busy) / (b.total - a.total);
}

/** Starts of free slots, each repeated `capacity` times, interleaved so that concurrent requests target different slots. */
async function workList(server: TestServer, slug: string): Promise<string[]> {
  const res = await api(server.base, 'GET', `/api/v1/tenants/${slug}/procedures/tramit/slots?channel=video&days=30`);
  if (res.status !== 200) throw new Error(`slots: ${res.status} ${res.text.slice(0, 200)}`);
  // Keep clear of the 60-minute notice so that no slot becomes "too soon" during a round.
  const minStart = Date.now() + 3 * 3600_000;
  const slots = (res.json as Array<{ start: string; capacity: number }>).filter((s) => Date.parse(s.start) > minStart);
  const starts: string[] = [];
  const maxCap = Math.max(0, ...slots.map((s) => s.capacity));
  if (ORDER === 'slot-major') {
    for (const s of slots) for (let unit = 0; unit < s.capacity; unit++) starts.push(s.start);
  } else {
    for (let unit = 0; unit < maxCap; unit++) for (const s of slots) if (s.capacity > unit) starts.push(s.start);
  }
  return starts;
}

function runHttpLoad(server: TestServer, slug: string, starts: string[], durationMs: number, emailPrefix: string): Promise<HttpResult> {
  const worker = new Worker(new URL('./lib/http-load-worker.mjs', import.meta.url), {
    workerData: {
      base: server.base,
      path: `/api/v1/tenants/${slug}/appointments`,
      template: bookingBody('placeholder'),
      starts,
      emailPrefix,
      concurrency: CLIENTS,
      durationMs,
    },
  });
  return new Promise((resolve, reject) => {
    let done = false;
    const guard = setTimeout(() => {
      if (!done) void worker.terminate();
      reject(new Error('load worker did not finish in time'));
    }, durationMs + 60_000);
    worker.once('message', (m: HttpResult) => {
      done = true;
      clearTimeout(guard);
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', (e) => {
      clearTimeout(guard);
      reject(e);
    });
  });
}

/** Pairs of booked appointments of the same agent whose occupied ranges overlap (must be 0). */
async function doubleBookings(db: TestDatabase, tenantId?: string): Promise<number> {
  const [row] = await db.rows<{ n: number }>(sql`
    SELECT count(*)::int AS n
      FROM appointments a
      JOIN appointments b ON b.agent_id = a.agent_id AND a.id < b.id AND b.blocked && a.blocked
     WHERE a.status = 'booked' AND b.status = 'booked' AND a.agent_id IS NOT NULL AND b.agent_id IS NOT NULL
       ${tenantId ? sql`AND a.tenant_id = ${tenantId}` : sql``}`);
  return row.n;
}

/** A tenant for the bare baseline: one procedure and `agents` staff rows inserted directly (no schedule needed). */
async function bareTenant(db: TestDatabase, agents: number) {
  const tenant = await createTenant({ db: db.db, input: { slug: uniqueSlug('b'), name: 'Baseline', dir3Code: 'L01080001' } });
  const procedure = await saveProcedure({
    db: db.db,
    tenant,
    input: {
      code: 'tramit',
      name: { ca: 'Tràmit', es: 'Trámite', en: 'Procedure' },
      help: { ca: 'Ajuda', es: 'Ayuda', en: 'Help' },
      channels: ['video'],
      durationMinutes: 30,
    },
  });
  const rows = await db.rows<{ id: string }>(sql`
    INSERT INTO staff (tenant_id, email, full_name, password_hash, role, channels)
    SELECT ${tenant.id}, 'agent' || g || '@baseline.example', 'Agent ' || g, 'not-a-login', 'agent', ARRAY['video']::text[]
      FROM generate_series(1, ${agents}) g
    RETURNING id`);
  return { tenant, procedure, agentIds: rows.map((r) => r.id) };
}

const WITH_OUTBOX = `
  WITH a AS (
    INSERT INTO appointments (id, tenant_id, reference, procedure_id, channel, kind, starts_at, ends_at, blocked_until,
      agent_id, citizen_name, email, phone, tax_id, language, accessibility, privacy_accepted_at,
      access_code_hash, manage_token_hash, idempotency_key)
    VALUES ($1, $2, $3, $4, $5, 'slot', $6::timestamptz, $7::timestamptz, $8::timestamptz, $9, $10, $11, NULL, NULL, 'ca',
      $12::jsonb, now(), $13, $14, NULL)
    RETURNING id, tenant_id)
  INSERT INTO jobs (tenant_id, type, payload, max_attempts, run_at)
  SELECT tenant_id, 'email', $15::jsonb, 8, now() + interval '10 years' FROM a`;

const APPOINTMENT_ONLY = `
  INSERT INTO appointments (id, tenant_id, reference, procedure_id, channel, kind, starts_at, ends_at, blocked_until,
    agent_id, citizen_name, email, phone, tax_id, language, accessibility, privacy_accepted_at,
    access_code_hash, manage_token_hash, idempotency_key)
  VALUES ($1, $2, $3, $4, $5, 'slot', $6::timestamptz, $7::timestamptz, $8::timestamptz, $9, $10, $11, NULL, NULL, 'ca',
    $12::jsonb, now(), $13, $14, NULL)`;

/**
 * The bare baseline: CLIENTS concurrent callers on a pg.Pool (max POOL), each
 * inserting a booked appointment for a distinct agent/slot pair, for `durationMs`.
 */
async function runBare(pool: pg.Pool, db: TestDatabase, withOutbox: boolean, durationMs: number) {
  const { tenant, procedure, agentIds } = await bareTenant(db, AGENTS);
  const SLOTS = 2000; // 30-minute slots per agent: 100,000 distinct pairs, more than any round can use
  const base = Date.parse('2027-01-04T08:00:00Z');
  const text = withOutbox ? WITH_OUTBOX : APPOINTMENT_ONLY;
  const lat: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError = '';
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  const client = async () => {
    while (performance.now() < deadline && next < SLOTS * agentIds.length) {
      const i = next++;
      const start = base + (i % SLOTS) * 30 * 60_000;
      const agentId = agentIds[Math.floor(i / SLOTS)];
      const id = randomUUID();
      const accessCode = newAccessCode();
      const manageToken = newManageToken();
      const params: unknown[] = [
        id,
        tenant.id,
        `B${i.toString(36).toUpperCase().padStart(6, '0')}`,
        procedure.id,
        'video',
        new Date(start).toISOString(),
        new Date(start + 30 * 60_000).toISOString(),
        new Date(start + 30 * 60_000).toISOString(),
        agentId,
        'Núria Prats',
        `bare${i}@bench.example`,
        JSON.stringify({ needs: [] }),
        hashAccessCode(id, accessCode),
        sha256(manageToken),
      ];
      if (withOutbox) params.push(JSON.stringify({ template: 'booking_confirmed', appointmentId: id, accessCode, manageToken }));
      const s = performance.now();
      try {
        await pool.query(text, params);
        lat.push(performance.now() - s);
      } catch (e) {
        errors++;
        firstError ||= String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const elapsed = since(t0);
  if (errors) console.log(`    bare INSERT errors: ${errors} (first: ${firstError.slice(0, 200)})`);
  const doubles = await doubleBookings(db, tenant.id);
  if (doubles) console.log(`    !! bare baseline produced ${doubles} overlapping pairs`);
  return { rate: lat.length / (elapsed / 1000), p50: percentile(lat, 50), p99: percentile(lat, 99), n: lat.length };
}

/** Stops the outbox worker, parks what it has not processed yet (reported as lag), starts it again. */
async function resetOutbox(server: TestServer, db: TestDatabase): Promise<number> {
  await server.jobs?.stop();
  const rows = await db.rows<{ id: string }>(sql`UPDATE jobs SET status = 'held', last_error = 'bench: parked' WHERE status IN ('pending','running') AND run_at <= now() RETURNING id`);
  server.jobs?.start();
  return rows.length;
}

/** Drops the throw-away database if the hard time limit strikes. */
let emergencyCleanup: (() => Promise<void>) | undefined;

async function main() {
  const tStart = performance.now();
  const hard = setTimeout(() => {
    console.error(`booking-storm: hard time limit of ${HARD_LIMIT_MS / 1000} s reached, exiting`);
    void Promise.race([emergencyCleanup?.(), sleep(10_000)]).finally(() => process.exit(2));
  }, HARD_LIMIT_MS);
  hard.unref();

  console.log('# Booking storm (PostgreSQL)');
  console.log(await machineLine());
  console.log(
    `rounds ${ROUNDS}, ${CLIENTS} concurrent keep-alive HTTP clients for ${HTTP_MS / 1000} s per round, server pool ${POOL}, ` +
      `outbox worker ${WORKER}, ${AGENTS} agents per tenant, ${ORDER} slot order, bare baseline ${BARE_MS / 1000} s per variant`,
  );

  const db = await freshDatabase('postgres', POOL);
  let server: TestServer | undefined;
  const pool = new pg.Pool({ connectionString: db.url, max: POOL });
  pool.on('error', () => undefined);
  emergencyCleanup = async () => {
    await pool.end().catch(() => undefined);
    await db.drop().catch(() => undefined);
  };
  try {
    let t = performance.now();
    const tenants = [];
    for (let r = 0; r <= ROUNDS; r++) tenants.push(await smallTenant(db, { agents: AGENTS }));
    console.log(`setup: ${tenants.length} tenants × ${AGENTS} agents in ${fmt(since(t) / 1000)} s (index 0 is the warm-up)`);

    server = await startTestServer(db, { WORKER });

    // Warm-up: JIT, connection pools, caches.
    t = performance.now();
    const warm = await runHttpLoad(server, tenants[0].tenant.slug, await workList(server, tenants[0].tenant.slug), WARMUP_MS, 'warm');
    await resetOutbox(server, db);
    await runBare(pool, db, true, 1000);
    console.log(`warm-up: ${warm.ok} HTTP bookings, statuses ${JSON.stringify(warm.statuses)} (${fmt(since(t) / 1000)} s)`);
    if (warm.ok === 0) throw new Error(`warm-up booked nothing: ${warm.samples.join(' | ')}`);

    const rounds: RoundFigures[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const { tenant } = tenants[r];
      const starts = await workList(server, tenant.slug);
      await sleep(200);
      const cpu0 = cpuTimes();
      const node0 = process.cpuUsage();
      const elu0 = performance.eventLoopUtilization();
      const http = await runHttpLoad(server, tenant.slug, starts, HTTP_MS, `r${r}-`);
      const elu = performance.eventLoopUtilization(elu0).utilization;
      const nodeCpu = process.cpuUsage(node0);
      const cpu1 = cpuTimes();
      const backlog = await resetOutbox(server, db);
      const doubles = await doubleBookings(db, tenant.id);
      const [{ n: bookedInDb }] = await db.rows<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM appointments WHERE tenant_id = ${tenant.id} AND status = 'booked'`,
      );
      const taken = http.codes.slot_taken ?? 0;
      const otherErrors = http.sent - http.ok - taken;
      if (http.exhausted) console.log(`    note: the work list (${starts.length} slot units) ran out before the deadline`);
      if (otherErrors) console.log(`    other errors: ${JSON.stringify(http.codes)}; e.g. ${http.samples.join(' | ')}`);

      const bare = await runBare(pool, db, true, BARE_MS);
      const bareAppt = await runBare(pool, db, false, BARE_MS);

      const f: RoundFigures = {
        rate: http.ok / (http.elapsedMs / 1000),
        p50: percentile(http.latOk, 50),
        p99: percentile(http.latOk, 99),
        p50All: percentile(http.latAll, 50),
        p99All: percentile(http.latAll, 99),
        ok: http.ok,
        taken,
        otherErrors,
        doubles,
        bookedInDb,
        backlog,
        cpuBusy: busyFraction(cpu0, cpu1),
        serverElu: elu,
        nodeCpuMsPerBooking: (nodeCpu.user + nodeCpu.system) / 1000 / Math.max(1, http.ok),
        bareRate: bare.rate,
        bareP50: bare.p50,
        bareP99: bare.p99,
        bareApptRate: bareAppt.rate,
        bareApptP50: bareAppt.p50,
        bareApptP99: bareAppt.p99,
        ratio: http.ok / (http.elapsedMs / 1000) / bare.rate,
      };
      rounds.push(f);
      console.log(
        `round ${r}: HTTP ${fmtInt(f.rate)} bookings/s (${f.ok} in ${fmt(http.elapsedMs / 1000, 2)} s), p50 ${fmt(f.p50)} ms, p99 ${fmt(f.p99)} ms, ` +
          `409 slot_taken ${f.taken}, other errors ${f.otherErrors}, double bookings ${f.doubles}, booked rows ${f.bookedInDb}, ` +
          `outbox not yet processed ${f.backlog}, CPU busy ${fmt(f.cpuBusy * 100, 0)}%, server event loop ${fmt(f.serverElu * 100, 0)}% busy, node CPU ${fmt(f.nodeCpuMsPerBooking, 2)} ms/booking | ` +
          `bare INSERT+outbox ${fmtInt(f.bareRate)}/s (p50 ${fmt(f.bareP50)} ms, p99 ${fmt(f.bareP99)} ms), ` +
          `bare INSERT only ${fmtInt(f.bareApptRate)}/s (p50 ${fmt(f.bareApptP50)} ms, p99 ${fmt(f.bareApptP99)} ms) | ratio ${fmt(f.ratio, 2)}`,
      );
      if (f.bookedInDb !== f.ok) console.log(`    !! ${f.ok} answers 201 but ${f.bookedInDb} booked rows in the database`);
    }

    const totalDoubles = await doubleBookings(db);
    const m = (k: keyof RoundFigures) => median(rounds.map((x) => x[k]));
    const sum = (k: keyof RoundFigures) => rounds.reduce((a, x) => a + x[k], 0);
    const rate = m('rate');
    const p99 = m('p99');
    const ratio = m('ratio');
    console.log('');
    console.log('=== booking-storm summary (median of rounds) ===');
    console.log(`machine          ${await machineLine()}`);
    console.log(`setup            PostgreSQL, server pool ${POOL}, ${CLIENTS} keep-alive HTTP clients (worker thread), ${ROUNDS} rounds × ${HTTP_MS / 1000} s, ${AGENTS} agents, ${ORDER} slot order, outbox worker ${WORKER}`);
    console.log(`HTTP bookings/s  ${fmtInt(rate).padStart(8)}   goal ≥ ${fmtInt(GOAL_RATE)}   ${pass(rate >= GOAL_RATE)}   (rounds: ${rounds.map((x) => fmtInt(x.rate)).join(', ')})`);
    console.log(`p50 latency      ${fmt(m('p50')).padStart(8)} ms  (confirmed bookings; all answers: ${fmt(m('p50All'))} ms)`);
    console.log(`p99 latency      ${fmt(p99).padStart(8)} ms  goal < ${GOAL_P99} ms   ${pass(p99 < GOAL_P99)}   (rounds: ${rounds.map((x) => fmt(x.p99)).join(', ')}; all answers: ${fmt(m('p99All'))} ms)`);
    console.log(`409 slot_taken   ${fmtInt(sum('taken')).padStart(8)}   (total over rounds)`);
    console.log(`other errors     ${fmtInt(sum('otherErrors')).padStart(8)}   (total over rounds)`);
    console.log(`double bookings  ${fmtInt(totalDoubles).padStart(8)}   (whole database, must be 0)   ${pass(totalDoubles === 0)}`);
    console.log(`bare INSERT/s    ${fmtInt(m('bareRate')).padStart(8)}   (appointment + outbox job in one statement, as insertAppointmentWithEmail; p50 ${fmt(m('bareP50'))} ms, p99 ${fmt(m('bareP99'))} ms)`);
    console.log(`bare INSERT/s    ${fmtInt(m('bareApptRate')).padStart(8)}   (appointment row only, for reference; p50 ${fmt(m('bareApptP50'))} ms)`);
    console.log(`ratio            ${fmt(ratio, 2).padStart(8)}   HTTP ÷ bare INSERT+outbox   goal ≥ ${GOAL_RATIO}   ${pass(ratio >= GOAL_RATIO)}   (rounds: ${rounds.map((x) => fmt(x.ratio, 2)).join(', ')})`);
    console.log(`CPU              ${fmt(m('cpuBusy') * 100, 0).padStart(8)} % of all cores busy during HTTP rounds; server event loop ${fmt(m('serverElu') * 100, 0)} % busy; node process ${fmt(m('nodeCpuMsPerBooking'), 2)} ms CPU per booking (server + clients)`);
    console.log(`outbox lag       ${fmtInt(m('backlog')).padStart(8)}   email jobs still unprocessed at the end of a round`);
    console.log(`total run time   ${fmt(since(tStart) / 1000)} s`);
  } finally {
    await server?.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await db.drop().catch((e) => console.error('drop failed', e));
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
