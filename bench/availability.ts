/**
 * Availability: 30 days of free slots for a tenant with 100 agents, 50
 * procedures and 20,000 booked appointments. Goal: p50 < 10 ms.
 *
 *   npx tsx bench/availability.ts        (npm run bench:availability)
 *
 * Optional knobs (environment): BENCH_KINDS ("postgres,pglite"), BENCH_ROUNDS (3),
 * BENCH_ITERATIONS (200, warm findFreeSlots calls per round; each measurement is
 * also capped in time so that the whole run stays under about two minutes).
 *
 * Data: every agent works Mon–Fri 08–20 on video and phone (every second one on
 * callback too) and attends every procedure (the worst case: all 100 agents are
 * eligible for every query). Every procedure offers video. The 20,000
 * appointments are 200 per agent on a per-agent grid of 45-minute cells over
 * the working days from tomorrow to 30 days ahead (no overlap by construction).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { sql, type SQL } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Channel } from '../shared/domain.js';
import type { Database } from '../server/db/client.js';
import { listProcedures, type Procedure } from '../server/modules/catalogue/catalogue.repository.js';
import { CalendarCache, eligibleStaff } from '../server/modules/scheduling/calendar-cache.js';
import { findFreeSlots } from '../server/modules/scheduling/find-free-slots.js';
import { listBusyRanges } from '../server/modules/scheduling/scheduling.repository.js';
import { bookingWindow, freeSlots, type AgentCalendar } from '../server/modules/scheduling/slot-rules.js';
import { hashPassword } from '../server/modules/staff/passwords.js';
import { createTenant } from '../server/modules/tenants/create-tenant.js';
import type { Tenant } from '../server/modules/tenants/tenants.repository.js';
import { freshDatabase, type DatabaseKind, type TestDatabase } from '../test/support/databases.js';
import { startTestServer, uniqueSlug } from '../test/support/test-server.js';
import { envInt, fmt, fmtInt, machineLine, median, pass, percentile, prng, since } from './lib/stats.js';

const KINDS = (process.env.BENCH_KINDS ?? 'postgres,pglite').split(',').map((k) => k.trim()) as DatabaseKind[];
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const ITERATIONS = envInt('BENCH_ITERATIONS', 200);
const AGENTS = 100;
const PROCEDURES = 50;
const APPOINTMENTS = 20_000;
const DAYS = 30;
const CELL_MINUTES = 45;
const GOAL_P50 = 10;
/**
 * Time caps per measurement and round (ms), per database kind: a call takes tens
 * of milliseconds here, so 200 iterations of everything would not fit in two
 * minutes; each measurement stops at its cap (after at least MIN_ITER calls).
 */
const CAPS: Record<DatabaseKind, Record<'warm' | 'cold' | 'busy' | 'bare' | 'compute' | 'http', number>> = {
  postgres: { warm: 5000, cold: 1500, busy: 1500, bare: 1200, compute: 800, http: 3000 },
  pglite: { warm: 2000, cold: 1000, busy: 1000, bare: 800, compute: 500, http: 1500 },
};
const MIN_ITER = 8;
const HARD_LIMIT_MS = 170_000;

type Pair = { procedure: Procedure; channel: Channel };
type Samples = { ms: number[]; slots: number[] };
type KindResult = {
  kind: DatabaseKind;
  setupMs: number;
  rounds: Array<Record<'warm' | 'cold' | 'busy' | 'bare' | 'compute' | 'http', Samples>>;
};

/** Runs `fn` up to `maxIter` times or until `maxMs` has passed (at least `minIter` times). */
async function measure(fn: (i: number) => Promise<number>, maxIter: number, maxMs: number, minIter = MIN_ITER): Promise<Samples> {
  const out: Samples = { ms: [], slots: [] };
  const t0 = performance.now();
  for (let i = 0; i < maxIter; i++) {
    if (i >= minIter && since(t0) > maxMs) break;
    const s = performance.now();
    const n = await fn(i);
    out.ms.push(performance.now() - s);
    out.slots.push(n);
  }
  return out;
}

/** Inserts rows given as JSON objects through jsonb_to_recordset, in chunks (works on PGlite and PostgreSQL alike). */
async function bulk(database: Database, rows: object[], insert: (json: string) => SQL, chunk = 2000) {
  for (let i = 0; i < rows.length; i += chunk) await database.rows(insert(JSON.stringify(rows.slice(i, i + chunk))));
}

async function buildData(database: Database) {
  const rnd = prng(20_000);
  const tenant = await createTenant({ db: database.db, input: { slug: uniqueSlug('av'), name: 'Ajuntament Gran', dir3Code: 'L01080001' } });
  const tz = tenant.timeZone;

  // 50 procedures, 15–45 minutes; duration + buffer never exceeds the 45-minute cell.
  const durations = [15, 20, 25, 30, 35, 40, 45];
  const extra: Channel[][] = [['phone'], ['callback'], ['phone', 'callback'], []];
  const procRows = Array.from({ length: PROCEDURES }, (_, i) => {
    const duration = durations[i % durations.length];
    return {
      code: `p${String(i + 1).padStart(2, '0')}`,
      name: { ca: `Tràmit ${i + 1}`, es: `Trámite ${i + 1}`, en: `Procedure ${i + 1}` },
      help: { ca: 'Ajuda', es: 'Ayuda', en: 'Help' },
      channels: ['video', ...extra[i % extra.length]],
      duration,
      buffer: i % 3 === 0 && duration <= 40 ? 5 : 0,
      position: i,
    };
  });
  await bulk(database, procRows, (json) => sql`
    INSERT INTO procedures (tenant_id, code, name, help, channels, duration_minutes, buffer_minutes, min_notice_minutes, horizon_days, documents, position)
    SELECT ${tenant.id}, x.code, x.name, x.help, ARRAY(SELECT jsonb_array_elements_text(x.channels)), x.duration, x.buffer, 60, ${DAYS}, '[]'::jsonb, x.position
      FROM jsonb_to_recordset(${json}::jsonb) AS x(code text, name jsonb, help jsonb, channels jsonb, duration int, buffer int, position int)`);
  const procedures = await listProcedures(database.db, tenant.id, { activeOnly: true });

  // 100 agents with one precomputed password hash, schedules Mon–Fri 08–20.
  const passwordHash = await hashPassword('correct horse battery staple');
  const agentRows = await database.rows<{ id: string }>(sql`
    INSERT INTO staff (tenant_id, email, full_name, password_hash, role, channels)
    SELECT ${tenant.id}, 'agent' || g || '@gran.example', 'Agent ' || g, ${passwordHash}, 'agent',
           CASE WHEN g % 2 = 0 THEN ARRAY['video','phone','callback']::text[] ELSE ARRAY['video','phone']::text[] END
      FROM generate_series(1, ${AGENTS}) g
    RETURNING id`);
  const agents = agentRows.map((r) => r.id).sort();
  await database.rows(sql`
    INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts_at, ends_at)
    SELECT ${tenant.id}, s.id, w, '08:00', '20:00' FROM staff s, generate_series(1, 5) w WHERE s.tenant_id = ${tenant.id}`);

  // Cells: 45-minute steps from 08:00 on every working day from tomorrow to 30 days ahead.
  const today = DateTime.now().setZone(tz).startOf('day');
  const cells: number[] = [];
  for (let d = 1; d <= DAYS; d++) {
    const day = today.plus({ days: d });
    if (day.weekday > 5) continue;
    for (let m = 8 * 60; m + CELL_MINUTES <= 20 * 60; m += CELL_MINUTES) {
      cells.push(day.set({ hour: Math.floor(m / 60), minute: m % 60 }).toMillis());
    }
  }
  const perAgent = APPOINTMENTS / AGENTS;
  if (cells.length < perAgent) throw new Error(`only ${cells.length} cells per agent for ${perAgent} appointments`);
  const appts: object[] = [];
  for (const agentId of agents) {
    const pool = [...cells];
    for (let k = 0; k < perAgent; k++) {
      const j = k + Math.floor(rnd() * (pool.length - k));
      [pool[k], pool[j]] = [pool[j], pool[k]];
      const p = procedures[Math.floor(rnd() * procedures.length)];
      const start = pool[k];
      const n = appts.length;
      appts.push({
        ref: `A${n.toString(36).toUpperCase().padStart(5, '0')}`,
        procedure: p.id,
        channel: p.channels[Math.floor(rnd() * p.channels.length)],
        s: new Date(start).toISOString(),
        e: new Date(start + p.durationMinutes * 60_000).toISOString(),
        b: new Date(start + (p.durationMinutes + p.bufferMinutes) * 60_000).toISOString(),
        agent: agentId,
        email: `citizen${n}@example.com`,
        access: randomBytes(32).toString('hex'),
        manage: randomBytes(32).toString('hex'),
      });
    }
  }
  await bulk(database, appts, (json) => sql`
    INSERT INTO appointments (tenant_id, reference, procedure_id, channel, kind, starts_at, ends_at, blocked_until, agent_id,
      citizen_name, email, language, accessibility, privacy_accepted_at, access_code_hash, manage_token_hash)
    SELECT ${tenant.id}, x.ref, x.procedure, x.channel, 'slot', x.s, x.e, x.b, x.agent,
           'Ciutadà', x.email, 'ca', '{"needs":[]}'::jsonb, now(), x.access, x.manage
      FROM jsonb_to_recordset(${json}::jsonb) AS x(ref text, procedure uuid, channel text, s timestamptz, e timestamptz, b timestamptz,
           agent uuid, email text, access text, manage text)`);
  await database.rows(sql`ANALYZE`);
  const [{ n }] = await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM appointments WHERE tenant_id = ${tenant.id} AND status = 'booked'`);
  if (n !== APPOINTMENTS) throw new Error(`expected ${APPOINTMENTS} appointments, found ${n}`);
  return { tenant, procedures };
}

/** The same sequence of random procedure/channel pairs in every round. */
function pairs(procedures: Procedure[], n: number): Pair[] {
  const rnd = prng(42);
  return Array.from({ length: n }, () => {
    const procedure = procedures[Math.floor(rnd() * procedures.length)];
    return { procedure, channel: procedure.channels[Math.floor(rnd() * procedure.channels.length)] };
  });
}

/** The arguments findFreeSlots passes to listBusyRanges (same computation as in find-free-slots.ts). */
async function busyArgs(calendars: CalendarCache, tenant: Tenant, pair: Pair, now: number) {
  const calendar = await calendars.get(tenant);
  const agents = eligibleStaff(calendar, pair.procedure.id, pair.channel);
  const first = DateTime.fromMillis(now, { zone: tenant.timeZone }).startOf('day');
  const { latest } = bookingWindow(pair.procedure, now);
  const windowEnd = Math.min(first.plus({ days: DAYS }).toMillis(), latest + pair.procedure.durationMinutes * 60_000);
  return { calendar, agents, from: first.toMillis(), to: windowEnd, fromDay: first.toISODate()! };
}

const BUSY_SQL = (ids: string[]) => `
    SELECT agent_id AS a,
           (extract(epoch FROM starts_at) * 1000)::float8 AS s,
           (extract(epoch FROM blocked_until) * 1000)::float8 AS e
      FROM appointments
     WHERE tenant_id = $1
       AND status = 'booked'
       AND agent_id = ANY('{${ids.join(',')}}'::uuid[])
       AND starts_at < $2::timestamptz
       AND blocked_until > $3::timestamptz
     ORDER BY starts_at`;

function httpGet(agent: http.Agent, base: string, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path, method: 'GET', agent, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Drops the throw-away database if the hard time limit strikes. */
let emergencyCleanup: (() => Promise<void>) | undefined;

async function benchKind(kind: DatabaseKind, deadline: number): Promise<KindResult> {
  const t0 = performance.now();
  const db: TestDatabase = await freshDatabase(kind, 10);
  emergencyCleanup = () => db.drop();
  try {
    const { tenant, procedures } = await buildData(db);
    const setupMs = since(t0);
    console.log(`${kind}: data built in ${fmt(setupMs / 1000)} s (${PROCEDURES} procedures, ${AGENTS} agents, ${fmtInt(APPOINTMENTS)} appointments)`);
    const seq = pairs(procedures, Math.max(ITERATIONS, 400));
    const client = (db.db as unknown as { $client: { query(text: string, params: unknown[]): Promise<{ rows: unknown[] }> } }).$client;
    const server = await startTestServer(db, { WORKER: 'false' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const result: KindResult = { kind, setupMs, rounds: [] };
    const CAP = CAPS[kind];
    try {
      // Warm-up: JIT and connections.
      const warmCache = new CalendarCache(db, 3_600_000);
      for (let i = 0; i < (kind === 'pglite' ? 3 : 8); i++) {
        const { procedure, channel } = seq[i];
        await findFreeSlots({ calendars: warmCache, tenant, procedure, channel, now: Date.now(), days: DAYS });
        await httpGet(agent, server.base, `/api/v1/tenants/${tenant.slug}/procedures/${procedure.code}/slots?channel=video&days=${DAYS}`);
      }
      // Inputs for the "rules only" measurement: the first 12 pairs with their busy ranges.
      const prepared: Array<{ pair: Pair; a: Awaited<ReturnType<typeof busyArgs>>; agents: AgentCalendar[] }> = [];
      for (const pair of seq.slice(0, 12)) {
        const a = await busyArgs(warmCache, tenant, pair, Date.now());
        const b = await listBusyRanges(db, tenant.id, a.from, a.to);
        prepared.push({ pair, a, agents: a.agents.map((x) => ({ id: x.id, schedule: x.schedule, busy: b.get(x.id) ?? [] })) });
      }
      let lastRoundMs = 0;
      for (let r = 1; r <= ROUNDS; r++) {
        // Always at least two rounds; more only while the time budget allows a round like the last one.
        if (r > 2 && performance.now() + lastRoundMs > deadline) {
          console.log(`${kind}: time budget used up, stopping after ${r - 1} rounds`);
          break;
        }
        const roundStart = performance.now();
        // Warm: one CalendarCache that never expires during the round.
        const calendars = new CalendarCache(db, 3_600_000);
        await calendars.get(tenant);
        const warm = await measure(async (i) => {
          const { procedure, channel } = seq[i];
          return (await findFreeSlots({ calendars, tenant, procedure, channel, now: Date.now(), days: DAYS })).length;
        }, ITERATIONS, CAP.warm);
        // Cold: a new CalendarCache each call (tenant calendar read from the database every time).
        const cold = await measure(async (i) => {
          const { procedure, channel } = seq[i];
          const fresh = new CalendarCache(db);
          return (await findFreeSlots({ calendars: fresh, tenant, procedure, channel, now: Date.now(), days: DAYS })).length;
        }, 50, CAP.cold);
        // Baseline: the busy-range query alone, same arguments as findFreeSlots.
        const busy = await measure(async (i) => {
          const a = await busyArgs(calendars, tenant, seq[i], Date.now());
          const m = await listBusyRanges(db, tenant.id, a.from, a.to);
          let n = 0;
          for (const v of m.values()) n += v.length;
          return n;
        }, ITERATIONS, CAP.busy);
        const bare = await measure(async (i) => {
          const a = await busyArgs(calendars, tenant, seq[i], Date.now());
          const res = await client.query(BUSY_SQL(a.agents.map((x) => x.id)), [tenant.id, new Date(a.to).toISOString(), new Date(a.from).toISOString()]);
          return res.rows.length;
        }, ITERATIONS, CAP.bare);
        // The pure rules alone (no I/O), on busy ranges fetched before the rounds.
        const compute = await measure(async (i) => {
          const { pair, a, agents } = prepared[i % prepared.length];
          return freeSlots(a.calendar.rules, pair.procedure, agents, { now: Date.now(), fromDay: a.fromDay, days: DAYS }).length;
        }, 100, CAP.compute);
        // Through HTTP, with the server's own CalendarCache (5-second TTL, as in production).
        const httpS = await measure(async (i) => {
          const { procedure } = seq[i];
          const res = await httpGet(agent, server.base, `/api/v1/tenants/${tenant.slug}/procedures/${procedure.code}/slots?channel=video&days=${DAYS}`);
          if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
          return (JSON.parse(res.body) as unknown[]).length;
        }, ITERATIONS, CAP.http);
        result.rounds.push({ warm, cold, busy, bare, compute, http: httpS });
        lastRoundMs = since(roundStart);
        const p = (s: Samples, q: number) => fmt(percentile(s.ms, q), 2);
        console.log(
          `${kind} round ${r}: findFreeSlots warm p50 ${p(warm, 50)} / p95 ${p(warm, 95)} / p99 ${p(warm, 99)} ms (n=${warm.ms.length}, median ${fmtInt(median(warm.slots))} slots) | ` +
            `cold p50 ${p(cold, 50)} ms (n=${cold.ms.length}) | listBusyRanges p50 ${p(busy, 50)} ms (median ${fmtInt(median(busy.slots))} busy ranges, n=${busy.ms.length}) | ` +
            `bare driver p50 ${p(bare, 50)} ms | rules only p50 ${p(compute, 50)} ms | HTTP p50 ${p(httpS, 50)} / p95 ${p(httpS, 95)} ms (n=${httpS.ms.length})`,
        );
      }
    } finally {
      agent.destroy();
      await server.close();
    }
    return result;
  } finally {
    await db.drop().catch((e) => console.error('drop failed', e));
  }
}

async function main() {
  const tStart = performance.now();
  const hard = setTimeout(() => {
    console.error(`availability: hard time limit of ${HARD_LIMIT_MS / 1000} s reached, exiting`);
    void Promise.race([emergencyCleanup?.(), new Promise((r) => setTimeout(r, 10_000))]).finally(() => process.exit(2));
  }, HARD_LIMIT_MS);
  hard.unref();
  console.log('# Availability: 30 days of free slots');
  console.log(await machineLine());
  console.log(
    `${AGENTS} agents (all eligible), ${PROCEDURES} procedures (15–45 min, video + others), ${fmtInt(APPOINTMENTS)} booked appointments over ${DAYS} days; ` +
      `${ROUNDS} rounds, up to ${ITERATIONS} warm calls per round on random procedure/channel pairs, days=${DAYS}`,
  );
  const results: KindResult[] = [];
  // A share of the remaining budget for each kind, so that one slow kind cannot starve the next.
  for (let k = 0; k < KINDS.length; k++) {
    const budget = (100_000 - since(tStart)) / (KINDS.length - k);
    results.push(await benchKind(KINDS[k], performance.now() + budget));
  }

  console.log('');
  console.log('=== availability summary (median over rounds of each round’s percentile) ===');
  console.log(`machine   ${await machineLine()}`);
  for (const r of results) {
    const med = (k: keyof KindResult['rounds'][number], q: number) => median(r.rounds.map((x) => percentile(x[k].ms, q)));
    const n = (k: keyof KindResult['rounds'][number]) => r.rounds.reduce((a, x) => a + x[k].ms.length, 0);
    const slots = r.rounds.flatMap((x) => x.warm.slots);
    const warm50 = med('warm', 50);
    console.log(`-- ${r.kind} (data built in ${fmt(r.setupMs / 1000)} s, ${r.rounds.length} rounds)`);
    console.log(`findFreeSlots warm    p50 ${fmt(warm50, 2).padStart(7)} ms  p95 ${fmt(med('warm', 95), 2).padStart(7)} ms  p99 ${fmt(med('warm', 99), 2).padStart(7)} ms  (${n('warm')} calls)  goal p50 < ${GOAL_P50} ms  ${pass(warm50 < GOAL_P50)}`);
    console.log(`findFreeSlots cold    p50 ${fmt(med('cold', 50), 2).padStart(7)} ms  p95 ${fmt(med('cold', 95), 2).padStart(7)} ms  p99 ${fmt(med('cold', 99), 2).padStart(7)} ms  (${n('cold')} calls, new CalendarCache each call)`);
    console.log(`slots returned        median ${fmtInt(median(slots))}, min ${fmtInt(Math.min(...slots))}, max ${fmtInt(Math.max(...slots))} per call`);
    console.log(`listBusyRanges        p50 ${fmt(med('busy', 50), 2).padStart(7)} ms  p95 ${fmt(med('busy', 95), 2).padStart(7)} ms  (baseline: the busy-range query alone, via the app's Database; ${fmtInt(median(r.rounds.flatMap((x) => x.busy.slots)))} ranges)`);
    console.log(`busy query, bare      p50 ${fmt(med('bare', 50), 2).padStart(7)} ms  p95 ${fmt(med('bare', 95), 2).padStart(7)} ms  (same SQL text through the bare driver client)`);
    console.log(`rules only (no I/O)   p50 ${fmt(med('compute', 50), 2).padStart(7)} ms  p95 ${fmt(med('compute', 95), 2).padStart(7)} ms  (freeSlots() on prefetched busy ranges)`);
    console.log(`ratio                 findFreeSlots warm p50 ÷ listBusyRanges p50 = ${fmt(warm50 / med('busy', 50), 2)}; ÷ bare query p50 = ${fmt(warm50 / med('bare', 50), 2)}`);
    console.log(`HTTP GET slots        p50 ${fmt(med('http', 50), 2).padStart(7)} ms  p95 ${fmt(med('http', 95), 2).padStart(7)} ms  (${n('http')} sequential requests, /procedures/:code/slots?channel=video&days=30)`);
  }
  console.log(`total run time ${fmt(since(tStart) / 1000)} s`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
