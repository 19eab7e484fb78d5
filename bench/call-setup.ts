/**
 * Call setup: from the agent's click on "Take" in the console to the first
 * decoded remote video frame on BOTH sides (agent console and citizen room
 * page), with headless Chromium on loopback, through the real pages, the real
 * server and the real room sockets.
 *
 *   npx tsx bench/call-setup.ts        (npm run bench:call-setup)
 *
 * Each round: a citizen gets a booked video appointment starting in 5 minutes
 * (inserted with SQL, as test/live-room.int.test.ts does) and a room pass;
 * opens /{slug}/room/{token} in a fresh browser context, passes the device
 * check and enters the waiting room. The agent, signed in once on
 * /{slug}/staff/console and available, clicks the citizen's "Take" button.
 * Every instant is taken inside the pages with Date.now() (both pages run on
 * this machine, one clock): t0 = the click event (a capturing listener
 * registered before the click), then the first decoded frame of the remote
 * <video> on each side = the first of requestVideoFrameCallback, `loadeddata`,
 * or videoWidth > 0 / totalVideoFrames > 0 (polled every 5 ms). The agent
 * then closes the attention through the console's closing form, and the next
 * round begins. The first round is a warm-up, not counted.
 *
 * Breakdown: hooks installed before the page scripts (fetch, WebSocket,
 * getUserMedia, RTCPeerConnection) stamp the take API answer, the room socket
 * open and `hello`, getUserMedia, the offer/answer, ICE and DTLS connected and
 * the remote tracks; their medians are printed relative to the click.
 *
 * Baseline, measured in the same run and interleaved with the rounds: a bare
 * RTCPeerConnection between two pages of two contexts of the same browser
 * (same flags, same permissions, same getUserMedia constraints as FinCall),
 * local media already acquired, signaling passed directly through
 * page.evaluate (trickle ICE, candidates queued until the remote description
 * is set): from createOffer to the first decoded frame on both sides.
 *
 * Goal (issue): median(take → frame on both sides) < 1 s. Also printed:
 * median(ours) / median(baseline).
 *
 * Optional knobs (environment): BENCH_ROUNDS (10), BENCH_ENTRY (appointment;
 * `queue` for a virtual-queue video entry), BENCH_DB (pglite; `postgres` uses
 * TEST_DATABASE_URL, inside the namespace by its Unix socket),
 * BENCH_ROUND_TIMEOUT_S (15), BENCH_NETNS (set to 0 to stay on the host
 * network), CHROMIUM_PATH (/usr/bin/chromium), BENCH_VERBOSE (1: every mark),
 * BENCH_AGENT_GUM_DELAY_MS (0; what-if: the agent's getUserMedia answers this
 * much later, as a real camera that is slow to open; the baseline is unchanged).
 *
 * Network: as root (and unless BENCH_NETNS=0) the script re-executes itself in
 * a network namespace that has only loopback (shared/STACK.md), like
 * scripts/test-all.sh does for the end-to-end tests, so media stays on `lo`.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { sql } from 'drizzle-orm';
import { joinQueue, queueEntryInput } from '../server/modules/attention/join-queue.js';
import { issuePass } from '../server/modules/attention/room-passes.js';
import type { Tenant } from '../server/modules/tenants/tenants.repository.js';
import { insertAppointment } from '../test/support/appointments.js';
import { freshDatabase, type TestDatabase } from '../test/support/databases.js';
import { seedTenant, startTestServer, uniqueSlug, type TestServer } from '../test/support/test-server.js';
import { envInt, fmt, machineLine, median, pass, percentile, sleep } from './lib/stats.js';

const ROUNDS = envInt('BENCH_ROUNDS', 10);
const ENTRY = process.env.BENCH_ENTRY === 'queue' ? 'queue' : 'appointment';
const DB_KIND = process.env.BENCH_DB === 'postgres' ? 'postgres' : 'pglite';
const ROUND_TIMEOUT_MS = envInt('BENCH_ROUND_TIMEOUT_S', 15) * 1000;
const VERBOSE = process.env.BENCH_VERBOSE === '1';
/** What-if: the agent's camera takes this long to open (the fake device opens in ~20 ms; real cameras often take 0.3–1 s). */
const AGENT_GUM_DELAY_MS = Number(process.env.BENCH_AGENT_GUM_DELAY_MS) > 0 ? Number(process.env.BENCH_AGENT_GUM_DELAY_MS) : 0;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Hard stop for the whole run, whatever happens (the outer process waits a little longer). */
const HARD_LIMIT_MS = 175_000;
const GOAL_MS = 1000;
const PASSWORD = 'correct horse battery staple';
const PROCEDURE = 'certificat-empadronament';

/** shared/STACK.md */
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--allow-loopback-in-peer-connection',
];

type Marks = Record<string, number>;
type Bench = { marks: Marks; reset(): void };
type W = Window & { __bench: Bench };

/**
 * Installed in every page before its own scripts: stamps (Date.now(), first
 * occurrence only) what the page can observe on the way from the click to the
 * first remote frame. Self-contained: it is serialised into the page.
 */
function instrument() {
  const B = { marks: {} as Record<string, number>, reset() { B.marks = {}; } };
  (window as unknown as { __bench: typeof B }).__bench = B;
  const mark = (k: string) => {
    if (!(k in B.marks)) B.marks[k] = Date.now();
  };

  // the click on a take button, before the console's own (bubbling) handler
  document.addEventListener(
    'click',
    (e) => {
      const t = e.target as Element | null;
      if (t && t.closest && t.closest('button[data-take], #take-next')) mark('click');
    },
    true,
  );

  const realFetch = window.fetch;
  window.fetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const p = realFetch.call(this, input, init);
    if (/\/attentions\/take/.test(url)) {
      mark('take_sent');
      p.then(() => mark('take_answered')).catch(() => undefined);
    } else if (/\/console\/api\/console/.test(url) && 'take_answered' in B.marks) {
      mark('console_reread');
    }
    return p;
  } as typeof fetch;

  const RealWS = window.WebSocket;
  class BenchWS extends RealWS {
    private readonly benchRoom: boolean;
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      const u = String(url);
      this.benchRoom = /\/live(\?|$)/.test(u) && !/\/staff\/live/.test(u);
      if (!this.benchRoom) return;
      mark('ws_created');
      this.addEventListener('open', () => mark('ws_open'));
      this.addEventListener('message', (ev: MessageEvent) => {
        try {
          const m = JSON.parse(String(ev.data));
          if (m.type === 'hello') mark('hello');
          else if (m.type === 'status') mark(`status_${m.status}`);
          else if (m.type === 'peer_joined') mark('peer_joined');
          else if (m.type === 'signal' && m.description) mark(`${m.description.type}_in`);
          else if (m.type === 'signal' && m.candidate) mark('candidate_in');
        } catch {
          /* not ours to judge */
        }
      });
    }
    send(data: string | ArrayBufferLike | Blob | ArrayBufferView) {
      if (this.benchRoom && typeof data === 'string') {
        try {
          const m = JSON.parse(data);
          if (m.type === 'signal' && m.description) mark(`${m.description.type}_out`);
          else if (m.type === 'signal' && m.candidate) mark('candidate_out');
          else if (m.type === 'connected') mark('connected_sent');
        } catch {
          /* idem */
        }
      }
      super.send(data);
    }
  }
  window.WebSocket = BenchWS as unknown as typeof WebSocket;

  try {
    const md = navigator.mediaDevices;
    if (md && md.getUserMedia) {
      const gum = md.getUserMedia.bind(md);
      md.getUserMedia = (c?: MediaStreamConstraints) => {
        mark('gum_start');
        // BENCH_AGENT_GUM_DELAY_MS: a camera that takes this long to open (real ones often do)
        const delay = Number((window as unknown as { __benchGumDelay?: number }).__benchGumDelay) || 0;
        const wait = delay > 0 ? new Promise((r) => setTimeout(r, delay)) : Promise.resolve();
        return wait.then(() => gum(c)).then((s) => {
          mark('gum_end');
          return s;
        });
      };
    }
  } catch {
    /* no media here */
  }

  const RealPC = window.RTCPeerConnection;
  if (RealPC) {
    class BenchPC extends RealPC {
      constructor(cfg?: RTCConfiguration) {
        super(cfg);
        mark('pc_created');
        this.addEventListener('icecandidate', (e) => mark((e as RTCPeerConnectionIceEvent).candidate ? 'first_local_candidate' : 'gathering_done'));
        this.addEventListener('iceconnectionstatechange', () => {
          const s = this.iceConnectionState;
          if (s === 'checking') mark('ice_checking');
          if (s === 'connected' || s === 'completed') mark('ice_connected');
        });
        this.addEventListener('connectionstatechange', () => {
          if (this.connectionState === 'connected') mark('dtls_connected');
        });
        this.addEventListener('track', (e) => mark(`track_${(e as RTCTrackEvent).track.kind}`));
      }
    }
    window.RTCPeerConnection = BenchPC as unknown as typeof RTCPeerConnection;
  }

  // the remote <video>: the FinCall tiles in #remote-videos, or the baseline's [data-bench-remote]
  const watch = (v: HTMLVideoElement) => {
    mark('remote_video');
    let done = false;
    const frame = (how: string) => {
      mark(`frame_${how}`);
      if (done) return;
      done = true;
      mark('frame');
    };
    const vv = v as HTMLVideoElement & { requestVideoFrameCallback?: (cb: () => void) => number };
    if (vv.requestVideoFrameCallback) vv.requestVideoFrameCallback(() => frame('rvfc'));
    v.addEventListener('loadeddata', () => frame('loadeddata'), { once: true });
    v.addEventListener('playing', () => mark('playing'), { once: true });
    const started = Date.now();
    const iv = setInterval(() => {
      const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : 0;
      if (v.videoWidth > 0 || q > 0) {
        frame('poll');
        clearInterval(iv);
      } else if (Date.now() - started > 60_000) clearInterval(iv);
    }, 5);
  };
  const desc = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject')!;
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    configurable: true,
    enumerable: desc.enumerable,
    get() {
      return desc.get!.call(this);
    },
    set(v: MediaProvider | null) {
      desc.set!.call(this, v);
      if (v && this instanceof HTMLVideoElement && this.closest('#remote-videos, [data-bench-remote]')) watch(this);
    },
  });
}

// ---------- helpers ----------

type Server = { server: TestServer; db: TestDatabase; tenant: Tenant; slug: string; tenantId: string; agentId: string; agentEmail: string; procedureId: string };

async function marksOf(page: Page): Promise<Marks> {
  return page.evaluate(() => ({ ...(window as unknown as W).__bench.marks }));
}

async function resetMarks(page: Page) {
  await page.evaluate(() => (window as unknown as W).__bench.reset());
}

async function newContext(browser: Browser, base: string, gumDelayMs = 0): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL: base, locale: 'en-GB', timezoneId: 'Europe/Madrid', permissions: ['camera', 'microphone'] });
  // tsx (esbuild, keepNames) wraps functions in `__name(…)`: give the pages that helper before any serialised function runs
  await ctx.addInitScript('globalThis.__name = globalThis.__name || function (f) { return f; };');
  if (gumDelayMs > 0) await ctx.addInitScript(`globalThis.__benchGumDelay = ${gumDelayMs};`);
  await ctx.addInitScript(instrument);
  return ctx;
}

/** Resolves when the page has stamped `key`, or rejects after `ms`. */
async function waitMark(page: Page, key: string, ms: number) {
  await page.waitForFunction((k) => k in (window as unknown as W).__bench.marks, key, { timeout: ms, polling: 50 });
}

/** A booked video appointment of the agent starting in 5 minutes, and the citizen's room pass. */
async function bookedVideo(s: Server, n: number): Promise<{ token: string; appointmentId: string }> {
  const startsAt = new Date(Math.ceil((Date.now() + 5 * 60_000) / 60_000) * 60_000);
  const { id } = await insertAppointment(s.db, {
    tenantId: s.tenantId,
    procedureId: s.procedureId,
    agentId: s.agentId,
    channel: 'video',
    startsAt,
    citizenName: `Citizen ${n}`,
    email: 'citizen@example.com',
    phone: null,
    language: 'en',
  });
  const token = await issuePass({ database: s.db }, { tenantId: s.tenantId, role: 'citizen', appointmentId: id, ttlMinutes: 180 });
  return { token, appointmentId: id };
}

/** The citizen: room page → device check → waiting room. Returns the attention id. */
async function citizenWaits(s: Server, page: Page, n: number): Promise<string> {
  let token: string;
  let attentionId: string | undefined;
  let appointmentId: string | undefined;
  if (ENTRY === 'queue') {
    const joined = await joinQueue(
      { database: s.db },
      {
        tenant: s.tenant,
        input: queueEntryInput.parse({ procedure: PROCEDURE, channel: 'video', name: `Citizen ${n}`, email: 'citizen@example.com', language: 'en', privacyAccepted: true }),
      },
    );
    token = joined.token;
    attentionId = joined.attention.id;
  } else {
    ({ token, appointmentId } = await bookedVideo(s, n));
  }
  await page.goto(`/${s.slug}/room/${token}?lang=en`);
  await page.click('#device-start');
  await page.waitForSelector('#device-ok:not([hidden])', { timeout: 10_000 });
  await page.click('#enter-button');
  await page.waitForSelector('#queue-position:not([hidden])', { timeout: 10_000 });
  if (!attentionId) {
    const [row] = await s.db.rows<{ id: string }>(sql`SELECT id FROM attentions WHERE tenant_id = ${s.tenantId} AND appointment_id = ${appointmentId!}`);
    attentionId = row.id;
  }
  return attentionId;
}

async function signIn(s: Server, page: Page) {
  await page.goto(`/${s.slug}/staff/login?lang=en`);
  await page.fill('input[name="email"]', s.agentEmail);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/staff/login')), page.press('input[name="password"]', 'Enter')]);
  await page.goto(`/${s.slug}/staff/console?lang=en`);
  await page.waitForSelector('#presence:not([disabled])');
  await page.selectOption('#presence', 'available');
  await page.waitForSelector('#my-state.state-available');
}

/** The agent closes the attention through the console's closing form and is back on the queue. */
async function closeFromConsole(agent: Page) {
  await agent.selectOption('#close-typology', { index: 1 });
  await agent.check('#close-outcome input[name="outcome"] >> nth=0');
  await agent.click('#close-form button[type="submit"]');
  await agent.waitForSelector('#queue-section:not([hidden])', { timeout: 10_000 });
  await agent.waitForSelector('#my-state.state-available', { timeout: 10_000 });
}

type Round = { agent: Marks; citizen: Marks; t0: number; agentFrame: number; citizenFrame: number; both: number; error?: string };

async function appRound(s: Server, browser: Browser, agent: Page, n: number): Promise<Round> {
  const ctx = await newContext(browser, s.server.base);
  const citizen = await ctx.newPage();
  try {
    const attentionId = await citizenWaits(s, citizen, n);
    const take = agent.locator(`button[data-take="${attentionId}"]`);
    await take.waitFor({ state: 'visible', timeout: 10_000 });
    await agent.waitForFunction((id) => !(document.querySelector(`button[data-take="${id}"]`) as HTMLButtonElement | null)?.disabled, attentionId, { timeout: 10_000 });
    await sleep(100); // let the console settle (its re-reads are debounced by 200 ms)
    await resetMarks(agent);
    await resetMarks(citizen);
    await take.click();
    let error: string | undefined;
    try {
      await Promise.all([waitMark(agent, 'frame', ROUND_TIMEOUT_MS), waitMark(citizen, 'frame', ROUND_TIMEOUT_MS)]);
    } catch (e) {
      error = `no remote frame within ${ROUND_TIMEOUT_MS / 1000} s`;
    }
    await sleep(150); // let late marks (the other frame detectors, `connected`) land, for the breakdown
    const a = await marksOf(agent);
    const c = await marksOf(citizen);
    const t0 = a.click;
    const agentFrame = a.frame !== undefined ? a.frame - t0 : Number.NaN;
    const citizenFrame = c.frame !== undefined ? c.frame - t0 : Number.NaN;
    if (error) {
      const snap = await Promise.all([
        agent.evaluate(() => ({ conn: document.getElementById('conn-state')?.textContent, err: document.getElementById('attention-error')?.textContent })),
        citizen.evaluate(() => ({ conn: document.getElementById('call-connection')?.textContent, err: document.getElementById('room-error-text')?.textContent })),
      ]);
      error += `; agent ${JSON.stringify(snap[0])}, citizen ${JSON.stringify(snap[1])}`;
    }
    await closeFromConsole(agent);
    return { agent: a, citizen: c, t0, agentFrame, citizenFrame, both: Math.max(agentFrame, citizenFrame), error };
  } finally {
    await ctx.close().catch(() => undefined);
  }
}

type BaseRound = { offerer: number; answerer: number; both: number; gum: number; offMarks: Marks; ansMarks: Marks };

/** Two pages, local media first, then offer → frames with signaling through page.evaluate. */
async function baselineRound(browser: Browser, base: string): Promise<BaseRound> {
  const ctxA = await newContext(browser, base);
  const ctxB = await newContext(browser, base);
  try {
    const blank = async (ctx: BrowserContext) => {
      // a page of the server's origin (a secure context on 127.0.0.1) that runs no script of ours
      await ctx.route(`${base}/__bench/blank`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><html lang="en"><title>baseline</title><div data-bench-remote></div>' }));
      const p = await ctx.newPage();
      await p.goto(`${base}/__bench/blank`);
      return p;
    };
    const [A, B] = await Promise.all([blank(ctxA), blank(ctxB)]);
    // candidates cross through Node: A's go to B and B's to A, queued there until the remote description is set
    await A.exposeFunction('__toB', (c: RTCIceCandidateInit) => B.evaluate((x) => (window as unknown as { __addRemote(c: unknown): void }).__addRemote(x), c).catch(() => undefined));
    await B.exposeFunction('__toA', (c: RTCIceCandidateInit) => A.evaluate((x) => (window as unknown as { __addRemote(c: unknown): void }).__addRemote(x), c).catch(() => undefined));
    const setup = (p: Page, send: string) =>
      p.evaluate(async (sendName) => {
        type G = Window & { __pc: RTCPeerConnection; __addRemote(c: RTCIceCandidateInit): void; __pending: RTCIceCandidateInit[] } & Record<string, unknown>;
        const w = window as unknown as G;
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: { ideal: 1280 }, height: { ideal: 720 } } });
        const pc = new RTCPeerConnection({ iceServers: [] });
        w.__pc = pc;
        w.__pending = [];
        w.__addRemote = (c) => {
          if (pc.remoteDescription) void pc.addIceCandidate(c).catch(() => undefined);
          else w.__pending.push(c);
        };
        pc.onicecandidate = (e) => {
          if (e.candidate) (w[sendName] as (c: RTCIceCandidateInit) => void)(e.candidate.toJSON());
        };
        const holder = document.querySelector('[data-bench-remote]')!;
        const remote = new MediaStream();
        pc.ontrack = (e) => {
          remote.addTrack(e.track);
          if (!holder.querySelector('video')) {
            const v = document.createElement('video');
            v.autoplay = true;
            v.playsInline = true;
            v.muted = true;
            holder.appendChild(v);
            v.srcObject = remote;
            void v.play().catch(() => undefined);
          }
        };
        stream.getTracks().forEach((t) => pc.addTrack(t, stream));
      }, send);
    await Promise.all([setup(A, '__toB'), setup(B, '__toA')]);
    const gum = (await marksOf(A)).gum_end - (await marksOf(A)).gum_start;
    await resetMarks(A);
    await resetMarks(B);
    const offer = await A.evaluate(async () => {
      const w = window as unknown as W & { __pc: RTCPeerConnection };
      w.__bench.marks.t0 = Date.now();
      const o = await w.__pc.createOffer();
      await w.__pc.setLocalDescription(o);
      w.__bench.marks.offer_out = Date.now();
      return w.__pc.localDescription!.toJSON();
    });
    const answer = await B.evaluate(async (o) => {
      const w = window as unknown as W & { __pc: RTCPeerConnection; __pending: RTCIceCandidateInit[] };
      w.__bench.marks.offer_in = Date.now();
      await w.__pc.setRemoteDescription(o);
      for (const c of w.__pending.splice(0)) await w.__pc.addIceCandidate(c).catch(() => undefined);
      await w.__pc.setLocalDescription(await w.__pc.createAnswer());
      w.__bench.marks.answer_out = Date.now();
      return w.__pc.localDescription!.toJSON();
    }, offer);
    await A.evaluate(async (a) => {
      const w = window as unknown as W & { __pc: RTCPeerConnection; __pending: RTCIceCandidateInit[] };
      w.__bench.marks.answer_in = Date.now();
      await w.__pc.setRemoteDescription(a);
      for (const c of w.__pending.splice(0)) await w.__pc.addIceCandidate(c).catch(() => undefined);
    }, answer);
    await Promise.all([waitMark(A, 'frame', ROUND_TIMEOUT_MS), waitMark(B, 'frame', ROUND_TIMEOUT_MS)]);
    await sleep(100);
    const a = await marksOf(A);
    const b = await marksOf(B);
    const offerer = a.frame - a.t0;
    const answerer = b.frame - a.t0;
    return { offerer, answerer, both: Math.max(offerer, answerer), gum, offMarks: a, ansMarks: b };
  } finally {
    await Promise.all([ctxA.close().catch(() => undefined), ctxB.close().catch(() => undefined)]);
  }
}

// ---------- report ----------

const q = (xs: number[]) => {
  const ok = xs.filter(Number.isFinite);
  return { p50: median(ok), p90: percentile(ok, 90), min: ok.length ? Math.min(...ok) : Number.NaN, max: ok.length ? Math.max(...ok) : Number.NaN, n: ok.length };
};
const ms = (x: number) => (Number.isFinite(x) ? `${fmt(x, 0)} ms` : '—');

/** Median over the rounds of each mark, relative to the click, in the order they happen. */
function breakdown(rounds: Round[], side: 'agent' | 'citizen', keys: string[]): string[] {
  const lines: string[] = [];
  const rows = keys
    .map((k) => ({ k, xs: rounds.map((r) => (r[side][k] !== undefined ? r[side][k] - r.t0 : Number.NaN)).filter(Number.isFinite) }))
    .filter((r) => r.xs.length > 0)
    .map((r) => ({ ...r, p50: median(r.xs), p90: percentile(r.xs, 90) }))
    .sort((a, b) => a.p50 - b.p50);
  for (const r of rows) lines.push(`    ${r.k.padEnd(22)} ${fmt(r.p50, 0).padStart(6)} ms  (p90 ${fmt(r.p90, 0)} ms${r.xs.length < rounds.length ? `, in ${r.xs.length}/${rounds.length} rounds` : ''})`);
  return lines;
}

const AGENT_KEYS = [
  'take_sent', 'take_answered', 'ws_created', 'ws_open', 'hello', 'gum_start', 'gum_end', 'pc_created', 'offer_in', 'answer_out', 'candidate_in',
  'first_local_candidate', 'ice_checking', 'ice_connected', 'dtls_connected', 'connected_sent', 'track_audio', 'track_video', 'remote_video', 'playing',
  'frame_poll', 'frame_loadeddata', 'frame_rvfc', 'frame', 'console_reread',
];
const CITIZEN_KEYS = [
  'status_in_progress', 'peer_joined', 'pc_created', 'offer_out', 'first_local_candidate', 'candidate_out', 'answer_in', 'candidate_in', 'ice_checking',
  'ice_connected', 'dtls_connected', 'track_audio', 'track_video', 'remote_video', 'playing', 'frame_poll', 'frame_loadeddata', 'frame_rvfc', 'frame',
];
const BASE_KEYS = ['offer_out', 'offer_in', 'answer_out', 'answer_in', 'pc_created', 'first_local_candidate', 'ice_checking', 'ice_connected', 'dtls_connected', 'track_video', 'remote_video', 'frame_poll', 'frame_loadeddata', 'frame_rvfc', 'frame'];

// ---------- main ----------

let emergencyCleanup: (() => Promise<void>) | undefined;

async function main() {
  const tStart = performance.now();
  const hard = setTimeout(() => {
    console.error(`call-setup: hard time limit of ${HARD_LIMIT_MS / 1000} s reached, exiting`);
    void Promise.race([emergencyCleanup?.(), sleep(5_000)]).finally(() => process.exit(2));
  }, HARD_LIMIT_MS);
  hard.unref();

  console.log('# Call setup: take → first remote frame on both sides (headless Chromium, loopback)');
  console.log(await machineLine());
  const netns = process.env.BENCH_NETNS === 'inside' ? 'loopback-only network namespace' : 'host network';
  console.log(`rounds ${ROUNDS} (+1 warm-up), entry ${ENTRY}, database ${DB_KIND}, ${netns}, Chromium ${CHROMIUM}${AGENT_GUM_DELAY_MS ? `, agent camera opens ${AGENT_GUM_DELAY_MS} ms late (what-if)` : ''}`);

  let t = performance.now();
  const db = await freshDatabase(DB_KIND);
  const slug = uniqueSlug('call');
  const seeded = await seedTenant(db, slug);
  const server = await startTestServer(db);
  const agentEmail = `agent1@${slug}.example`;
  const [agentRow] = await db.rows<{ id: string }>(sql`SELECT id FROM staff WHERE tenant_id = ${seeded.tenant.id} AND email = ${agentEmail}`);
  const [proc] = await db.rows<{ id: string }>(sql`SELECT id FROM procedures WHERE tenant_id = ${seeded.tenant.id} AND code = ${PROCEDURE}`);
  const s: Server = { server, db, tenant: seeded.tenant, slug, tenantId: seeded.tenant.id, agentId: agentRow.id, agentEmail, procedureId: proc.id };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  emergencyCleanup = async () => {
    await browser.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    await db.drop().catch(() => undefined);
  };
  let exitCode = 0;
  try {
    const agentCtx = await newContext(browser, server.base, AGENT_GUM_DELAY_MS);
    const agent = await agentCtx.newPage();
    await signIn(s, agent);
    console.log(`setup: database, tenant, server, browser, agent signed in and available in ${fmt((performance.now() - t) / 1000)} s (browser ${browser.version()})`);

    const rounds: Round[] = [];
    const bases: BaseRound[] = [];
    for (let r = 0; r <= ROUNDS; r++) {
      if (performance.now() - tStart > HARD_LIMIT_MS - 25_000) {
        console.log(`  stopping after ${rounds.length} rounds: close to the time limit`);
        break;
      }
      t = performance.now();
      const round = await appRound(s, browser, agent, r);
      const b = await baselineRound(browser, server.base).catch((e) => {
        console.log(`  baseline round ${r} failed: ${String(e).split('\n')[0]}`);
        return undefined;
      });
      const label = r === 0 ? 'warm-up' : `round ${String(r).padStart(2)}`;
      console.log(
        `  ${label}: take → agent frame ${ms(round.agentFrame)}, → citizen frame ${ms(round.citizenFrame)}, both ${ms(round.both)}` +
          ` | take API ${ms(round.agent.take_answered - round.t0)}, ICE connected ${ms(round.agent.ice_connected - round.t0)}` +
          (b ? ` | baseline both ${ms(b.both)}` : '') +
          ` (${fmt((performance.now() - t) / 1000)} s)` +
          (round.error ? `\n    !! ${round.error}` : ''),
      );
      if (VERBOSE) {
        const rel = (m: Marks) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v - round.t0]).sort((x, y) => (x[1] as number) - (y[1] as number)));
        console.log(`    agent ${JSON.stringify(rel(round.agent))}\n    citizen ${JSON.stringify(rel(round.citizen))}`);
      }
      if (r === 0) continue;
      rounds.push(round);
      if (b) bases.push(b);
    }
    await agentCtx.close();

    const agentQ = q(rounds.map((r) => r.agentFrame));
    const citizenQ = q(rounds.map((r) => r.citizenFrame));
    const bothQ = q(rounds.map((r) => r.both));
    const baseBoth = q(bases.map((b) => b.both));
    const failed = rounds.filter((r) => !Number.isFinite(r.both)).length;
    console.log('');
    console.log(`take → first decoded remote frame (${rounds.length} rounds${failed ? `, ${failed} without a frame` : ''}):`);
    console.log(`  agent side    median ${ms(agentQ.p50)}, p90 ${ms(agentQ.p90)}, min ${ms(agentQ.min)}, max ${ms(agentQ.max)}`);
    console.log(`  citizen side  median ${ms(citizenQ.p50)}, p90 ${ms(citizenQ.p90)}, min ${ms(citizenQ.min)}, max ${ms(citizenQ.max)}`);
    console.log(`  both sides    median ${ms(bothQ.p50)}, p90 ${ms(bothQ.p90)}, min ${ms(bothQ.min)}, max ${ms(bothQ.max)}`);
    console.log('breakdown, agent page (median ms after the click):');
    for (const l of breakdown(rounds, 'agent', AGENT_KEYS)) console.log(l);
    console.log('breakdown, citizen page (median ms after the click):');
    for (const l of breakdown(rounds, 'citizen', CITIZEN_KEYS)) console.log(l);

    console.log(`baseline: bare RTCPeerConnection, signaling through page.evaluate, createOffer → first frame (${bases.length} rounds):`);
    console.log(`  offerer side  median ${ms(q(bases.map((b) => b.offerer)).p50)}; answerer side median ${ms(q(bases.map((b) => b.answerer)).p50)}`);
    console.log(`  both sides    median ${ms(baseBoth.p50)}, p90 ${ms(baseBoth.p90)}, min ${ms(baseBoth.min)}, max ${ms(baseBoth.max)}`);
    console.log(`  (getUserMedia in a fresh page, not counted: median ${ms(median(bases.map((b) => b.gum)))})`);
    const baseRounds: Round[] = bases.map((b) => ({ agent: b.offMarks, citizen: b.ansMarks, t0: b.offMarks.t0, agentFrame: 0, citizenFrame: 0, both: 0 }));
    console.log('  breakdown, offerer (median ms after createOffer):');
    for (const l of breakdown(baseRounds, 'agent', BASE_KEYS)) console.log(`  ${l}`);
    console.log('  breakdown, answerer:');
    for (const l of breakdown(baseRounds, 'citizen', BASE_KEYS)) console.log(`  ${l}`);

    const ratio = bothQ.p50 / baseBoth.p50;
    console.log('');
    const ok = Number.isFinite(bothQ.p50) && bothQ.p50 < GOAL_MS && failed === 0;
    console.log(`goal: median take → frame on both sides < ${GOAL_MS} ms: ${ms(bothQ.p50)} ${pass(ok)}${failed ? ` (${failed} rounds without a frame)` : ''}`);
    console.log(`ratio median(ours) / median(baseline) = ${fmt(ratio, 2)} (${ms(bothQ.p50)} / ${ms(baseBoth.p50)})`);
    console.log(
      `machine: bench=call-setup rounds=${rounds.length} entry=${ENTRY} db=${DB_KIND} netns=${process.env.BENCH_NETNS === 'inside' ? 1 : 0} agent_gum_delay_ms=${AGENT_GUM_DELAY_MS} ` +
        `agent_p50_ms=${fmt(agentQ.p50, 0)} citizen_p50_ms=${fmt(citizenQ.p50, 0)} both_p50_ms=${fmt(bothQ.p50, 0)} both_p90_ms=${fmt(bothQ.p90, 0)} ` +
        `baseline_p50_ms=${fmt(baseBoth.p50, 0)} ratio=${fmt(ratio, 2)} failed=${failed} goal=${ok ? 'PASS' : 'FAIL'}`,
    );
    console.log(`total ${fmt((performance.now() - tStart) / 1000)} s`);
    if (!ok) exitCode = 1;
  } finally {
    await emergencyCleanup();
    emergencyCleanup = undefined;
  }
  return exitCode;
}

/** As root, run again inside a network namespace that has only loopback (shared/STACK.md). */
async function reexecInNamespace(): Promise<number | undefined> {
  if (process.env.BENCH_NETNS === 'inside' || process.env.BENCH_NETNS === '0' || process.env.E2E_NETNS === '1') return undefined;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_NETNS: 'inside' };
  // PostgreSQL is reached through its Unix socket in there
  if (DB_KIND === 'postgres' && !process.env.TEST_DATABASE_URL) env.TEST_DATABASE_URL = 'postgres://postgres@localhost/test?host=/var/run/postgresql';
  const probe = spawn('unshare', ['-n', 'true'], { stdio: 'ignore' });
  const usable = await new Promise<boolean>((res) => {
    probe.on('error', () => res(false));
    probe.on('exit', (code) => res(code === 0));
  });
  if (!usable) {
    console.log('(unshare -n not usable: running on the host network)');
    return undefined;
  }
  const child = spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  const guard = setTimeout(() => {
    console.error('call-setup: the run in the namespace did not stop in time; killing it');
    child.kill('SIGKILL');
  }, HARD_LIMIT_MS + 15_000);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  return new Promise<number>((res) => {
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      res(code ?? (signal ? 2 : 1));
    });
    child.on('error', () => {
      clearTimeout(guard);
      res(2);
    });
  });
}

const outer = await reexecInNamespace();
if (outer !== undefined) process.exit(outer);
main().then(
  (code) => process.exit(code),
  async (e) => {
    console.error(e);
    await Promise.race([emergencyCleanup?.(), sleep(5_000)]);
    process.exit(2);
  },
);
