/**
 * The staff WebSocket (`/{slug}/staff/live`): signed-in staff of a town hall
 * hear that their agenda changed, whichever process made the change. Messages
 * in both directions are validated; anything else closes the socket with a reason.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isAppError } from '../../shared/errors.js';
import type { AppContext } from '../http/context.js';
import { resolveStaff, resolveTenant, SESSION_COOKIE } from '../http/request-tenant.js';
import { sha256 } from '../modules/booking/secrets.js';
import { goOfflineIfIdle } from '../modules/attention/set-presence.js';
import { notifyEvent } from '../db/events.js';
import { releaseUpgrade } from './release-upgrade.js';
import { liveSessionHashes } from '../modules/staff/staff.repository.js';
import type { EventBus } from './event-bus.js';

export const MAX_FRAME_BYTES = 4096;

/** What a client may send. */
export const clientMessage = z.discriminatedUnion('type', [z.object({ type: z.literal('ping') })]);

/** What the server sends. */
export type ServerMessage =
  | { type: 'hello'; role: string }
  | { type: 'pong' }
  | { type: 'agenda.changed'; change: 'booked' | 'cancelled' | 'moved' | 'no_show' }
  | { type: 'queue.changed' }
  | { type: 'presence.changed'; staffId: string; state: string }
  | { type: 'attention.changed'; attentionId: string; status: string };

/** WebSocket close code for a policy violation (RFC 6455 §7.4.1); oversized frames get 1009 from ws itself. */
const POLICY_VIOLATION = 1008;
/** A console that reconnects within this time (a reload, a network blip) keeps its agent's presence. */
const CONSOLE_GRACE_MS = 20_000;
const MESSAGE_TOO_BIG = 1009;

type Client = { send(m: ServerMessage): void; close(reason: string): void; sessionHash: string };

export async function staffGateway(app: FastifyInstance, ctx: AppContext, events: EventBus) {
  const sockets = new Map<string, Set<Client>>();
  /** Open console sockets per staff member, in this process. */
  const consoles = new Map<string, number>();
  /** Agents this process will mark offline unless a console of theirs opens somewhere first. */
  const pendingOffline = new Map<string, NodeJS.Timeout>();
  // A socket lives only as long as its session: signed out, expired or deactivated staff are disconnected.
  const timer = setInterval(() => void recheckSessions(), ctx.config.LIVE_SESSION_CHECK_SECONDS * 1000);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
  async function recheckSessions() {
    const all = [...sockets.values()].flatMap((set) => [...set]);
    if (all.length === 0) return;
    try {
      const alive = await liveSessionHashes(ctx.database, [...new Set(all.map((c) => c.sessionHash))]);
      for (const c of all) if (!alive.has(c.sessionHash)) c.close('session ended');
    } catch {
      /* the database is away: try again next time */
    }
  }

  events.on((e) => {
    if (e.type === 'console.opened') {
      clearTimeout(pendingOffline.get(e.staffId));
      pendingOffline.delete(e.staffId);
      return;
    }
    const set = sockets.get(e.tenantId);
    if (!set) return;
    const m: ServerMessage =
      e.type === 'appointment.changed'
        ? { type: 'agenda.changed', change: e.change }
        : e.type === 'queue.changed'
          ? { type: 'queue.changed' }
          : e.type === 'presence.changed'
            ? { type: 'presence.changed', staffId: e.staffId, state: e.state }
            : { type: 'attention.changed', attentionId: e.attentionId, status: e.status };
    for (const s of set) s.send(m);
  });

  app.register(async (r) => {
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
      await resolveStaff(ctx, req);
    });
    r.get('/:slug/staff/live', { websocket: true }, (socket, req) => {
      releaseUpgrade(socket, req);
      if (!req.staff || !req.tenant) {
        socket.close(POLICY_VIOLATION, 'unauthenticated');
        return;
      }
      // Browsers always send Origin on WebSocket upgrades: another site's page is refused.
      const origin = req.headers.origin;
      if (origin && origin !== new URL(ctx.config.PUBLIC_URL).origin && new URL(origin).host !== req.headers.host) {
        socket.close(POLICY_VIOLATION, 'origin not allowed');
        return;
      }
      const tenantId = req.tenant.id;
      const client: Client = {
        sessionHash: sha256(req.cookies[SESSION_COOKIE] ?? ''),
        send(m: ServerMessage) {
          if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
        },
        close(reason: string) {
          socket.close(POLICY_VIOLATION, reason);
        },
      };
      let set = sockets.get(tenantId);
      if (!set) sockets.set(tenantId, (set = new Set()));
      set.add(client);
      // The console (`?console=1`) keeps its agent's presence: when the last one closes for good, they go offline.
      const staffId = req.staff.id;
      const isConsole = (req.query as Record<string, unknown>).console === '1';
      if (isConsole) {
        consoles.set(staffId, (consoles.get(staffId) ?? 0) + 1);
        clearTimeout(pendingOffline.get(staffId));
        pendingOffline.delete(staffId);
        // other processes may be counting down to mark this agent offline (a reload landed here)
        void ctx.database.rows(notifyEvent({ type: 'console.opened', tenantId, staffId })).catch(() => undefined);
      }
      client.send({ type: 'hello', role: req.staff.role });
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) return socket.close(POLICY_VIOLATION, 'text frames only');
        if (data.length > MAX_FRAME_BYTES) return socket.close(MESSAGE_TOO_BIG, 'frame too large');
        let msg;
        try {
          msg = clientMessage.safeParse(JSON.parse(data.toString('utf8')));
        } catch {
          msg = undefined;
        }
        if (!msg?.success) return socket.close(POLICY_VIOLATION, 'malformed message');
        if (msg.data.type === 'ping') client.send({ type: 'pong' });
      });
      socket.on('close', () => {
        if (isConsole) {
          const left = (consoles.get(staffId) ?? 1) - 1;
          if (left > 0) consoles.set(staffId, left);
          else {
            consoles.delete(staffId);
            clearTimeout(pendingOffline.get(staffId));
            const timer = setTimeout(() => {
              pendingOffline.delete(staffId);
              if (consoles.has(staffId)) return;
              goOfflineIfIdle({ database: ctx.database }, { tenantId, staffId }).catch(() => undefined);
            }, CONSOLE_GRACE_MS);
            timer.unref();
            pendingOffline.set(staffId, timer);
          }
        }
        set!.delete(client);
        if (set!.size === 0) sockets.delete(tenantId);
      });
    });
    r.setErrorHandler((err, _req, reply) => {
      // before the upgrade: an unknown town hall answers like any other route
      if (isAppError(err)) return reply.status(err.status).send({ code: err.code });
      throw err;
    });
  });
}
