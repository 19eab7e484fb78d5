/**
 * Signaling traffic for bench/realtime-capacity.ts: realistic ICE candidates
 * and SDP offers that carry their own sequence number, a paced sender, and the
 * bookkeeping of one measured run (one-way latency, lost, duplicated and
 * out-of-order messages). Sender and receiver live in the same process, so one
 * clock (performance.now) timestamps both ends.
 */
import { percentile, sleep } from './stats.js';

/** Sequence numbers are `run * RUN_SPAN + seq`, so that a straggler of an earlier run is never counted in a later one. */
const RUN_SPAN = 10_000_000;
/** Candidates sent right behind each offer, to the same peer (trickle ICE). */
export const TRICKLE = 4;
/** SDP sizes of the offers, in turn (bytes); 6–12 KB, so the relay has to split them into NOTIFY parts. */
export const SDP_SIZES = [6_000, 8_000, 10_000, 12_000];

/** An ICE candidate (~110 characters) whose foundation is the sequence number. */
export function candidate(tag: number) {
  return {
    candidate: `candidate:${tag} 1 udp 1685987071 203.0.113.${tag % 250} ${50_000 + (tag % 10_000)} typ srflx raddr 192.168.1.23 rport 54321 generation 0 ufrag Xy7k network-id 1`,
    sdpMid: '0',
    sdpMLineIndex: 0,
  };
}

/** An SDP offer of about `bytes` bytes (audio, video, screen share) whose origin session id is the sequence number. */
export function offer(tag: number, bytes: number) {
  const head = [
    'v=0',
    `o=- ${tag} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1 2',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS 3b1e4c0a-5d0e-4b8e-9a51-2f7c2e0d9a11',
  ];
  const media = [
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 102 103 104 105 106 107 108 109 127 125 39 40 45 46 98 99',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=ice-ufrag:Xy7k',
    'a=ice-pwd:q8yV1mZ2pL0c3nR5tW7xB9dF',
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 4A:1F:9C:33:0B:7E:52:AD:19:64:E2:8F:03:D1:7A:B4:6C:25:90:EE:41:3B:D8:07:5A:C6:12:F9:8E:2D:73:B0',
    'a=setup:actpass',
    'a=rtcp-mux',
    'a=rtcp-rsize',
    'a=rtpmap:96 VP8/90000',
    'a=rtcp-fb:96 goog-remb',
    'a=rtcp-fb:96 transport-cc',
    'a=rtcp-fb:96 ccm fir',
    'a=rtcp-fb:96 nack',
    'a=rtcp-fb:96 nack pli',
    'a=rtpmap:97 rtx/90000',
    'a=fmtp:97 apt=96',
    'a=rtpmap:98 VP9/90000',
    'a=fmtp:98 profile-id=0',
    'a=rtpmap:102 H264/90000',
    'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
    'a=ssrc-group:FID 2718281828 3141592653',
    'a=ssrc:2718281828 cname:Zm9vYmFyYmF6cXV4',
    'a=ssrc:2718281828 msid:3b1e4c0a-5d0e-4b8e-9a51-2f7c2e0d9a11 8c1f6a2e-0b4d-4e3a-9f27-6d5c1b0a9e88',
  ];
  const lines = [...head];
  let size = lines.join('\r\n').length;
  for (let mid = 0; size < bytes; mid++) {
    for (const l of [...media, `a=mid:${mid}`]) {
      lines.push(l);
      size += l.length + 2;
      if (size >= bytes) break;
    }
  }
  return { type: 'offer' as const, sdp: `${lines.join('\r\n')}\r\n` };
}

const CANDIDATE_TAG = /candidate:(\d+) /;
const OFFER_TAG = /\no=- (\d+) /;

/** The tag carried by a signal message's candidate or description; NaN when there is none. */
export function tagOf(m: { candidate?: { candidate?: string } | null; description?: { sdp?: string } }): number {
  const s = m.candidate?.candidate ?? m.description?.sdp;
  const r = s ? (m.candidate ? CANDIDATE_TAG : OFFER_TAG).exec(s) : null;
  return r ? Number(r[1]) : Number.NaN;
}

export type RunFigures = {
  sent: number;
  received: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** Offers that arrived after one of the candidates sent right behind them. */
  offersOvertaken: number;
  offers: number;
  stale: number;
  seconds: number;
  all: { p50: number; p95: number; p99: number; max: number };
  candidates: { p50: number; p95: number; p99: number; max: number };
  large: { p50: number; p95: number; p99: number; max: number };
};

const quantiles = (xs: number[]) => ({ p50: percentile(xs, 50), p95: percentile(xs, 95), p99: percentile(xs, 99), max: xs.length ? Math.max(...xs) : Number.NaN });

/** One measured run: what was sent when, what arrived when. */
export class SignalRun {
  private static nextRun = 1;
  readonly run = SignalRun.nextRun++;
  private readonly sentAt: Float64Array;
  private readonly recvAt: Float64Array;
  private readonly room: Int32Array;
  private readonly isOffer: Uint8Array;
  private readonly maxSeen: Int32Array;
  private n = 0;
  private received = 0;
  private duplicated = 0;
  private outOfOrder = 0;
  stale = 0;
  private t0 = 0;
  private activeMs = 0;

  constructor(capacity: number, rooms: number) {
    this.sentAt = new Float64Array(capacity);
    this.recvAt = new Float64Array(capacity);
    this.room = new Int32Array(capacity);
    this.isOffer = new Uint8Array(capacity);
    this.maxSeen = new Int32Array(rooms).fill(-1);
  }

  get sent(): number {
    return this.n;
  }

  get capacity(): number {
    return this.sentAt.length;
  }

  /** Reserves the next sequence number for a message to `room`; returns its tag. */
  next(room: number, large: boolean): { seq: number; tag: number } {
    const seq = this.n++;
    this.room[seq] = room;
    this.isOffer[seq] = large ? 1 : 0;
    return { seq, tag: this.run * RUN_SPAN + seq };
  }

  /** The moment the message left (just before the socket or driver call). */
  stamp(seq: number) {
    this.sentAt[seq] = performance.now();
  }

  arrived(tag: number, at: number) {
    if (!Number.isFinite(tag) || Math.floor(tag / RUN_SPAN) !== this.run) {
      this.stale++;
      return;
    }
    const seq = tag % RUN_SPAN;
    if (seq >= this.n) {
      this.stale++;
      return;
    }
    if (this.recvAt[seq] !== 0) {
      this.duplicated++;
      return;
    }
    this.recvAt[seq] = at;
    this.received++;
    const r = this.room[seq];
    if (seq < this.maxSeen[r]) this.outOfOrder++;
    else this.maxSeen[r] = seq;
  }

  get complete(): boolean {
    return this.received >= this.n;
  }

  /** A run may be sent in several slices (interleaved with other runs); their durations add up. */
  begin() {
    this.t0 = performance.now();
  }

  end() {
    this.activeMs += performance.now() - this.t0;
  }

  /** Latency quantiles of the messages numbered [from, to): one slice of the run. */
  sliceP99(from: number, to: number): number {
    const xs: number[] = [];
    for (let i = from; i < Math.min(to, this.n); i++) if (this.recvAt[i] !== 0) xs.push(this.recvAt[i] - this.sentAt[i]);
    return percentile(xs, 99);
  }

  figures(): RunFigures {
    const all: number[] = [];
    const small: number[] = [];
    const large: number[] = [];
    let offers = 0;
    let overtaken = 0;
    for (let i = 0; i < this.n; i++) {
      if (this.isOffer[i]) {
        offers++;
        for (let k = 1; k <= TRICKLE && i + k < this.n; k++) {
          if (this.recvAt[i + k] !== 0 && (this.recvAt[i] === 0 || this.recvAt[i + k] < this.recvAt[i])) {
            overtaken++;
            break;
          }
        }
      }
      if (this.recvAt[i] === 0) continue;
      const ms = this.recvAt[i] - this.sentAt[i];
      all.push(ms);
      (this.isOffer[i] ? large : small).push(ms);
    }
    return {
      sent: this.n,
      received: this.received,
      lost: this.n - this.received,
      duplicated: this.duplicated,
      outOfOrder: this.outOfOrder,
      offersOvertaken: overtaken,
      offers,
      stale: this.stale,
      seconds: this.activeMs / 1000,
      all: quantiles(all),
      candidates: quantiles(small),
      large: quantiles(large),
    };
  }
}

/**
 * Sends at `rate` messages per second for `durationMs` (one slice of the run):
 * every tick (~1 ms) it sends what is due. Every `offerEvery`-th message is an
 * offer to the next room, sent with its TRICKLE candidates right behind it, to
 * the same room.
 */
export async function paced(
  run: SignalRun,
  o: { rate: number; durationMs: number; rooms: number; offerEvery: number },
  send: (room: number, seq: number, tag: number, large: { sdpBytes: number } | undefined) => void,
): Promise<void> {
  let rr = 0;
  let offers = Math.floor(run.sent / Math.max(1, o.offerEvery));
  const first = run.sent;
  run.begin();
  const t0 = performance.now();
  for (;;) {
    const elapsed = performance.now() - t0;
    if (elapsed >= o.durationMs) break;
    const due = Math.min(run.capacity - TRICKLE - 1, first + Math.floor((elapsed * o.rate) / 1000));
    while (run.sent < due) {
      const room = rr++ % o.rooms;
      if (o.offerEvery > 0 && run.sent > 0 && run.sent % o.offerEvery === 0) {
        const sdpBytes = SDP_SIZES[offers++ % SDP_SIZES.length];
        const first = run.next(room, true);
        send(room, first.seq, first.tag, { sdpBytes });
        for (let k = 0; k < TRICKLE; k++) {
          const c = run.next(room, false);
          send(room, c.seq, c.tag, undefined);
        }
      } else {
        const m = run.next(room, false);
        send(room, m.seq, m.tag, undefined);
      }
    }
    await sleep(1);
  }
  run.end();
}

/** Waits until every message of the run has arrived, or `ms` has passed. */
export async function drain(run: SignalRun, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (!run.complete && performance.now() < until) await sleep(20);
}
