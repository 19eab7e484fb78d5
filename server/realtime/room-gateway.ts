/**
 * The call room over WebSocket: citizens (with their pass), invited guests and
 * the agent (with a staff session) of one attention exchange WebRTC signaling,
 * chat, media states, consent and recording notices, and the formal procedure's
 * live form and steps (relayed only: what counts legally goes over HTTP). A citizen who booked
 * first waits in a lobby (device check), then enters the waiting room and hears
 * their place in the queue. Rooms span processes through the RoomRelay. Frames
 * are validated; a peer only ever reaches peers of its own room.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { isAppError } from '../../shared/errors.js';
import type { Language } from '../../shared/domain.js';
import type { AppContext } from '../http/context.js';
import { resolveStaff, resolveTenant, SESSION_COOKIE } from '../http/request-tenant.js';
import { translator } from '../i18n/i18n.js';
import { safeError } from '../logger.js';
import { findAttention, findAttentionByAppointment, waitingPositions, type AttentionRow } from '../modules/attention/attention.repository.js';
import { listChat, postChat } from '../modules/attention/chat.js';
import { endCall, markConnected } from '../modules/attention/close-attention.js';
import { enterWaitingRoom, roomOpensAt } from '../modules/attention/enter-waiting-room.js';
import { leaveQueue } from '../modules/attention/join-queue.js';
import { estimateWaitMinutes } from '../modules/attention/queue-estimate.js';
import { findPass } from '../modules/attention/room-passes.js';
import { iceServersFor } from '../modules/attention/turn-credentials.js';
import { findAppointmentById } from '../modules/booking/booking.repository.js';
import { recordConsent } from '../modules/recording/record-consent.js';
import { sha256 } from '../modules/booking/secrets.js';
import { liveSessionHashes, type Staff } from '../modules/staff/staff.repository.js';
import type { Tenant } from '../modules/tenants/tenants.repository.js';
import type { EventBus } from './event-bus.js';
import { roomClientMessage, type PeerInfo, type RoomClientMessage, type RoomServerMessage, type RoomStatus } from './room-messages.js';
import { releaseUpgrade } from './release-upgrade.js';
import type { RelayEnvelope, RoomRelay } from './room-relay.js';

const POLICY_VIOLATION = 1008;
/** Messages a peer may send per 10 s (signaling bursts of ICE candidates included). */
const MAX_MESSAGES_PER_10S = 300;
const LIVE_STATES = new Set(['waiting', 'in_progress']);
const PEER_ID = /^[a-zA-Z0-9_-]{8,40}$/;
/** Agent, citizen, an interpreter or two: more is not a call we serve. */
const MAX_PEERS_PER_ROOM = 6;
/** Server pings; a socket that has not answered the previous ping is dropped (half-open after a cut). */
const HEARTBEAT_MS = 20_000;

type Peer = {
  info: PeerInfo;
  tenant: Tenant;
  room: string | null;
  status: RoomStatus;
  /** Language of the attention (consent text), the citizen's own. */
  roomLang: Language;
  appointmentId?: string;
  /** A virtual-queue citizen may leave the queue. */
  queueEntry: boolean;
  staff?: Staff;
  /** Who is behind the socket (a pass, a staff member); only the same principal may take over an id. */
  principal: string;
  /** Agents: their session, re-checked; citizens and guests: when their pass expires. */
  sessionHash?: string;
  expiresAt?: Date;
  send(m: RoomServerMessage): void;
  close(code: number, reason: string): void;
};

export type RoomGateway = { localPeers(): number };


export async function roomGateway(app: FastifyInstance, ctx: AppContext, events: EventBus, relay: RoomRelay): Promise<RoomGateway> {
  const deps = { database: ctx.database };
  const rooms = new Map<string, Set<Peer>>();
  const lobby = new Set<Peer>();

  // A socket lives only as long as what let it in: an agent's session, a citizen's or guest's pass.
  const recheck = setInterval(() => void recheckAccess(), ctx.config.LIVE_SESSION_CHECK_SECONDS * 1000);
  recheck.unref();
  app.addHook('onClose', async () => clearInterval(recheck));
  async function recheckAccess() {
    const all = [...lobby, ...[...rooms.values()].flatMap((set) => [...set])];
    const now = Date.now();
    for (const p of all) if (p.expiresAt && p.expiresAt.getTime() <= now) p.close(POLICY_VIOLATION, 'pass expired');
    const agents = all.filter((p) => p.sessionHash);
    if (agents.length === 0) return;
    try {
      const alive = await liveSessionHashes(ctx.database, [...new Set(agents.map((p) => p.sessionHash!))]);
      for (const p of agents) if (!alive.has(p.sessionHash!)) p.close(POLICY_VIOLATION, 'session ended');
    } catch {
      /* the database is away: try again next time */
    }
  }

  const peersOf = (room: string | null) => (room ? (rooms.get(room) ?? new Set<Peer>()) : new Set<Peer>());

  function deliverLocal(room: string, from: string, to: string | undefined, msg: RoomServerMessage) {
    for (const p of peersOf(room)) if (p.info.id !== from && (!to || p.info.id === to)) p.send(msg);
  }

  /** To the peers of my room here and on every other process. */
  async function toRoom(peer: Peer, msg: RoomServerMessage, to?: string) {
    if (!peer.room) return;
    deliverLocal(peer.room, peer.info.id, to, msg);
    const localTarget = to && [...peersOf(peer.room)].some((p) => p.info.id === to);
    if (!localTarget) await relay.publish({ tenantId: peer.tenant.id, room: peer.room, from: peer.info.id, to, kind: 'msg', msg });
  }

  /** Joins the room; false when it is full. Ids are bound to their principal, so an equal id is this peer's older socket. */
  function joinRoom(peer: Peer, att: Pick<AttentionRow, 'id' | 'status' | 'language'>): boolean {
    lobby.delete(peer);
    for (const old of peersOf(att.id)) {
      if (old.info.id !== peer.info.id) continue;
      rooms.get(att.id)!.delete(old);
      old.close(POLICY_VIOLATION, 'replaced by a new connection');
    }
    if (peersOf(att.id).size >= MAX_PEERS_PER_ROOM) {
      peer.close(POLICY_VIOLATION, 'room full');
      return false;
    }
    peer.room = att.id;
    peer.status = att.status;
    peer.roomLang = att.language as Language;
    let set = rooms.get(att.id);
    if (!set) rooms.set(att.id, (set = new Set()));
    for (const p of set) p.send({ type: 'peer_joined', peer: peer.info });
    set.add(peer);
    void relay.publish({ tenantId: peer.tenant.id, room: att.id, from: peer.info.id, kind: 'joined', msg: { peer: peer.info } });
    return true;
  }

  function leaveRoom(peer: Peer) {
    lobby.delete(peer);
    if (!peer.room) return;
    const set = rooms.get(peer.room);
    // a peer replaced by its own reconnection has already left quietly
    if (!set?.delete(peer)) return;
    if (set.size === 0) rooms.delete(peer.room);
    deliverLocal(peer.room, peer.info.id, undefined, { type: 'peer_left', peerId: peer.info.id });
    void relay.publish({ tenantId: peer.tenant.id, room: peer.room, from: peer.info.id, kind: 'left' });
  }

  relay.on((e: RelayEnvelope) => {
    const set = rooms.get(e.room);
    if (!set) return;
    const local = [...set].filter((p) => p.tenant.id === e.tenantId);
    if (e.kind === 'joined' && e.msg?.peer) {
      const info = e.msg.peer as PeerInfo;
      // The same peer reconnected to another process: its socket here is a stale one; it goes quietly.
      for (const p of local.filter((x) => x.info.id === info.id)) {
        set.delete(p);
        p.close(POLICY_VIOLATION, 'replaced by a new connection');
      }
      if (set.size === 0) rooms.delete(e.room);
      for (const p of local.filter((x) => x.info.id !== info.id)) {
        p.send({ type: 'peer_joined', peer: info });
        void relay.publish({ tenantId: e.tenantId, room: e.room, from: p.info.id, to: e.from, kind: 'present', msg: { peer: p.info } });
      }
    } else if (e.kind === 'present' && e.msg?.peer) {
      for (const p of local) if (p.info.id === e.to) p.send({ type: 'peer_present', peer: e.msg.peer as PeerInfo });
    } else if (e.kind === 'left') {
      for (const p of local) p.send({ type: 'peer_left', peerId: e.from });
    } else if (e.kind === 'msg' && e.msg) {
      for (const p of local) if (p.info.id !== e.from && (!e.to || p.info.id === e.to)) p.send(e.msg as RoomServerMessage);
    }
  });

  // Attention state changes reach its room; queue changes reach waiting citizens with their new place.
  const pendingQueue = new Map<string, NodeJS.Timeout>();
  events.on((e) => {
    if (e.type === 'attention.changed') {
      for (const p of peersOf(e.attentionId)) {
        if (p.tenant.id !== e.tenantId) continue;
        p.status = e.status;
        p.send({ type: 'status', status: e.status, room: e.attentionId });
      }
    } else if (e.type === 'queue.changed') {
      positionsCache.delete(e.tenantId);
      // at most a few refreshes a second per town hall, however busy the queue
      if (pendingQueue.has(e.tenantId)) return;
      const timer = setTimeout(() => {
        pendingQueue.delete(e.tenantId);
        void sendPositions(e.tenantId);
      }, 150);
      timer.unref();
      pendingQueue.set(e.tenantId, timer);
    }
  });
  app.addHook('onClose', async () => pendingQueue.forEach((t) => clearTimeout(t)));

  /**
   * The queue of a town hall as last read, shared by the citizens who connect meanwhile (a second
   * at most, dropped on every queue change): a thousand citizens reconnecting cost one query, not
   * a thousand.
   */
  const positionsCache = new Map<string, { at: number; read: ReturnType<typeof waitingPositions> }>();
  function positionsOf(tenantId: string) {
    const hit = positionsCache.get(tenantId);
    if (hit && Date.now() - hit.at < 1000) return hit.read;
    const read = waitingPositions(ctx.database, tenantId);
    positionsCache.set(tenantId, { at: Date.now(), read });
    read.catch(() => positionsCache.delete(tenantId));
    return read;
  }

  async function sendPositions(tenantId: string, only?: Peer) {
    const waiting = only ? [only] : [...rooms.values()].flatMap((s) => [...s]).filter((p) => p.tenant.id === tenantId && p.status === 'waiting' && p.info.role === 'citizen');
    if (waiting.length === 0) return;
    try {
      const q = await positionsOf(tenantId);
      for (const p of waiting) {
        const position = q.positions.get(p.room!);
        if (position) p.send({ type: 'queue', position, estimatedMinutes: estimateWaitMinutes(position, q.agentsOnDuty, q.averageHandlingSeconds) });
      }
    } catch (err) {
      app.log.warn({ err: safeError(err) }, 'queue positions failed');
    }
  }

  /** Every open room socket with its message count (this 10-s window) and whether it answered the last ping. */
  const live = new Map<WebSocket, { count: number; alive: boolean }>();
  // Two timers for all sockets, not two per socket: the rate window and the heartbeat.
  const windowTimer = setInterval(() => live.forEach((s) => (s.count = 0)), 10_000);
  windowTimer.unref();
  const beatTimer = setInterval(() => {
    live.forEach((state, socket) => {
      if (!state.alive) return socket.terminate();
      state.alive = false;
      socket.ping();
    });
  }, HEARTBEAT_MS);
  beatTimer.unref();
  app.addHook('onClose', async () => {
    clearInterval(windowTimer);
    clearInterval(beatTimer);
  });

  function attach(socket: WebSocket, peer: Peer, onMessage: (m: RoomClientMessage) => Promise<void>) {
    const state = { count: 0, alive: true };
    live.set(socket, state);
    socket.on('pong', () => (state.alive = true));
    // A peer's messages are handled one after the other, in the order sent: a candidate never overtakes its offer.
    let chain = Promise.resolve();
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return socket.close(POLICY_VIOLATION, 'text frames only');
      if (++state.count > MAX_MESSAGES_PER_10S) return socket.close(POLICY_VIOLATION, 'too many messages');
      let parsed;
      try {
        parsed = roomClientMessage.safeParse(JSON.parse(data.toString('utf8')));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) return socket.close(POLICY_VIOLATION, 'malformed message');
      const message = parsed.data;
      chain = chain.then(() =>
        onMessage(message).catch((err) => {
          if (isAppError(err)) peer.send({ type: 'error', code: err.code });
          else {
            app.log.error({ err: safeError(err) }, 'room message failed');
            peer.send({ type: 'error', code: 'internal_error' });
          }
        }),
      );
    });
    socket.on('close', () => {
      live.delete(socket);
      leaveRoom(peer);
    });
  }

  /**
   * A participant's id in its room. The browser may propose its own (`?peer=`) so that after a
   * network cut it comes back as the same peer and the call is resumed by an ICE restart, not
   * rebuilt; an older socket with that id in the room is closed.
   */
  function makePeer(socket: WebSocket, req: FastifyRequest, tenant: Tenant, role: PeerInfo['role'], label: string, principal: string): Peer {
    const proposed = (req.query as Record<string, unknown> | undefined)?.peer;
    // The id others see is derived from the principal and the browser's own nonce: a reconnecting
    // browser gets its id back, and nobody else can ever claim it.
    const id =
      typeof proposed === 'string' && PEER_ID.test(proposed)
        ? createHash('sha256').update(`${principal}|${proposed}`).digest('base64url').slice(0, 16)
        : randomBytes(9).toString('base64url');
    return {
      principal,
      info: { id, role, label },
      tenant,
      room: null,
      status: 'lobby',
      roomLang: tenant.defaultLanguage,
      queueEntry: false,
      send(m) {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
      },
      close(code, reason) {
        socket.close(code, reason);
      },
    };
  }

  async function hello(peer: Peer, extra: { opensAt?: string | null } = {}) {
    const peers = [...peersOf(peer.room)].filter((p) => p !== peer).map((p) => p.info);
    const chat = peer.room ? await listChat(deps, { tenantId: peer.tenant.id, attentionId: peer.room }) : [];
    peer.send({ type: 'hello', you: peer.info, room: peer.room, status: peer.status, iceServers: iceServersFor(ctx.config, peer.info.id), peers, chat, ...extra });
    if (peer.status === 'waiting') await sendPositions(peer.tenant.id, peer);
  }

  /** What every participant can do once in a room with the call going on. */
  async function common(peer: Peer, m: RoomClientMessage): Promise<boolean> {
    if (m.type === 'ping') {
      peer.send({ type: 'pong' });
      return true;
    }
    if (!peer.room || peer.status !== 'in_progress') return false;
    switch (m.type) {
      case 'signal':
        await toRoom(peer, { type: 'signal', from: peer.info.id, description: m.description, candidate: m.candidate }, m.to);
        return true;
      case 'chat': {
        const line = await postChat(deps, { tenantId: peer.tenant.id, attentionId: peer.room, role: peer.info.role, text: m.text });
        peer.send({ type: 'chat', ...line });
        await toRoom(peer, { type: 'chat', ...line });
        return true;
      }
      case 'media':
        await toRoom(peer, { type: 'media', from: peer.info.id, audio: m.audio, video: m.video, screen: m.screen });
        return true;
      default:
        return false;
    }
  }

  const isOriginAllowed = (req: FastifyRequest) => {
    const origin = req.headers.origin;
    if (!origin) return true;
    try {
      return origin === new URL(ctx.config.PUBLIC_URL).origin || new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  };

  app.register(async (r) => {
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
    });
    r.setErrorHandler((err, _req, reply) => {
      if (isAppError(err)) return reply.status(err.status).send({ code: err.code });
      throw err;
    });

    // Citizens and guests, with the pass from their link.
    r.get('/:slug/room/:token/live', { websocket: true }, async (socket, req) => {
      releaseUpgrade(socket, req);
      const tenant = req.tenant!;
      if (!isOriginAllowed(req)) return socket.close(POLICY_VIOLATION, 'origin not allowed');
      const token = String((req.params as Record<string, unknown>).token ?? '');
      // Messages that arrive while the pass is checked are kept, then handled in order.
      const early: Buffer[] = [];
      const keep = (d: Buffer) => early.push(d);
      socket.on('message', keep);
      const pass = await findPass(deps, tenant.id, token).catch(() => undefined);
      if (!pass || pass.role === 'invite') return socket.close(POLICY_VIOLATION, 'access denied');
      const t = translator(tenant.defaultLanguage);
      const peer = makePeer(socket, req, tenant, pass.role === 'guest' ? 'guest' : 'citizen', pass.role === 'guest' ? (pass.label ?? t('call.guest')) : t('call.citizen'), `pass:${pass.tokenHash}`);
      peer.expiresAt = pass.expiresAt;
      let opensAt: string | null = null;
      let att: AttentionRow | undefined;
      if (pass.appointmentId) {
        peer.appointmentId = pass.appointmentId;
        att = await findAttentionByAppointment(ctx.database, tenant.id, pass.appointmentId);
        const appointment = await findAppointmentById(ctx.database, tenant.id, pass.appointmentId);
        if (!appointment) return socket.close(POLICY_VIOLATION, 'access denied');
        peer.roomLang = appointment.language;
        opensAt = roomOpensAt(tenant, appointment)?.toISOString() ?? null;
      } else if (pass.attentionId) {
        att = await findAttention(ctx.database, tenant.id, pass.attentionId);
        peer.queueEntry = peer.info.role === 'citizen' && !!att && !att.appointment_id;
      }
      if (att && LIVE_STATES.has(att.status)) {
        if (!joinRoom(peer, att)) return;
      }
      else if (att) peer.status = att.status;
      else lobby.add(peer);
      attach(socket, peer, async (m) => {
        if (await common(peer, m)) return;
        if (m.type === 'enter' && peer.info.role === 'citizen' && peer.appointmentId && peer.status === 'lobby') {
          const appointment = await findAppointmentById(ctx.database, tenant.id, peer.appointmentId);
          if (!appointment) return;
          try {
            const entered = await enterWaitingRoom(deps, { tenant, appointment });
            if (!joinRoom(peer, entered)) return;
            peer.send({ type: 'status', status: peer.status, room: peer.room! });
            if ((peer.status as RoomStatus) === 'waiting') await sendPositions(tenant.id, peer);
          } catch (e) {
            if (isAppError(e) && e.code === 'room_not_open') peer.send({ type: 'room_opens', opensAt: String(e.details?.opensAt) });
            else throw e;
          }
        } else if (m.type === 'leave_queue' && peer.queueEntry && peer.room && peer.status === 'waiting') {
          await leaveQueue(deps, { tenantId: tenant.id, attentionId: peer.room });
        } else if (m.type === 'consent_answer' && peer.info.role === 'citizen' && peer.room && peer.status === 'in_progress') {
          const at = new Date();
          if (m.given) {
            const text = translator(peer.roomLang)('call.consent_text');
            const c = await recordConsent(deps, { tenantId: tenant.id, attentionId: peer.room, text });
            const msg: RoomServerMessage = { type: 'consent', given: true, at: c.consentAt.toISOString(), recordingId: c.recordingId };
            peer.send(msg);
            await toRoom(peer, msg);
          } else {
            const msg: RoomServerMessage = { type: 'consent', given: false, at: at.toISOString() };
            peer.send(msg);
            await toRoom(peer, msg);
          }
        } else if (m.type === 'filing_consent' && peer.info.role === 'citizen' && peer.room && peer.status === 'in_progress') {
          // only relayed: the consent itself was stored over HTTP, and the agent reads it from there
          await toRoom(peer, { type: 'filing_consent', consentId: m.consentId });
        }
      });
      socket.off('message', keep);
      await hello(peer, { opensAt });
      for (const d of early) socket.emit('message', d, false);
    });

    // The agent (or a supervisor) of an attention in course.
    r.get('/:slug/staff/attentions/:id/live', { websocket: true }, async (socket, req) => {
      releaseUpgrade(socket, req);
      const tenant = req.tenant!;
      if (!isOriginAllowed(req)) return socket.close(POLICY_VIOLATION, 'origin not allowed');
      const early: Buffer[] = [];
      const keep = (d: Buffer) => early.push(d);
      socket.on('message', keep);
      const staff = await resolveStaff(ctx, req).catch(() => undefined);
      if (!staff) return socket.close(POLICY_VIOLATION, 'unauthenticated');
      const id = String((req.params as Record<string, unknown>).id ?? '');
      const att = /^[0-9a-f-]{36}$/i.test(id) ? await findAttention(ctx.database, tenant.id, id) : undefined;
      if (!att || att.status !== 'in_progress' || (staff.role === 'agent' && att.agent_id !== staff.id)) return socket.close(POLICY_VIOLATION, 'not your attention');
      const peer = makePeer(socket, req, tenant, 'agent', staff.fullName, `staff:${staff.id}`);
      peer.sessionHash = sha256(req.cookies[SESSION_COOKIE] ?? '');
      peer.staff = staff;
      if (!joinRoom(peer, att)) return;
      attach(socket, peer, async (m) => {
        if (await common(peer, m)) return;
        if (!peer.room || peer.status !== 'in_progress') return;
        if (m.type === 'connected') await markConnected(deps, { tenantId: tenant.id, attentionId: peer.room });
        else if (m.type === 'consent_request') await toRoom(peer, { type: 'consent_request', text: translator(peer.roomLang)('call.consent_text') });
        else if (m.type === 'recording') {
          peer.send({ type: 'recording', state: m.state });
          await toRoom(peer, { type: 'recording', state: m.state });
        } else if (m.type === 'form_view') await toRoom(peer, { type: 'form_view', data: m.data });
        else if (m.type === 'filing_step') await toRoom(peer, { type: 'filing_step', step: m.step, ...(m.filingId ? { filingId: m.filingId } : {}) });
        else if (m.type === 'hangup') {
          await endCall(deps, { tenantId: tenant.id, agent: staff, attentionId: peer.room });
          peer.send({ type: 'call_ended' });
          await toRoom(peer, { type: 'call_ended' });
        }
      });
      socket.off('message', keep);
      await hello(peer);
      for (const d of early) socket.emit('message', d, false);
    });
  });

  return { localPeers: () => [...rooms.values()].reduce((n, s) => n + s.size, 0) + lobby.size };
}
