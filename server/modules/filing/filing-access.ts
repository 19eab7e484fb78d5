/**
 * Who may do the staff steps of a formal attention (identity, filing): the
 * attention must exist in the town hall, be the agent's own (supervisors and
 * admins may act on any) and be in progress.
 */
import { AppError } from '../../../shared/errors.js';
import type { Staff } from '../staff/staff.repository.js';
import type { FilingAttention } from './filing.repository.js';

export type FilingActor = Pick<Staff, 'id' | 'role'>;

export function assertStaffOnAttention(att: FilingAttention | undefined, actor: FilingActor): asserts att is FilingAttention {
  if (!att) throw new AppError('attention_not_found');
  if (actor.role === 'agent' && att.agent_id !== actor.id) throw new AppError('forbidden');
}

export function assertInProgress(att: Pick<FilingAttention, 'status'>): void {
  if (att.status !== 'in_progress') throw new AppError('attention_not_active');
}
