/**
 * Who may do the staff steps of a formal attention (identity, filing): the
 * attention must exist in the town hall and be the agent's own (supervisors
 * and admins may act on any) — `attentionForStaff`, checked before the step's
 * transaction — and be in progress (checked on the locked row).
 */
import { AppError } from '../../../shared/errors.js';
import type { Staff } from '../staff/staff.repository.js';
import type { FilingAttention } from './filing.repository.js';

export { attentionForStaff } from '../attention/attention-access.js';

export type FilingActor = Pick<Staff, 'id' | 'role'>;

/** The attention (read or locked in the step's transaction) still exists: attention_not_found otherwise. */
export function assertFound(att: FilingAttention | undefined): asserts att is FilingAttention {
  if (!att) throw new AppError('attention_not_found');
}

export function assertInProgress(att: Pick<FilingAttention, 'status'>): void {
  if (att.status !== 'in_progress') throw new AppError('attention_not_active');
}
