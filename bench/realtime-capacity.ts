/**
 * Realtime capacity: how many idle call-room sockets one server process holds
 * and what each costs in memory, and how fast signaling crosses from one
 * server process to another through PostgreSQL.
 *
 *   npx tsx bench/realtime-capacity.ts        (npm run bench:realtime-capacity)
 *
 * 1. Idle sockets. One real server process (bench/lib/realtime-server.ts:
 *    startServer on PostgreSQL, LOG_LEVEL silent, run by tsx as `npm start`
 *    does) and BENCH_CLIENTS citizens waiting in the virtual queues of
 *    BENCH_TENANTS town halls, each with its own citizen pass (the rows
 *    joinQueue and issuePass write, inserted in bulk). A client process
 *    (bench/lib/idle-ws-clients.mjs) opens one room socket
 *    `/{slug}/room/{token}/live` per citizen, at most BENCH_CONNECT_CONCURRENCY
 *    handshakes in flight, each counted once its `hello` has arrived, then keeps
 *    them idle. Measured: time to connect them all and CPU per connection; the
 *    server's RSS (kernel VmRSS) before, at its peak (polled every 200 ms during
 *    the ramp and the 3 s after it) and at rest (once V8's memory reducer has
 *    returned the ramp's garbage, up to BENCH_REST_SECONDS later); JS heap per
 *    connection (after a forced GC); idle CPU. Goal: 10,000 sockets in
 *    < 300 MB RSS, judged on the peak (what a memory limit must allow).
 *    Baseline, same run, same client: a bare `ws` WebSocketServer in a child
 *    process (bench/lib/bare-ws-server.mjs) holding as many sockets; the ratio
 *    per connection is our overhead over the library itself.
 *
 * 2. Relay latency. Two server processes A and B on one database. BENCH_ROOMS
 *    attentions in progress (joinQueue + takeAttention, one agent each); each
 *    agent signs in on A (POST /{slug}/staff/login) and opens its staff room
 *    socket there; its citizen opens the room socket on B. The agents send
 *    `signal` messages to their citizens at BENCH_RATE messages/s in all:
 *    ~110-byte ICE candidates, and every BENCH_OFFER_EVERY-th message an SDP
 *    offer of 6–12 KB (split into NOTIFY parts by the relay) followed at once by
 *    4 candidates to the same peer (trickle ICE). Each message carries its
 *    sequence number; the one-way latency is measured on arrival (one process,
 *    one clock): p50/p95/p99/max, lost, duplicated, out of order within a room.
 *    Goal: p99 < 20 ms. The rate is spread over many rooms because a peer may
 *    send at most 300 messages per 10 s. For reference, the same traffic to a
 *    second citizen of each room connected to A itself (no database on the path).
 *    Baseline, same run: the same NOTIFY payloads (the relay's wire format,
 *    offers in the same parts) sent through a pg.Pool of the server's size and
 *    received by a LISTEN client, at the same rate: the bare database path.
 *    The three take turns in BENCH_SLICES slices each, so that load from other
 *    processes on the machine hits them alike; that load is measured and shown.
 *
 * Optional knobs (environment): BENCH_CLIENTS (10000), BENCH_TENANTS (20),
 * BENCH_PASSES (= BENCH_CLIENTS; fewer makes citizens share rooms),
 * BENCH_CONNECT_CONCURRENCY (200), BENCH_REST_SECONDS (40), BENCH_RATE (1000),
 * BENCH_RELAY_SECONDS (10), BENCH_LOCAL_SECONDS (5), BENCH_RAW_SECONDS (10),
 * BENCH_SLICES (5), BENCH_ROOMS (50), BENCH_OFFER_EVERY (250), BENCH_POOL (20,
 * server and baseline pool), BENCH_PHASES ("capacity,relay"), BENCH_CPU_PROF
 * (1: the server children write V8 CPU profiles to a temporary folder).
 *
 * Everything listens on 127.0.0.1; child processes are killed on exit, error or
 * at the hard time limit; the throw-away database is dropped. The server
 * processes, the clients and PostgreSQL share the machine's CPUs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { joinQueue } from '../server/modules/attention/join-queue.js';
import { takeAttention } from '../server/modules/attention/take-attention.js';
import { sha256 } from '../server/modules/booking/secrets.js';
import { freshDatabase, type TestDatabase } from '../test/support/databases.js';
import { smallTenant } from '../test/support/test-server.js';
import { busyFraction, cpuMsOfCommand, cpuMsOfPid, cpuTimes, openFilesLimit, rssOf, startChild, type Child } from './lib/child-processes.js';
import { BareNotify, LivePeer, LoadMeter, roomSlice } from './lib/relay-traffic.js';
import { SignalRun, type RunFigures } from './lib/signal-run.js';
import { envInt, fmt, fmtInt, machineLine, median, pass, since, sleep } from './lib/stats.js';

const CLIENTS_WANTED = envInt('BENCH_CLIENTS', 10_000);
const TENANTS = envInt('BENCH_TENANTS', 20);
/** Distinct citizen passes (rooms); fewer than the sockets makes citizens share rooms. */
const PASSES = envInt('BENCH_PASSES', CLIENTS_WANTED);
const CONCURRENCY = envInt('BENCH_CONNECT_CONCURRENCY', 200);
const RATE = envInt('BENCH_RATE', 1000);
const RELAY_MS = envInt('BENCH_RELAY_SECONDS', 10) * 1000;
const LOCAL_MS = envInt('BENCH_LOCAL_SECONDS', 5) * 1000;
const RAW_MS = envInt('BENCH_RAW_SECONDS', 10) * 1000;
/** The relay, bare and same-process runs take turns in this many slices each. */
const SLICES = envInt('BENCH_SLICES', 5);
/** A peer may send 300 messages per 10 s: keep every agent below ~250 at the chosen rate. */
const ROOMS = Math.max(envInt('BENCH_ROOMS', 50), Math.ceil((RATE * 10) / 250));
const OFFER_EVERY = envInt('BENCH_OFFER_EVERY', 250);
const POOL = envInt('BENCH_POOL', 20);
const PHASES = new Set((process.env.BENCH_PHASES ?? 'capacity,relay').split(',').map((s) => s.trim()));
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
const WARM_SOCKETS = 200;
const WARM_SIGNAL_MS = 1500;
const SETTLE_MS = 3000;
const REST_MS = envInt('BENCH_REST_SECONDS', 40) * 1000;
const HARD_LIMIT_MS = 175_000;

const GOAL_CLIENTS = 10_000;
const GOAL_RSS_MB = 300;
const GOAL_P99_MS = 20;

const MB = 1024 * 1024;
const PASSWORD = 'correct horse battery staple';
const profileDir = CPU_PROF ? mkdtempSync(path.join(os.tmpdir(), 'finestreta-realtime-prof-')) : '';

type Mem = { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; spaces?: Record<string, { size: number; used: number }> };
type Cpu = { cpuMs: number; elu: { idle: number; active: number } };
type CapacityFigures = {
  wanted: number;
  connected: number;
  failed: number;
  errors: Record<string, number>;
  connectMs: number;
  stillOpen: number;
  before: Mem;
  afterRaw: Mem;
  /** Un-forced, once V8's memory reducer has given back what the ramp's garbage made it commit (or at the time limit). */
  atRest: Mem | undefined;
  restMs: number;
  afterGc: Mem;
  peakRss: number;
  idleCpuPct: number;
  bytesPerConn: number;
  heapPerConn: number;
  /** CPU spent per connection while connecting (ms), and what other processes used meanwhile (% of a core). */
  connectLoad: { serverMsPerConn: number; postgresMsPerConn: number; clientsMsPerConn: number; otherPct: number };
};

function startServerChild(name: string, databaseUrl: string): Promise<Child> {
  // one folder per server; the main thread's profile is the largest file (the module loader thread writes its own)
  const prof = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, name)}`] : [];
  return startChild(name, [...prof, '--expose-gc', '--import', 'tsx'], 'bench/lib/realtime-server.ts', { BENCH_DATABASE_URL: databaseUrl, BENCH_POOL: String(POOL) });
}

const mem = (c: Child, gc: boolean) => c.ask<Mem>({ cmd: 'mem', gc });
const cpu = (c: Child) => c.ask<Cpu>({ cmd: 'cpu' });
const cpuBetween = (a: Cpu, b: Cpu, ms: number) => ({
  pctOfCore: ((b.cpuMs - a.cpuMs) / ms) * 100,
  elu: (b.elu.active - a.elu.active) / Math.max(1e-9, b.elu.active - a.elu.active + (b.elu.idle - a.elu.idle)),
});

/** Holds `n` idle sockets on `server` (socket i to urls[i % urls.length]) and measures what they cost it. */
async function holdIdle(server: Child, urls: string[], n: number, restLimitMs: number): Promise<CapacityFigures> {
  const clients = await startChild('clients', [], 'bench/lib/idle-ws-clients.mjs');
  try {
    type Connected = { connected: number; failed: number; ms: number; errors: Record<string, number> };
    const timeoutMs = 30_000;
    // Warm-up: JIT, pools, caches; then back to idle.
    const warm = await clients.request<Connected>({ cmd: 'connect', urls, n: WARM_SOCKETS, concurrency: CONCURRENCY, timeoutMs }, 'connected', 60_000);
    if (warm.connected === 0) throw new Error(`warm-up: no socket connected (${JSON.stringify(warm.errors)})`);
    await clients.request({ cmd: 'close' }, 'closed');
    await sleep(1500);
    const before = await mem(server, true);

    let peakRss = before.rss;
    const poll = setInterval(() => (peakRss = Math.max(peakRss, rssOf(server.pid) || 0)), 200);
    const l0 = { server: cpuMsOfPid(server.pid), clients: cpuMsOfPid(clients.pid), postgres: cpuMsOfCommand('postgres'), machine: cpuTimes() };
    const res = await clients.request<Connected>({ cmd: 'connect', urls, n, concurrency: CONCURRENCY, timeoutMs }, 'connected', 150_000);
    const l1 = { server: cpuMsOfPid(server.pid), clients: cpuMsOfPid(clients.pid), postgres: cpuMsOfCommand('postgres'), machine: cpuTimes() };
    const k = Math.max(1, res.connected);
    const connectLoad = {
      serverMsPerConn: (l1.server - l0.server) / k,
      postgresMsPerConn: (l1.postgres - l0.postgres) / k,
      clientsMsPerConn: (l1.clients - l0.clients) / k,
      otherPct: Math.max(0, busyFraction(l0.machine, l1.machine) * os.cpus().length * 100 - ((l1.server - l0.server + l1.postgres - l0.postgres + l1.clients - l0.clients) / res.ms) * 100),
    };
    const c0 = await cpu(server);
    await sleep(SETTLE_MS);
    const afterRaw = await mem(server, false);
    clearInterval(poll);
    peakRss = Math.max(peakRss, afterRaw.rss);
    // At rest: V8 shrinks its young generation when its memory reducer runs (a few seconds
    // of low allocation after a full GC) and releases the old-space pages the ramp's garbage needed.
    const r0 = performance.now();
    let atRest: Mem | undefined;
    while (restLimitMs > 0 && since(r0) < restLimitMs) {
      await sleep(1000);
      const m = await mem(server, false);
      if ((m.spaces?.new_space?.size ?? 0) <= 4 * MB) {
        atRest = m;
        break;
      }
    }
    const restMs = since(r0);
    if (restLimitMs > 0 && !atRest) atRest = await mem(server, false);
    // idle CPU over everything since the ramp ended (the settle and the rest)
    const c1 = await cpu(server);
    const idleMs = SETTLE_MS + restMs;
    const afterGc = await mem(server, true);
    const { open } = await clients.request<{ open: number }>({ cmd: 'count' }, 'count');
    await clients.request({ cmd: 'close' }, 'closed');
    return {
      connectLoad,
      wanted: n,
      connected: res.connected,
      failed: res.failed,
      errors: res.errors,
      connectMs: res.ms,
      stillOpen: open,
      before,
      afterRaw,
      atRest,
      restMs,
      afterGc,
      peakRss,
      idleCpuPct: cpuBetween(c0, c1, idleMs).pctOfCore,
      bytesPerConn: (afterGc.rss - before.rss) / k,
      heapPerConn: (afterGc.heapUsed - before.heapUsed) / k,
    };
  } finally {
    await clients.stop(2000);
  }
}

function printCapacity(label: string, f: CapacityFigures) {
  console.log(
    `${label}: ${fmtInt(f.connected)}/${fmtInt(f.wanted)} sockets in ${fmt(f.connectMs / 1000, 2)} s (${fmtInt(f.connected / (f.connectMs / 1000))}/s), ` +
      `${f.failed} failed${f.failed ? ` ${JSON.stringify(f.errors)}` : ''}, ${f.stillOpen} still open at the end | ` +
      `RSS before ${fmt(f.before.rss / MB)} MB → ${SETTLE_MS / 1000} s after the ramp ${fmt(f.afterRaw.rss / MB)} MB, peak ${fmt(f.peakRss / MB)} MB` +
      `${f.atRest ? `, at rest ${fmt(f.atRest.rss / MB)} MB (after ${fmt(f.restMs / 1000, 0)} s${(f.atRest.spaces?.new_space?.size ?? 0) > 4 * MB ? ', memory reducer not seen' : ''})` : ''}, after a forced GC ${fmt(f.afterGc.rss / MB)} MB | ` +
      `heap used ${fmt(f.before.heapUsed / MB)} → ${fmt(f.afterGc.heapUsed / MB)} MB (V8 heap committed ${fmt(f.before.heapTotal / MB)} → ${fmt(f.afterGc.heapTotal / MB)} MB, external ${fmt(f.before.external / MB)} → ${fmt(f.afterGc.external / MB)} MB) | per connection ${fmt(f.bytesPerConn / 1024, 1)} KB RSS, ${fmt(f.heapPerConn / 1024, 1)} KB heap | ` +
      `idle CPU ${fmt(f.idleCpuPct, 1)} % of a core | while connecting, CPU per connection: server ${fmt(f.connectLoad.serverMsPerConn, 2)} ms, ` +
      `PostgreSQL ${fmt(f.connectLoad.postgresMsPerConn, 2)} ms, clients ${fmt(f.connectLoad.clientsMsPerConn, 2)} ms; other processes ${fmt(f.connectLoad.otherPct, 0)} % of a core`,
  );
}

/**
 * Citizens waiting in the virtual queue of `TENANTS` town halls, one pass each: the rows joinQueue and
 * issuePass write (an attention `waiting`, a `citizen` pass of 12 h), inserted in bulk. Returns socket URLs' paths.
 */
async function waitingCitizens(db: TestDatabase, count: number): Promise<string[]> {
  const paths: string[] = [];
  const perTenant = Math.ceil(count / TENANTS);
  for (let t = 0; t < TENANTS && paths.length < count; t++) {
    const { tenant, procedure } = await smallTenant(db, { agents: 1 });
    const rows = Array.from({ length: Math.min(perTenant, count - paths.length) }, (_, i) => {
      const token = randomBytes(32).toString('base64url');
      paths.push(`/${tenant.slug}/room/${token}/live`);
      return { name: `Ciutadà ${i}`, email: `c${i}@bench.example`, hash: sha256(token) };
    });
    for (let i = 0; i < rows.length; i += 2000) {
      const json = JSON.stringify(rows.slice(i, i + 2000));
      await db.rows(sql`
        WITH x AS (SELECT * FROM jsonb_to_recordset(${json}::jsonb) AS x(name text, email text, hash text)),
             a AS (INSERT INTO attentions (tenant_id, procedure_id, channel, citizen_name, email, language)
                   SELECT ${tenant.id}, ${procedure.id}, 'video', x.name, x.email, 'ca' FROM x RETURNING id, email)
        INSERT INTO room_passes (token_hash, tenant_id, role, attention_id, expires_at)
        SELECT x.hash, ${tenant.id}, 'citizen', a.id, now() + interval '12 hours' FROM a JOIN x ON x.email = a.email`);
    }
  }
  return paths;
}

async function capacityPhase(db: TestDatabase) {
  const t = performance.now();
  const passes = Math.min(PASSES, CLIENTS_WANTED);
  const paths = await waitingCitizens(db, passes);
  console.log(`capacity setup: ${fmtInt(passes)} citizens waiting in the virtual queues of ${TENANTS} town halls, one pass each (${fmt(since(t) / 1000)} s)`);

  const limit = openFilesLimit();
  const n = Math.min(CLIENTS_WANTED, limit - 200);
  if (n < CLIENTS_WANTED) console.log(`    note: open-file limit ${limit}: ${n} sockets instead of ${CLIENTS_WANTED} (raise ulimit -n)`);

  const t1 = performance.now();
  const server = await startServerChild('capacity', db.url!);
  const base = (server.ready.url as string).replace(/^http/, 'ws');
  console.log(`server process up in ${fmt(since(t1) / 1000)} s, RSS ${fmt(rssOf(server.pid) / MB)} MB`);
  let ours: CapacityFigures;
  try {
    ours = await holdIdle(server, paths.map((p) => `${base}${p}`), n, REST_MS);
  } finally {
    await server.stop();
  }
  printCapacity('finestreta room sockets', ours);
  const spaces = (m: Mem) => Object.entries(m.spaces ?? {}).filter(([, v]) => v.size > MB).map(([k, v]) => `${k} ${fmt(v.used / MB)}/${fmt(v.size / MB)}`).join(', ');
  console.log(
    `    V8 heap spaces used/committed MB — before: ${spaces(ours.before)} | ${SETTLE_MS / 1000} s after the ramp: ${spaces(ours.afterRaw)}` +
      `${ours.atRest ? ` | at rest: ${spaces(ours.atRest)}` : ''} | forced GC: ${spaces(ours.afterGc)}`,
  );

  const bare = await startChild('bare-ws', ['--expose-gc'], 'bench/lib/bare-ws-server.mjs');
  let baseline: CapacityFigures;
  try {
    baseline = await holdIdle(bare, [(bare.ready.url as string).replace(/^http/, 'ws')], n, 0);
  } finally {
    await bare.stop();
  }
  printCapacity('bare ws baseline       ', baseline);
  return { ours, baseline };
}

function printRun(label: string, f: RunFigures) {
  const q = (x: RunFigures['all']) => `p50 ${fmt(x.p50, 2)} ms, p95 ${fmt(x.p95, 2)} ms, p99 ${fmt(x.p99, 2)} ms, max ${fmt(x.max, 1)} ms`;
  console.log(
    `${label}: ${fmtInt(f.sent)} sent in ${fmt(f.seconds, 2)} s (${fmtInt(f.sent / f.seconds)}/s), ${fmtInt(f.received)} received, lost ${f.lost}, duplicated ${f.duplicated}, ` +
      `out of order ${f.outOfOrder}, offers overtaken by their candidates ${f.offersOvertaken}/${f.offers} | all ${q(f.all)} | candidates ${q(f.candidates)} | offers ${q(f.large)}`,
  );
}

async function signIn(base: string, slug: string, email: string): Promise<string> {
  const res = await fetch(`${base}/${slug}/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password: PASSWORD }),
    redirect: 'manual',
  });
  const cookie = res.headers.get('set-cookie');
  if (!cookie) throw new Error(`sign-in failed: ${res.status}`);
  return cookie.split(';')[0];
}

async function relayPhase(db: TestDatabase) {
  let t = performance.now();
  const { tenant, agents } = await smallTenant(db, { agents: ROOMS });
  const deps = { database: db };
  const rooms: Array<{ attentionId: string; token: string; email: string }> = [];
  for (let i = 0; i < ROOMS; i++) {
    const q = await joinQueue(deps, { tenant, input: { procedure: 'tramit', channel: 'video', name: `Ciutadana ${i}`, email: `r${i}@bench.example`, language: 'ca', privacyAccepted: true, priority: [], accessibility: { needs: [] } } });
    await takeAttention(deps, { tenantId: tenant.id, agent: agents[i], attentionId: q.attention.id });
    rooms.push({ attentionId: q.attention.id, token: q.token, email: agents[i].email });
  }
  console.log(`relay setup: ${ROOMS} agents, ${ROOMS} attentions in progress (joinQueue + takeAttention) (${fmt(since(t) / 1000)} s)`);

  t = performance.now();
  const [a, b] = await Promise.all([startServerChild('relay-A', db.url!), startServerChild('relay-B', db.url!)]);
  const peers: LivePeer[] = [];
  let bare: BareNotify | undefined;
  try {
    const baseA = a.ready.url as string;
    const wsA = baseA.replace(/^http/, 'ws');
    const wsB = (b.ready.url as string).replace(/^http/, 'ws');
    const cookies: string[] = [];
    for (let i = 0; i < ROOMS; i += 5) cookies.push(...(await Promise.all(rooms.slice(i, i + 5).map((r) => signIn(baseA, tenant.slug, r.email)))));
    const agentPeers: LivePeer[] = [];
    const remote: LivePeer[] = [];
    const local: LivePeer[] = [];
    for (let i = 0; i < ROOMS; i++) {
      const r = rooms[i];
      const id = String(i).padStart(4, '0');
      const agent = await LivePeer.open(`${wsA}/${tenant.slug}/staff/attentions/${r.attentionId}/live`, `agent-${id}-bench`, { cookie: cookies[i] });
      peers.push(agent);
      agentPeers.push(agent);
      const citizenB = await LivePeer.open(`${wsB}/${tenant.slug}/room/${r.token}/live`, `citizenB-${id}`);
      peers.push(citizenB);
      remote.push(citizenB);
      // the relay at work: each hears of the other across processes (joined or present, whichever came first)
      await agent.next(['peer_joined', 'peer_present'], (m) => m.peer?.id === citizenB.id);
      await citizenB.next(['peer_joined', 'peer_present'], (m) => m.peer?.id === agent.id);
      const citizenA = await LivePeer.open(`${wsA}/${tenant.slug}/room/${r.token}/live`, `citizenA-${id}`);
      peers.push(citizenA);
      local.push(citizenA);
      await agent.next(['peer_joined'], (m) => m.peer?.id === citizenA.id);
    }
    bare = await BareNotify.open(db.url!, POOL);
    console.log(`relay rooms ready: servers A and B; ${ROOMS} agents signed in on A, each with its citizen on B and a second citizen on A (${fmt(since(t) / 1000)} s)`);

    const traffic = { rate: RATE, rooms: ROOMS, offerEvery: OFFER_EVERY };
    const runFor = (ms: number) => new SignalRun(Math.ceil((RATE * ms) / 1000) + 64 * SLICES, ROOMS);
    // warm-up of every path (JIT, pools)
    await roomSlice(runFor(WARM_SIGNAL_MS), agentPeers, remote, WARM_SIGNAL_MS, traffic);
    await roomSlice(runFor(WARM_SIGNAL_MS / 2), agentPeers, local, WARM_SIGNAL_MS / 2, traffic);
    await bare.slice(runFor(WARM_SIGNAL_MS), WARM_SIGNAL_MS, traffic);

    // The three paths take turns, so that a burst of load from elsewhere on the machine hits them alike.
    const relay = runFor(RELAY_MS);
    const same = runFor(LOCAL_MS);
    const raw = runFor(RAW_MS);
    const meter = new LoadMeter([a, b]);
    const slices: Array<{ relayP99: number; rawP99: number; other: number }> = [];
    for (let i = 0; i < SLICES; i++) {
      const r0 = relay.sent;
      let m = await meter.sample();
      await roomSlice(relay, agentPeers, remote, RELAY_MS / SLICES, traffic);
      const otherRelay = await meter.add('relay', m);
      const b0 = raw.sent;
      m = await meter.sample();
      await bare.slice(raw, RAW_MS / SLICES, traffic);
      await meter.add('bare', m);
      m = await meter.sample();
      await roomSlice(same, agentPeers, local, LOCAL_MS / SLICES, traffic);
      await meter.add('same', m);
      slices.push({ relayP99: relay.sliceP99(r0, relay.sent), rawP99: raw.sliceP99(b0, raw.sent), other: otherRelay });
    }
    const names = ['server A', 'server B'];
    const relayFig = relay.figures();
    const sameFig = same.figures();
    const rawFig = raw.figures();
    printRun('relay A → B (PostgreSQL NOTIFY)', relayFig);
    console.log(`    CPU: ${meter.figures('relay', names)!.text}`);
    printRun('same process (A → A)          ', sameFig);
    console.log(`    CPU: ${meter.figures('same', names)!.text}`);
    printRun('bare NOTIFY/LISTEN (pg)       ', rawFig);
    console.log(`    CPU: ${meter.figures('bare', names)!.text}`);
    console.log(`    per slice: relay p99 ${slices.map((x) => fmt(x.relayP99, 1)).join(', ')} ms | bare p99 ${slices.map((x) => fmt(x.rawP99, 1)).join(', ')} ms | other processes during the relay slices ${slices.map((x) => fmt(x.other, 0)).join(', ')} % of a core`);

    const closed = peers.filter((p) => p.closed);
    const errors = peers.reduce((n, p) => n + p.errors, 0);
    if (closed.length || errors) console.log(`    !! ${closed.length} room sockets closed by the server (${closed.slice(0, 3).map((p) => `${p.id}: ${p.closed!.code} ${p.closed!.reason}`).join('; ')}), ${errors} error frames`);
    return { relay: relayFig, sameProcess: sameFig, raw: rawFig, relayLoad: meter.figures('relay', names)!, slices, socketsClosed: closed.length, errors };
  } finally {
    for (const p of peers) p.ws.terminate();
    await bare?.close();
    await Promise.all([a.stop(), b.stop()]);
  }
}

/** Drops the throw-away database if the hard time limit strikes. */
let emergencyCleanup: (() => Promise<void>) | undefined;

async function main() {
  const tStart = performance.now();
  const hard = setTimeout(() => {
    console.error(`realtime-capacity: hard time limit of ${HARD_LIMIT_MS / 1000} s reached, exiting`);
    void Promise.race([emergencyCleanup?.(), sleep(10_000)]).finally(() => process.exit(2));
  }, HARD_LIMIT_MS);
  hard.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`realtime-capacity: ${signal}, cleaning up`);
      void Promise.race([emergencyCleanup?.(), sleep(10_000)]).finally(() => process.exit(130));
    });
  }

  console.log('# Realtime capacity (PostgreSQL)');
  console.log(await machineLine());
  console.log(
    `idle sockets: ${fmtInt(CLIENTS_WANTED)} over ${fmtInt(Math.min(PASSES, CLIENTS_WANTED))} citizen passes in ${TENANTS} town halls, ${CONCURRENCY} handshakes in flight | relay: ${fmtInt(RATE)} signal messages/s over ${ROOMS} rooms, ` +
      `${RELAY_MS / 1000} s cross-process, ${LOCAL_MS / 1000} s same process, ${RAW_MS / 1000} s bare NOTIFY, one 6–12 KB offer + 4 candidates every ${OFFER_EVERY} messages | server pool ${POOL} | phases ${[...PHASES].join(',')}`,
  );

  const db = await freshDatabase('postgres', 5);
  emergencyCleanup = () => db.drop();
  try {
    const cap = PHASES.has('capacity') ? await capacityPhase(db) : undefined;
    const rel = PHASES.has('relay') ? await relayPhase(db) : undefined;

    console.log('');
    console.log('=== realtime-capacity summary ===');
    console.log(`machine          ${await machineLine()}`);
    console.log(`setup            PostgreSQL, server pool ${POOL}, server children with LOG_LEVEL silent; clients in their own process; one machine for all`);
    if (cap) {
      const { ours, baseline } = cap;
      const atGoal = ours.connected >= GOAL_CLIENTS;
      const scale = (rss: number) => (atGoal ? rss : ours.before.rss + ((rss - ours.before.rss) * GOAL_CLIENTS) / Math.max(1, ours.connected));
      const label = atGoal ? `with ${fmtInt(ours.connected)} sockets` : `projected linearly to ${fmtInt(GOAL_CLIENTS)}`;
      const peak = scale(ours.peakRss);
      const rest = ours.atRest ? scale(ours.atRest.rss) : Number.NaN;
      const allUp = ours.connected === ours.wanted && ours.stillOpen === ours.connected;
      console.log(
        `idle sockets     ${fmtInt(ours.connected).padStart(8)} of ${fmtInt(ours.wanted)} connected in ${fmt(ours.connectMs / 1000, 1)} s (${fmtInt(ours.connected / (ours.connectMs / 1000))}/s), ${ours.failed} failed, ` +
          `${ours.connected - ours.stillOpen} dropped while idle   ${pass(allUp)}`,
      );
      console.log(
        `server RSS peak  ${fmt(peak / MB).padStart(8)} MB ${label} (ramp + ${SETTLE_MS / 1000} s, kernel VmRSS, no forced GC)   goal < ${GOAL_RSS_MB} MB at ${fmtInt(GOAL_CLIENTS)}   ${pass(allUp && peak < GOAL_RSS_MB * MB)}`,
      );
      console.log(
        `server RSS rest  ${fmt(rest / MB).padStart(8)} MB ${label}, ${fmt((SETTLE_MS + ours.restMs) / 1000, 0)} s after the ramp, ` +
          `${(ours.atRest?.spaces?.new_space?.size ?? 0) > 4 * MB ? 'V8 memory reducer not seen within the limit' : 'once V8 memory reducer had run'} ` +
          `(live JS heap ${fmt(ours.afterGc.heapUsed / MB)} MB; ${rest < GOAL_RSS_MB * MB ? 'within' : 'above'} the goal at rest)`,
      );
      console.log(`fixed RSS        ${fmt(ours.before.rss / MB).padStart(8)} MB before the ramp (server warmed up, no socket) | bare ws process ${fmt(baseline.before.rss / MB)} MB`);
      console.log(
        `per connection   ${fmt(ours.heapPerConn / 1024, 1).padStart(8)} KB JS heap (forced GC) | bare ws ${fmt(baseline.heapPerConn / 1024, 1)} KB | ratio ${fmt(ours.heapPerConn / baseline.heapPerConn, 2)}` +
          `   (RSS after − before, forced GC: ${fmt(ours.bytesPerConn / 1024, 1)} KB vs bare ${fmt(baseline.bytesPerConn / 1024, 1)} KB, ratio ${fmt(ours.bytesPerConn / baseline.bytesPerConn, 2)})`,
      );
      console.log(
        `connect rate     ${fmtInt(ours.connected / (ours.connectMs / 1000)).padStart(8)} /s; CPU per connection: server ${fmt(ours.connectLoad.serverMsPerConn, 2)} ms, PostgreSQL ${fmt(ours.connectLoad.postgresMsPerConn, 2)} ms ` +
          `(bare ws ${fmtInt(baseline.connected / (baseline.connectMs / 1000))}/s, ${fmt(baseline.connectLoad.serverMsPerConn, 2)} ms); other processes used ${fmt(ours.connectLoad.otherPct, 0)} % of a core meanwhile`,
      );
      console.log(`idle CPU         ${fmt(ours.idleCpuPct, 1).padStart(8)} % of a core holding ${fmtInt(ours.connected)} sockets after the ramp (server heartbeat and timers; bare ws ${fmt(baseline.idleCpuPct, 1)} %)`);
    }
    if (rel) {
      const { relay, sameProcess, raw } = rel;
      const clean = relay.lost === 0 && relay.duplicated === 0 && rel.socketsClosed === 0 && rel.errors === 0;
      console.log(
        `relay p99        ${fmt(relay.all.p99, 2).padStart(8)} ms  goal < ${GOAL_P99_MS} ms at ${fmtInt(RATE)} msg/s   ${pass(clean && relay.all.p99 < GOAL_P99_MS)}   ` +
          `(p50 ${fmt(relay.all.p50, 2)} ms, p95 ${fmt(relay.all.p95, 2)} ms, max ${fmt(relay.all.max, 1)} ms; ${fmtInt(relay.sent)} messages, ${fmtInt(relay.sent / relay.seconds)} msg/s achieved, in ${SLICES} slices)`,
      );
      console.log(`relay by kind    candidates p50 ${fmt(relay.candidates.p50, 2)} ms, p99 ${fmt(relay.candidates.p99, 2)} ms | offers (6–12 KB, ${relay.offers}) p50 ${fmt(relay.large.p50, 2)} ms, p99 ${fmt(relay.large.p99, 2)} ms, max ${fmt(relay.large.max, 1)} ms`);
      console.log(
        `relay order      lost ${relay.lost}, duplicated ${relay.duplicated}, out of order within a room ${relay.outOfOrder}, offers overtaken by their own trailing candidates ${relay.offersOvertaken} of ${relay.offers}   ${pass(relay.outOfOrder === 0)}` +
          `   (same process: ${sameProcess.outOfOrder} out of order, ${sameProcess.offersOvertaken} overtaken)`,
      );
      console.log(`same process     p50 ${fmt(sameProcess.all.p50, 2)} ms, p99 ${fmt(sameProcess.all.p99, 2)} ms, max ${fmt(sameProcess.all.max, 1)} ms (both peers on A: no database on the path)`);
      console.log(`bare NOTIFY      p50 ${fmt(raw.all.p50, 2)} ms, p99 ${fmt(raw.all.p99, 2)} ms, max ${fmt(raw.all.max, 1)} ms (same payloads and parts, pg.Pool(${POOL}) → LISTEN; lost ${raw.lost}, out of order ${raw.outOfOrder}, offers overtaken ${raw.offersOvertaken})`);
      const sliceRelay = median(rel.slices.map((x) => x.relayP99));
      const sliceRaw = median(rel.slices.map((x) => x.rawP99));
      console.log(
        `ratio            relay ÷ bare NOTIFY: p50 ${fmt(relay.all.p50 / raw.all.p50, 2)}, p99 ${fmt(relay.all.p99 / raw.all.p99, 2)}; ` +
          `median of the ${SLICES} slices' p99: relay ${fmt(sliceRelay, 2)} ms, bare ${fmt(sliceRaw, 2)} ms, ratio ${fmt(sliceRelay / sliceRaw, 2)}`,
      );
      console.log(`CPU (relay)      ${rel.relayLoad.text}`);
      if (rel.relayLoad.other > 50) console.log(`    note: other processes used ${fmt(rel.relayLoad.other, 0)} % of a core during the relay slices: latencies include waiting for a CPU (per slice: ${rel.slices.map((x) => `${fmt(x.relayP99, 1)} ms at ${fmt(x.other, 0)} %`).join(', ')})`);
    }
    if (CPU_PROF) console.log(`CPU profiles     ${profileDir} (open in Chrome DevTools or speedscope)`);
    console.log(`total run time   ${fmt(since(tStart) / 1000)} s`);
  } finally {
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
