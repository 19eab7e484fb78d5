/**
 * Who may do the staff steps of a formal attention (identity, filing): the
 * attention must exist in the town hall and be the agent's own (supervisors
 * and admins may act on any) — the staff rule of attention-access.ts, checked
 * on the row the step reads or locks — and be in progress.
 */
import { AppError } from '../../../shared/errors.js';
import type { Staff } from '../staff/staff.repository.js';
import type { FilingAttention } from './filing.repository.js';

export { assertStaffOnAttention } from '../attention/attention-access.js';

export type FilingActor = Pick<Staff, 'id' | 'role'>;

export function assertInProgress(att: Pick<FilingAttention, 'status'>): void {
  if (att.status !== 'in_progress') throw new AppError('attention_not_active');
}
