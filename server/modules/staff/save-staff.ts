/** Admins add people and change their role, channels, procedures, weekly schedule and whether they are active. */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { CHANNELS, ROLES } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import type { Db } from '../../db/client.js';
import { pgErrorCode } from '../../db/client.js';
import { staff, staffSchedules } from '../../db/schema.js';
import { createStaff } from './create-staff.js';
import type { Staff } from './staff.repository.js';

const scheduleRow = z.object({
  weekday: z.number().int().min(1).max(7),
  startsAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
  endsAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
});

export const staffInput = z.object({
  fullName: z.string().trim().min(2).max(120),
  email: z.email().max(254),
  role: z.enum(ROLES),
  channels: z.array(z.enum(CHANNELS)).max(4).default([]),
  procedureIds: z.array(z.uuid()).max(500).default([]),
  schedule: z.array(scheduleRow).max(50).default([]),
  active: z.boolean().default(true),
  /** Required to create; ignored on update. */
  password: z.string().min(12).max(200).optional(),
});

export type StaffInput = z.input<typeof staffInput>;

export async function saveStaff(o: { db: Db; tenantId: string; staffId?: string; input: StaffInput }): Promise<Staff> {
  const parsed = staffInput.safeParse(o.input);
  if (!parsed.success) {
    throw new AppError('validation_failed', { fields: parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })) });
  }
  const input = parsed.data;
  if (input.schedule.some((s) => s.startsAt >= s.endsAt)) throw new AppError('validation_failed', { fields: [{ path: 'schedule', code: 'invalid' }] });
  try {
    if (!o.staffId) {
      if (!input.password) throw new AppError('validation_failed', { fields: [{ path: 'password', code: 'too_small' }] });
      return await createStaff({ db: o.db, tenantId: o.tenantId, ...input, password: input.password });
    }
    return await o.db.transaction(async (tx) => {
      const [row] = await tx
        .update(staff)
        .set({ fullName: input.fullName, email: input.email, role: input.role, channels: input.channels, procedureIds: input.procedureIds, active: input.active })
        .where(and(eq(staff.tenantId, o.tenantId), eq(staff.id, o.staffId!)))
        .returning();
      if (!row) throw new AppError('not_found');
      await tx.delete(staffSchedules).where(and(eq(staffSchedules.tenantId, o.tenantId), eq(staffSchedules.staffId, row.id)));
      if (input.schedule.length) await tx.insert(staffSchedules).values(input.schedule.map((s) => ({ ...s, tenantId: o.tenantId, staffId: row.id })));
      return row;
    });
  } catch (e) {
    if (pgErrorCode(e) === '23505') throw new AppError('conflict', { fields: [{ path: 'email', code: 'taken' }] });
    throw e;
  }
}
