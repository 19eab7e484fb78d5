/**
 * The agent reopens an appointment's document space after the upload deadline
 * (e.g. a document is missing or was rejected): the citizen may upload again
 * for `hours` from now (default 24, at most a week).
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import { appointmentForStaff } from '../attention/attention-access.js';
import type { Staff } from '../staff/staff.repository.js';

export const reopenInput = z.object({ hours: z.number().int().min(1).max(168).default(24) });
export type ReopenInput = z.input<typeof reopenInput>;

export async function reopenDocuments(
  deps: { database: Database },
  o: { tenantId: string; actor: Pick<Staff, 'id' | 'role'>; appointmentId: string; input: ReopenInput },
): Promise<{ reopenedUntil: Date }> {
  const input = reopenInput.parse(o.input ?? {});
  const ap = await appointmentForStaff(deps.database, o.tenantId, o.appointmentId, o.actor);
  if (ap.status !== 'booked') throw new AppError('appointment_not_active');
  const [row] = await deps.database.rows<{ until: Date | string }>(sql`
    UPDATE appointments SET documents_reopened_until = now() + make_interval(hours => ${input.hours})
     WHERE tenant_id = ${o.tenantId} AND id = ${o.appointmentId} AND status = 'booked'
    RETURNING documents_reopened_until AS until`);
  if (!row) throw new AppError('appointment_not_active');
  return { reopenedUntil: row.until instanceof Date ? row.until : new Date(row.until) };
}
