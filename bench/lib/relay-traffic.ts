/**
 * The relay half of bench/realtime-capacity.ts: room sockets that hand signal
 * frames to the measured run, the bare NOTIFY/LISTEN path that the relay is
 * compared with, and CPU accounting per kind of run (servers, this process,
 * PostgreSQL, and whatever else the machine was doing meanwhile).
 */
import os from 'node:os';
import pg from 'pg';
import WebSocket from 'ws';
import { busyFraction, cpuMsOfCommand, cpuTimes, type Child } from './child-processes.js';
import { candidate, drain, offer, paced, tagOf, type SignalRun } from './signal-run.js';
import { fmt, sleep } from './stats.js';

export type Traffic = { rate: number; rooms: number; offerEvery: number };

/** A room socket of the bench: signal frames go to `onSignal`, everything else is kept for `next`. */
export class LivePeer {
  readonly messages: Array<Record<string, any>> = [];
  onSignal: ((m: Record<string, any>, at: number) => void) | undefined;
  closed: { code: number; reason: string } | undefined;
  errors = 0;
  private readonly opened: Promise<void>;

  /** The id the server gave (derived from who holds the socket and the proposed `?peer=`), from `hello`. */
  id = '';

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer) => {
      const at = performance.now();
      const m = JSON.parse(d.toString('utf8'));
      if (m.type === 'signal') this.onSignal?.(m, at);
      else {
        if (m.type === 'error') this.errors++;
        if (this.messages.length < 200) this.messages.push(m);
      }
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: String(reason) }));
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  }

  /** Opens `url` proposing `?peer=nonce` and waits for the server's hello. */
  static async open(url: string, nonce: string, headers: Record<string, string> = {}): Promise<LivePeer> {
    const p = new LivePeer(new WebSocket(`${url}${url.includes('?') ? '&' : '?'}peer=${nonce}`, { headers, perMessageDeflate: false }));
    p.id = nonce;
    await p.opened;
    p.id = (await p.next(['hello'])).you.id;
    return p;
  }

  /** The first kept message of one of `types` that satisfies `where`. */
  async next(types: string[], where: (m: Record<string, any>) => boolean = () => true, ms = 10_000): Promise<Record<string, any>> {
    const until = performance.now() + ms;
    for (;;) {
      const i = this.messages.findIndex((m) => types.includes(m.type) && where(m));
      if (i >= 0) return this.messages.splice(i, 1)[0];
      if (this.closed) throw new Error(`${this.id}: closed ${this.closed.code} ${this.closed.reason} while waiting for ${types.join('/')}`);
      if (performance.now() > until) throw new Error(`${this.id}: no ${types.join('/')}; got ${JSON.stringify(this.messages).slice(0, 300)}`);
      await sleep(10);
    }
  }
}

/** One slice of a run through the server: agents[room] sends `signal` to receivers[room]. */
export async function roomSlice(run: SignalRun, agents: LivePeer[], receivers: LivePeer[], ms: number, t: Traffic): Promise<void> {
  for (const r of receivers) r.onSignal = (m, at) => run.arrived(tagOf(m), at);
  await paced(run, { rate: t.rate, durationMs: ms, rooms: t.rooms, offerEvery: t.offerEvery }, (room, seq, tag, large) => {
    const to = receivers[room].id;
    const frame = JSON.stringify(large ? { type: 'signal', to, description: offer(tag, large.sdpBytes) } : { type: 'signal', to, candidate: candidate(tag) });
    run.stamp(seq);
    agents[room].ws.send(frame);
  });
  await drain(run, 3000);
  for (const r of receivers) r.onSignal = undefined;
}

/**
 * The bare database path: the payloads RoomRelay would send (its wire format;
 * offers in the same 1,750-character parts, one after the other) through a
 * pg.Pool, received by one LISTEN client that puts parts back together.
 */
export class BareNotify {
  private readonly channel = 'bench_raw_relay';
  private run: SignalRun | undefined;
  private readonly partial = new Map<string, { parts: string[]; got: number }>();
  private partId = 0;

  private constructor(
    private readonly listener: pg.Client,
    private readonly pool: pg.Pool,
  ) {
    listener.on('notification', (n) => {
      const at = performance.now();
      const w = JSON.parse(n.payload ?? '{}');
      let body: string | undefined = w.e;
      if (!body && w.p) {
        const [id, i, k] = w.p as [string, number, number];
        let entry = this.partial.get(id);
        if (!entry) this.partial.set(id, (entry = { parts: new Array(k), got: 0 }));
        entry.parts[i] = w.d;
        if (++entry.got < k) return;
        this.partial.delete(id);
        body = entry.parts.join('');
      }
      if (body) this.run?.arrived(tagOf(JSON.parse(body).msg), at);
    });
  }

  static async open(url: string, poolSize: number): Promise<BareNotify> {
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    const pool = new pg.Pool({ connectionString: url, max: poolSize });
    pool.on('error', () => undefined);
    const b = new BareNotify(listener, pool);
    await listener.query(`LISTEN ${b.channel}`);
    await Promise.all(Array.from({ length: poolSize }, () => pool.query('SELECT 1')));
    return b;
  }

  async slice(run: SignalRun, ms: number, t: Traffic): Promise<void> {
    this.run = run;
    const origin = 'b3nchb3nchb3';
    const tenantId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const notify = (payload: string) => this.pool.query('SELECT pg_notify($1, $2)', [this.channel, payload]);
    await paced(run, { rate: t.rate, durationMs: ms, rooms: t.rooms, offerEvery: t.offerEvery }, (room, seq, tag, large) => {
      const from = `agent-${String(room).padStart(4, '0')}-bench`;
      const msg = large ? { type: 'signal', from, description: offer(tag, large.sdpBytes) } : { type: 'signal', from, candidate: candidate(tag) };
      const roomId = `${(room + 1).toString(16).padStart(8, '0')}-7425-40de-944b-e07fc1f90ae7`;
      const body = JSON.stringify({ tenantId, room: roomId, from, to: `citizenB-${String(room).padStart(4, '0')}`, kind: 'msg', msg });
      run.stamp(seq);
      if (body.length <= 7000) {
        void notify(JSON.stringify({ o: origin, e: body }));
        return;
      }
      const id = `p${this.partId++}`;
      const step = 1750;
      const k = Math.ceil(body.length / step);
      void (async () => {
        for (let i = 0; i < k; i++) await notify(JSON.stringify({ o: origin, p: [id, i, k], d: body.slice(i * step, (i + 1) * step) }));
      })();
    });
    await drain(run, 3000);
    this.run = undefined;
  }

  async close(): Promise<void> {
    await this.listener.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}

type Cpu = { cpuMs: number; elu: { idle: number; active: number } };
type Sample = { at: number; servers: Cpu[]; bench: NodeJS.CpuUsage; postgres: number; machine: ReturnType<typeof cpuTimes> };
type Totals = { ms: number; servers: Array<{ cpuMs: number; active: number; idle: number }>; benchMs: number; postgresMs: number; busy: number; total: number };

/** Adds up, per kind of run, the CPU used by the server children, this process, PostgreSQL and the rest of the machine. */
export class LoadMeter {
  private readonly totals = new Map<string, Totals>();

  constructor(private readonly servers: Child[]) {}

  async sample(): Promise<Sample> {
    return {
      at: performance.now(),
      servers: await Promise.all(this.servers.map((s) => s.ask<Cpu>({ cmd: 'cpu' }))),
      bench: process.cpuUsage(),
      postgres: cpuMsOfCommand('postgres'),
      machine: cpuTimes(),
    };
  }

  /** Adds what happened since `a` to `kind`; returns what other processes used meanwhile (% of one core). */
  async add(kind: string, a: Sample): Promise<number> {
    const b = await this.sample();
    const t = this.totals.get(kind) ?? { ms: 0, servers: this.servers.map(() => ({ cpuMs: 0, active: 0, idle: 0 })), benchMs: 0, postgresMs: 0, busy: 0, total: 0 };
    t.ms += b.at - a.at;
    a.servers.forEach((x, i) => {
      t.servers[i].cpuMs += b.servers[i].cpuMs - x.cpuMs;
      t.servers[i].active += b.servers[i].elu.active - x.elu.active;
      t.servers[i].idle += b.servers[i].elu.idle - x.elu.idle;
    });
    t.benchMs += (b.bench.user - a.bench.user + b.bench.system - a.bench.system) / 1000;
    t.postgresMs += b.postgres - a.postgres;
    if (a.machine && b.machine) {
      t.busy += b.machine.busy - a.machine.busy;
      t.total += b.machine.total - a.machine.total;
    }
    this.totals.set(kind, t);
    if (!a.machine || !b.machine) return Number.NaN;
    const ms = b.at - a.at;
    const known = a.servers.reduce((n, x, i) => n + b.servers[i].cpuMs - x.cpuMs, 0) + (b.bench.user - a.bench.user + b.bench.system - a.bench.system) / 1000 + (b.postgres - a.postgres);
    return Math.max(0, busyFraction(a.machine, b.machine) * os.cpus().length * 100 - (known / ms) * 100);
  }

  /** Percentages of one core; `other` is what the machine did beyond this benchmark. */
  figures(kind: string, serverNames: string[]) {
    const t = this.totals.get(kind);
    if (!t) return undefined;
    const pct = (ms: number) => (ms / t.ms) * 100;
    const servers = t.servers.map((s, i) => ({ name: serverNames[i], pct: pct(s.cpuMs), elu: s.active / Math.max(1e-9, s.active + s.idle) }));
    const machine = busyFraction({ busy: 0, total: 0 }, { busy: t.busy, total: t.total }) * os.cpus().length * 100;
    const known = servers.reduce((n, s) => n + s.pct, 0) + pct(t.benchMs) + pct(t.postgresMs);
    const other = Math.max(0, machine - known);
    const text =
      servers.map((s) => `${s.name} ${fmt(s.pct, 0)} % (event loop ${fmt(s.elu * 100, 0)} % busy)`).join(', ') +
      `${servers.length ? ', ' : ''}bench process ${fmt(pct(t.benchMs), 0)} %, PostgreSQL ${fmt(pct(t.postgresMs), 0)} %, other processes ${fmt(other, 0)} % (% of one core; ${os.cpus().length} cores)`;
    return { other, text };
  }
}
