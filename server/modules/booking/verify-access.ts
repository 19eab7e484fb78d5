/**
 * Checks a reference and access code from the email. Answers the same for an
 * unknown reference and a wrong code, so nobody learns which appointments exist.
 */
import { timingSafeEqual } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { AppError } from '../../../shared/errors.js';
import { appointments } from '../../db/schema.js';
import { findProcedureById } from '../catalogue/catalogue.repository.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import type { BookingDeps } from './booking-context.js';
import { hashAccessCode } from './secrets.js';

/** "k7m q3p", "K7MQ3P" → "K7M-Q3P". */
export function normalizeReference(raw: string): string {
  const s = raw.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return s.length === 6 ? `${s.slice(0, 3)}-${s.slice(3)}` : s;
}

export async function verifyAccess(deps: BookingDeps, o: { tenant: Tenant; reference: string; code: string }) {
  const reference = normalizeReference(o.reference);
  const code = o.code.replace(/\D/g, '');
  const [row] = await deps.database.db
    .select()
    .from(appointments)
    .where(and(eq(appointments.tenantId, o.tenant.id), eq(appointments.reference, reference)))
    .limit(1);
  const expected = Buffer.from(row?.accessCodeHash ?? '0'.repeat(64), 'hex');
  const given = Buffer.from(hashAccessCode(row?.id ?? 'none', code), 'hex');
  if (!row || code.length !== 8 || !timingSafeEqual(expected, given)) throw new AppError('access_denied');
  const procedure = await findProcedureById(deps.database.db, o.tenant.id, row.procedureId);
  if (!procedure) throw new AppError('access_denied');
  return { appointment: row, procedure };
}
