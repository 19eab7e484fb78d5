/** Admins set the office hours and holidays of their town hall. */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { LANGUAGES } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import type { Db } from '../../db/client.js';
import { pgErrorCode } from '../../db/client.js';
import { holidays, officeHours } from '../../db/schema.js';
import type { WeeklyRow } from './weekly-hours.js';

/** Replaces the whole week of office hours at once. */
export async function replaceOfficeHours(db: Db, tenantId: string, rows: WeeklyRow[]) {
  await db.transaction(async (tx) => {
    await tx.delete(officeHours).where(eq(officeHours.tenantId, tenantId));
    if (rows.length) await tx.insert(officeHours).values(rows.map((r) => ({ tenantId, weekday: r.weekday, opensAt: r.startsAt, closesAt: r.endsAt })));
  });
}

export const holidayInput = z.object({
  day: z.iso.date(),
  name: z.partialRecord(z.enum(LANGUAGES), z.string().trim().min(1).max(200)),
});

export async function addHoliday(db: Db, tenantId: string, input: z.infer<typeof holidayInput>) {
  try {
    const [row] = await db.insert(holidays).values({ tenantId, day: input.day, name: input.name }).returning();
    return row;
  } catch (e) {
    if (pgErrorCode(e) === '23505') throw new AppError('conflict', { fields: [{ path: 'day', code: 'taken' }] });
    throw e;
  }
}

export async function deleteHoliday(db: Db, tenantId: string, day: string) {
  const rows = await db.delete(holidays).where(and(eq(holidays.tenantId, tenantId), eq(holidays.day, day))).returning();
  if (rows.length === 0) throw new AppError('not_found');
}
