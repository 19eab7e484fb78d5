/**
 * Passes into a call room for people without a staff session: the citizen
 * (after the access code, or on joining the queue) and an invited guest such as
 * an interpreter (the invite link works once and is exchanged for a pass).
 * Only the SHA-256 of a token is stored.
 */
import { randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { roomPasses } from '../../db/schema.js';
import { sha256 } from '../booking/secrets.js';
import type { Db } from '../../db/client.js';
import type { AttentionDeps } from './attention-context.js';

export type RoomPass = typeof roomPasses.$inferSelect;

/** The database or a transaction of it, so that a pass is written with the change it belongs to. */
type Executor = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

const TOKEN = /^[A-Za-z0-9_-]{40,60}$/;

export function isPassToken(token: string): boolean {
  return TOKEN.test(token);
}

/** Issues a pass and returns its token (shown once, in a link). */
export async function issuePass(
  deps: AttentionDeps,
  o: { tenantId: string; role: 'citizen' | 'guest' | 'invite'; appointmentId?: string; attentionId?: string; label?: string; ttlMinutes: number },
  tx?: Executor,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const now = (deps.now ?? Date.now)();
  await (tx ?? deps.database.db).insert(roomPasses).values({
    tokenHash: sha256(token),
    tenantId: o.tenantId,
    role: o.role,
    appointmentId: o.appointmentId ?? null,
    attentionId: o.attentionId ?? null,
    label: o.label ?? null,
    expiresAt: new Date(now + o.ttlMinutes * 60_000),
  });
  return token;
}

/** The pass behind a token, if it exists in this tenant and has not expired. */
export async function findPass(deps: AttentionDeps, tenantId: string, token: string): Promise<RoomPass | undefined> {
  if (!isPassToken(token)) return undefined;
  const now = new Date((deps.now ?? Date.now)());
  const [row] = await deps.database.db
    .select()
    .from(roomPasses)
    .where(and(eq(roomPasses.tenantId, tenantId), eq(roomPasses.tokenHash, sha256(token)), gt(roomPasses.expiresAt, now)))
    .limit(1);
  return row;
}

/**
 * Uses a one-time invite: marks it used (only the first caller wins) and
 * issues the guest's own pass for the same attention.
 */
export async function redeemInvite(deps: AttentionDeps, tenantId: string, token: string): Promise<string | undefined> {
  if (!isPassToken(token)) return undefined;
  // one transaction: an invite is never used up without the guest's pass
  return deps.database.db.transaction(async (tx) => {
  const [used] = await tx
    .update(roomPasses)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(roomPasses.tenantId, tenantId),
        eq(roomPasses.tokenHash, sha256(token)),
        eq(roomPasses.role, 'invite'),
        isNull(roomPasses.usedAt),
        gt(roomPasses.expiresAt, new Date((deps.now ?? Date.now)())),
      ),
    )
    .returning();
  if (!used?.attentionId) return undefined;
  return issuePass(deps, { tenantId, role: 'guest', attentionId: used.attentionId, label: used.label ?? undefined, ttlMinutes: 4 * 60 }, tx);
  });
}
