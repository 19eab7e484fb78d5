/** Who may do what in the staff area: signed in, of this tenant, with one of the roles; CSRF on changes. */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../shared/domain.js';
import { AppError } from '../../shared/errors.js';
import type { Staff } from '../modules/staff/staff.repository.js';
import type { AppContext } from './context.js';
import { resolveStaff, resolveTenant } from './request-tenant.js';

export async function requireStaff(ctx: AppContext, req: FastifyRequest, roles?: Role[]): Promise<Staff> {
  const staff = req.staff ?? (await resolveStaff(ctx, req));
  if (!staff) throw new AppError('unauthenticated');
  if (roles && !roles.includes(staff.role)) throw new AppError('forbidden');
  return staff;
}

/** State-changing staff requests carry the session's CSRF token (form field or header). */
export function checkCsrf(req: FastifyRequest): void {
  const sent =
    (req.headers['x-csrf-token'] as string | undefined) ?? ((req.body as Record<string, unknown> | undefined)?._csrf as string | undefined);
  const expected = req.csrfToken;
  if (!expected || typeof sent !== 'string' || sent.length !== expected.length || !timingSafeEqual(Buffer.from(sent), Buffer.from(expected))) {
    throw new AppError('csrf_failed');
  }
}

/**
 * The `onRequest` hook of a staff JSON API: the tenant from the path, a
 * signed-in staff member of it with one of `roles`, and CSRF on every change.
 */
export function staffApiAccess(ctx: AppContext, roles: Role[]) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    await resolveTenant(ctx, req, reply);
    await resolveStaff(ctx, req);
    await requireStaff(ctx, req, roles);
    if (req.method !== 'GET' && req.method !== 'HEAD') checkCsrf(req);
  };
}
