/**
 * The call-room protocol: what participants may send (validated, anything else
 * closes the socket) and what the server sends. Signaling carries WebRTC
 * session descriptions and ICE candidates between two named peers of one room.
 */
import { z } from 'zod';

/** Largest frame a room socket accepts (an SDP offer with screen sharing is ~10 KB). */
export const ROOM_MAX_FRAME_BYTES = 64 * 1024;

const description = z.object({ type: z.enum(['offer', 'answer', 'pranswer', 'rollback']), sdp: z.string().max(48_000).optional() });
const candidate = z
  .object({
    candidate: z.string().max(1000),
    sdpMid: z.string().max(64).nullish(),
    sdpMLineIndex: z.number().int().min(0).max(64).nullish(),
    usernameFragment: z.string().max(256).nullish(),
  })
  .nullable();
const peerId = z.string().regex(/^[a-zA-Z0-9_-]{8,40}$/);

/** Largest request form the agent may show the citizen (its JSON), far above any real form. */
export const FORM_VIEW_MAX_BYTES = 32 * 1024;
/**
 * The request form as the agent fills it: a flat object of the form schema's fields (names as the
 * schema subset allows, at most 40; values strings, numbers, booleans or null), at most 32 KB.
 */
const formViewData = z
  .record(z.string().regex(/^[a-z][a-zA-Z0-9_]{0,39}$/), z.union([z.string().max(4000), z.number().finite(), z.boolean(), z.null()]))
  .refine((d) => Object.keys(d).length <= 40, 'too many fields')
  .refine((d) => Buffer.byteLength(JSON.stringify(d), 'utf8') <= FORM_VIEW_MAX_BYTES, 'form too large');
export const FILING_STEPS = ['identity', 'form', 'consent_request', 'filed'] as const;
export type FilingStep = (typeof FILING_STEPS)[number];
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

export const roomClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping') }),
  /** Citizen in the lobby (device check done): enter the waiting room. */
  z.object({ type: z.literal('enter') }),
  /** Citizen in the virtual queue: leave it. */
  z.object({ type: z.literal('leave_queue') }),
  z.object({ type: z.literal('signal'), to: peerId, description: description.optional(), candidate: candidate.optional() }),
  z.object({ type: z.literal('chat'), text: z.string().trim().min(1).max(2000).refine((t) => !t.includes('\u0000'), 'no NUL') }),
  z.object({ type: z.literal('media'), audio: z.boolean(), video: z.boolean(), screen: z.boolean() }),
  /** Agent: media flows both ways (talk time starts). */
  z.object({ type: z.literal('connected') }),
  /** Agent: ask the citizen to consent to the recording. */
  z.object({ type: z.literal('consent_request') }),
  /** Citizen: the answer to the consent request. */
  z.object({ type: z.literal('consent_answer'), given: z.boolean() }),
  /** Agent: the recording started or stopped (announced on every screen). */
  z.object({ type: z.literal('recording'), state: z.enum(['started', 'stopped']) }),
  /** Agent: the call ends (the attention stays open to be closed). */
  z.object({ type: z.literal('hangup') }),
  /** Agent: the request form as it stands, for the citizen to see live (read-only). */
  z.object({ type: z.literal('form_view'), data: formViewData }),
  /** Agent: where the formal procedure is (`consent_request` asks the citizen; `filed` names the filing). */
  z.object({ type: z.literal('filing_step'), step: z.enum(FILING_STEPS), filingId: uuid.optional() }),
  /** Citizen: consent to file was given (over HTTP); the agent reads it again. */
  z.object({ type: z.literal('filing_consent'), consentId: uuid }),
]);
export type RoomClientMessage = z.infer<typeof roomClientMessage>;

export type PeerRole = 'agent' | 'citizen' | 'guest';
export type PeerInfo = { id: string; role: PeerRole; label: string };
export type RoomStatus = 'lobby' | 'waiting' | 'in_progress' | 'closed' | 'no_show' | 'not_reached' | 'abandoned';
export type ChatLine = { id: string; role: PeerRole; text: string; at: string };

export type RoomServerMessage =
  | { type: 'hello'; you: PeerInfo; room: string | null; status: RoomStatus; iceServers: unknown[]; peers: PeerInfo[]; chat: ChatLine[]; opensAt?: string | null }
  | { type: 'pong' }
  | { type: 'peer_joined'; peer: PeerInfo }
  | { type: 'peer_present'; peer: PeerInfo }
  | { type: 'peer_left'; peerId: string }
  | { type: 'signal'; from: string; description?: z.infer<typeof description>; candidate?: z.infer<typeof candidate> }
  | ({ type: 'chat' } & ChatLine)
  | { type: 'media'; from: string; audio: boolean; video: boolean; screen: boolean }
  | { type: 'queue'; position: number; estimatedMinutes: number }
  | { type: 'status'; status: RoomStatus; room?: string }
  | { type: 'room_opens'; opensAt: string }
  | { type: 'consent_request'; text: string }
  | { type: 'consent'; given: boolean; at: string; recordingId?: string }
  | { type: 'recording'; state: 'started' | 'stopped' }
  /** The agent hung up: the call is over for the citizen (the agent still closes the attention). */
  | { type: 'call_ended' }
  /** The formal procedure (relayed as sent; see docs/LIVE.md). */
  | { type: 'form_view'; data: Record<string, string | number | boolean | null> }
  | { type: 'filing_step'; step: FilingStep; filingId?: string }
  | { type: 'filing_consent'; consentId: string }
  | { type: 'error'; code: string };
