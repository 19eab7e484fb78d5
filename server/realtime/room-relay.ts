/**
 * Carries call-room messages between server processes through PostgreSQL
 * NOTIFY (PGlite: in-process), so a citizen on one process and an agent on
 * another share a room. A NOTIFY payload is limited to 8000 bytes, so larger
 * messages (SDP offers) travel in numbered parts and are put back together.
 * Each process ignores what it sent itself (it has already delivered locally).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Database } from '../db/client.js';
import { safeError } from '../logger.js';

export const ROOM_CHANNEL = 'finestreta_room';
const PART_BYTES = 7000;
const REASSEMBLY_MS = 10_000;

/** What travels: a room, the sending peer, an optional addressee, and the message for the clients. */
export type RelayEnvelope = {
  tenantId: string;
  room: string;
  from: string;
  to?: string;
  /** `joined`: a peer entered (others answer `present`); `present`: I am here; `left`; `msg`: deliver `msg`. */
  kind: 'joined' | 'present' | 'left' | 'msg';
  msg?: Record<string, unknown>;
};

const envelope = z.object({
  tenantId: z.uuid(),
  room: z.uuid(),
  from: z.string().max(40),
  to: z.string().max(40).optional(),
  kind: z.enum(['joined', 'present', 'left', 'msg']),
  msg: z.record(z.string(), z.unknown()).optional(),
});

const wire = z.object({ o: z.string(), e: z.string().optional(), p: z.tuple([z.string(), z.number().int(), z.number().int().max(64)]).optional(), d: z.string().optional() });

export class RoomRelay {
  /** This process, so that it can skip its own messages. */
  readonly origin = randomBytes(6).toString('hex');
  private readonly ownPrefix = `{"o":"${this.origin}"`;
  private readonly handlers = new Set<(e: RelayEnvelope) => void>();
  private readonly partial = new Map<string, { parts: string[]; got: number; at: number }>();
  private stopListening: (() => Promise<void>) | undefined;

  constructor(
    private readonly database: Database,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.stopListening = await this.database.listen(ROOM_CHANNEL, (payload) => this.receive(payload));
  }

  async stop(): Promise<void> {
    this.handlers.clear();
    await this.stopListening?.();
  }

  on(handler: (e: RelayEnvelope) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Per room, the last publish in flight: the next waits for it, so a room's messages keep their order. */
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Sends to the other processes; resolves once PostgreSQL has taken it. Messages of one room go
   * out one after the other (commits on different pool connections would reorder them, and a
   * candidate must never overtake its offer); the parts of a large message go in one statement.
   */
  publish(e: RelayEnvelope): Promise<void> {
    const previous = this.tails.get(e.room) ?? Promise.resolve();
    const mine = previous.then(() => this.send(e));
    this.tails.set(e.room, mine);
    void mine.finally(() => {
      if (this.tails.get(e.room) === mine) this.tails.delete(e.room);
    });
    return mine;
  }

  private async send(e: RelayEnvelope): Promise<void> {
    const body = JSON.stringify(e);
    try {
      if (Buffer.byteLength(body) <= PART_BYTES) {
        await this.database.rows(sql`SELECT pg_notify(${ROOM_CHANNEL}, ${JSON.stringify({ o: this.origin, e: body })})`);
        return;
      }
      const id = randomBytes(6).toString('hex');
      // split by characters small enough that the JSON-escaped part stays under the limit
      const step = Math.floor(PART_BYTES / 4);
      const n = Math.ceil(body.length / step);
      if (n > 64) throw new Error('relay message too large');
      const parts = Array.from({ length: n }, (_, i) => sql`pg_notify(${ROOM_CHANNEL}, ${JSON.stringify({ o: this.origin, p: [id, i, n], d: body.slice(i * step, (i + 1) * step) })})`);
      await this.database.rows(sql`SELECT ${sql.join(parts, sql`, `)}`);
    } catch (err) {
      this.logger.warn({ err: safeError(err) }, 'room relay publish failed');
    }
  }

  private receive(payload: string) {
    // every process hears every message, its own too: skip ours before parsing anything
    if (payload.startsWith(this.ownPrefix)) return;
    let w;
    try {
      w = wire.parse(JSON.parse(payload));
    } catch {
      return;
    }
    if (w.o === this.origin) return;
    let body = w.e;
    if (!body && w.p && w.d !== undefined) {
      const [id, i, n] = w.p;
      const key = `${w.o}:${id}`;
      const now = Date.now();
      for (const [k, v] of this.partial) if (now - v.at > REASSEMBLY_MS) this.partial.delete(k);
      let entry = this.partial.get(key);
      if (!entry) this.partial.set(key, (entry = { parts: new Array(n), got: 0, at: now }));
      if (i >= n || entry.parts[i] !== undefined) return;
      entry.parts[i] = w.d;
      if (++entry.got < n) return;
      this.partial.delete(key);
      body = entry.parts.join('');
    }
    if (!body) return;
    let e;
    try {
      e = envelope.parse(JSON.parse(body));
    } catch {
      return;
    }
    for (const h of this.handlers) {
      try {
        h(e as RelayEnvelope);
      } catch (err) {
        this.logger.error({ err: safeError(err) }, 'room relay handler failed');
      }
    }
  }
}
