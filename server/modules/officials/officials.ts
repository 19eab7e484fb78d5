/**
 * The town hall's register of authorised officials (funcionaris habilitats):
 * grant a staff member the power to file on a citizen's behalf under an act
 * (e.g. "Decret 123/2026") for a period of local dates, list the register and
 * revoke. Rows are never deleted; revoking sets `revoked_at`. Every query
 * names the tenant.
 */
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import type { Db } from '../../db/client.js';
import { pgConstraint, pgErrorCode } from '../../db/client.js';
import { authorisedOfficials, staff } from '../../db/schema.js';

export const APPOINTMENT_ACT_MAX = 200;

const isoDate = z.iso.date();

/** The grant as the API takes it (the page's form goes through the same checks in grantOfficial). */
export const officialInput = z.object({
  staffId: z.uuid().describe('A staff member of this town hall.'),
  appointmentAct: z.string().max(1000).describe(`The act that empowers them, e.g. "Decret 123/2026" (1 to ${APPOINTMENT_ACT_MAX} characters once trimmed).`),
  validFrom: isoDate.describe('First local day of the power (YYYY-MM-DD).'),
  validUntil: isoDate.nullish().describe('Last local day of the power (YYYY-MM-DD), on or after validFrom; none means until revoked.'),
});

export type OfficialState = 'active' | 'pending' | 'expired' | 'revoked';

export type Official = {
  id: string;
  staffId: string;
  fullName: string;
  staffActive: boolean;
  appointmentAct: string;
  validFrom: string;
  validUntil: string | null;
  createdAt: Date;
  revokedAt: Date | null;
};

export type FieldProblem = { path: string; code: string };

/** Where a row stands on the local day `today` (YYYY-MM-DD). */
export function officialState(o: Pick<Official, 'validFrom' | 'validUntil' | 'revokedAt'>, today: string): OfficialState {
  if (o.revokedAt) return 'revoked';
  if (today < o.validFrom) return 'pending';
  if (o.validUntil && today > o.validUntil) return 'expired';
  return 'active';
}

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** Checks a grant as sent (API body or form fields), every problem with its own code. */
export function checkOfficialInput(raw: unknown): { input: { staffId: string; appointmentAct: string; validFrom: string; validUntil: string | null }; problems: FieldProblem[] } {
  const o = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const problems: FieldProblem[] = [];
  const staffId = str(o.staffId);
  if (!z.uuid().safeParse(staffId).success) problems.push({ path: 'staffId', code: 'staff_unknown' });
  const appointmentAct = str(o.appointmentAct);
  if (!appointmentAct) problems.push({ path: 'appointmentAct', code: 'act_required' });
  else if (appointmentAct.length > APPOINTMENT_ACT_MAX) problems.push({ path: 'appointmentAct', code: 'act_too_long' });
  const validFrom = str(o.validFrom);
  if (!isoDate.safeParse(validFrom).success) problems.push({ path: 'validFrom', code: validFrom ? 'date_invalid' : 'date_required' });
  const until = str(o.validUntil);
  const validUntil = until || null;
  if (validUntil && !isoDate.safeParse(validUntil).success) problems.push({ path: 'validUntil', code: 'date_invalid' });
  else if (validUntil && !problems.some((p) => p.path === 'validFrom') && validUntil < validFrom) problems.push({ path: 'validUntil', code: 'until_before_from' });
  return { input: { staffId, appointmentAct, validFrom, validUntil }, problems };
}

/** The register, newest first, with each official's name. */
export async function listOfficials(db: Db, tenantId: string): Promise<Official[]> {
  return db
    .select({
      id: authorisedOfficials.id,
      staffId: authorisedOfficials.staffId,
      fullName: staff.fullName,
      staffActive: staff.active,
      appointmentAct: authorisedOfficials.appointmentAct,
      validFrom: authorisedOfficials.validFrom,
      validUntil: authorisedOfficials.validUntil,
      createdAt: authorisedOfficials.createdAt,
      revokedAt: authorisedOfficials.revokedAt,
    })
    .from(authorisedOfficials)
    .innerJoin(staff, and(eq(staff.id, authorisedOfficials.staffId), eq(staff.tenantId, authorisedOfficials.tenantId)))
    .where(eq(authorisedOfficials.tenantId, tenantId))
    .orderBy(sql`${authorisedOfficials.revokedAt} IS NOT NULL`, desc(authorisedOfficials.createdAt), asc(staff.fullName));
}

async function findOfficial(db: Db, tenantId: string, id: string): Promise<Official | undefined> {
  return (await listOfficials(db, tenantId)).find((o) => o.id === id);
}

/**
 * Grants the power. Throws `validation_failed` with `{ path, code }` for each
 * problem (staff_unknown: not a staff member of this town hall), `conflict`
 * with `already_authorised` when the staff member already has a row not revoked.
 */
export async function grantOfficial(o: { db: Db; tenantId: string; input: unknown }): Promise<Official> {
  const { input, problems } = checkOfficialInput(o.input);
  if (!problems.some((p) => p.path === 'staffId')) {
    const [member] = await o.db
      .select({ id: staff.id })
      .from(staff)
      .where(and(eq(staff.tenantId, o.tenantId), eq(staff.id, input.staffId)));
    if (!member) problems.unshift({ path: 'staffId', code: 'staff_unknown' });
  }
  if (problems.length) throw new AppError('validation_failed', { fields: problems });
  let id: string;
  try {
    const [row] = await o.db
      .insert(authorisedOfficials)
      .values({ tenantId: o.tenantId, staffId: input.staffId, appointmentAct: input.appointmentAct, validFrom: input.validFrom, validUntil: input.validUntil })
      .returning({ id: authorisedOfficials.id });
    id = row.id;
  } catch (e) {
    // the only unique constraint besides the id (some drivers do not name it)
    if (pgErrorCode(e) === '23505' && (pgConstraint(e) ?? 'authorised_officials_one_current') === 'authorised_officials_one_current') {
      throw new AppError('conflict', { fields: [{ path: 'staffId', code: 'already_authorised' }] });
    }
    throw e;
  }
  return (await findOfficial(o.db, o.tenantId, id))!;
}

/** Revokes a row not revoked yet; `not_found` for an unknown id, another town hall's, or one already revoked. */
export async function revokeOfficial(o: { db: Db; tenantId: string; id: string }): Promise<Official> {
  if (!z.uuid().safeParse(o.id).success) throw new AppError('not_found');
  const done = await o.db
    .update(authorisedOfficials)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(authorisedOfficials.tenantId, o.tenantId), eq(authorisedOfficials.id, o.id), isNull(authorisedOfficials.revokedAt)))
    .returning({ id: authorisedOfficials.id });
  if (!done.length) throw new AppError('not_found');
  return (await findOfficial(o.db, o.tenantId, o.id))!;
}
