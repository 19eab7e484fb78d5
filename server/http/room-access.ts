/**
 * The citizen's side of a room, from the pass token in its URL
 * (`/{slug}/room/{token}/…`): the pass must be a citizen's, of this town hall,
 * not expired. A missing, expired or foreign pass is `not_found` — nobody
 * learns which tokens exist. The attention is the pass's own, or the one its
 * appointment has once the citizen entered the waiting room (maybe none yet).
 */
import { AppError } from '../../shared/errors.js';
import { findAttention, findAttentionByAppointment, type AttentionRow } from '../modules/attention/attention.repository.js';
import { findPass, type RoomPass } from '../modules/attention/room-passes.js';
import type { AppContext } from './context.js';

export type CitizenRoom = {
  pass: RoomPass;
  /** The booked appointment, or null for a virtual-queue entry. */
  appointmentId: string | null;
  attention: AttentionRow | undefined;
};

export async function citizenRoomAccess(ctx: Pick<AppContext, 'database'>, tenantId: string, token: string): Promise<CitizenRoom> {
  const pass = await findPass({ database: ctx.database }, tenantId, token);
  if (!pass || pass.role !== 'citizen') throw new AppError('not_found');
  if (pass.appointmentId) {
    return { pass, appointmentId: pass.appointmentId, attention: await findAttentionByAppointment(ctx.database, tenantId, pass.appointmentId) };
  }
  const attention = pass.attentionId ? await findAttention(ctx.database, tenantId, pass.attentionId) : undefined;
  if (!attention) throw new AppError('not_found');
  return { pass, appointmentId: attention.appointment_id, attention };
}
