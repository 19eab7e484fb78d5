/** Whether a staff member may file on a citizen's behalf at a given instant (the filing flow asks). */
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { authorisedOfficials, staff, tenants } from '../../db/schema.js';

/**
 * True only when the staff member belongs to this town hall, is still active
 * staff, and has a row of the register not revoked whose validity includes
 * the town hall's local date at `at` (valid_from ≤ day ≤ valid_until, an
 * empty valid_until being open-ended).
 */
export async function isAuthorisedOfficial(db: Db, tenantId: string, staffId: string, at: Date): Promise<boolean> {
  if (!z.uuid().safeParse(staffId).success || !z.uuid().safeParse(tenantId).success || Number.isNaN(at.getTime())) return false;
  const day = sql`(${at.toISOString()}::timestamptz AT TIME ZONE ${tenants.timeZone})::date`;
  const rows = await db
    .select({ id: authorisedOfficials.id })
    .from(authorisedOfficials)
    .innerJoin(staff, and(eq(staff.tenantId, authorisedOfficials.tenantId), eq(staff.id, authorisedOfficials.staffId)))
    .innerJoin(tenants, eq(tenants.id, authorisedOfficials.tenantId))
    .where(
      and(
        eq(authorisedOfficials.tenantId, tenantId),
        eq(authorisedOfficials.staffId, staffId),
        isNull(authorisedOfficials.revokedAt),
        eq(staff.active, true),
        sql`${authorisedOfficials.validFrom} <= ${day}`,
        or(isNull(authorisedOfficials.validUntil), sql`${authorisedOfficials.validUntil} >= ${day}`),
      ),
    )
    .limit(1);
  return rows.length > 0;
}
