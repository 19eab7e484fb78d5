/**
 * Staff sign-in with email and password. Answers the same for an unknown email,
 * a wrong password and a locked account; locks an account after repeated failures.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../shared/errors.js';
import type { Db } from '../../db/client.js';
import { sha256 } from '../booking/secrets.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { dummyHash, verifyPassword } from './passwords.js';
import {
  deleteSession,
  findSession,
  findStaffByEmail,
  insertSession,
  recordFailedLogin,
  resetFailedLogins,
} from './staff.repository.js';

export type LoginPolicy = { maxFailures: number; lockMinutes: number; sessionHours: number };

export async function login(o: { db: Db; tenant: Tenant; email: string; password: string; policy: LoginPolicy }) {
  const person = await findStaffByEmail(o.db, o.tenant.id, o.email);
  if (!person || !person.active) {
    await verifyPassword(await dummyHash(), o.password);
    throw new AppError('invalid_credentials');
  }
  const locked = !!person.lockedUntil && person.lockedUntil.getTime() > Date.now();
  // A locked account answers like a wrong password, so nobody learns which emails exist.
  if (!(await verifyPassword(person.passwordHash, o.password)) || locked) {
    if (locked) throw new AppError('invalid_credentials');
    await recordFailedLogin(o.db, o.tenant.id, person.id, o.policy.maxFailures, o.policy.lockMinutes);
    throw new AppError('invalid_credentials');
  }
  await resetFailedLogins(o.db, o.tenant.id, person.id);
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + o.policy.sessionHours * 3_600_000);
  await insertSession(o.db, { tokenHash: sha256(token), tenantId: o.tenant.id, staffId: person.id, csrfToken, expiresAt });
  return { token, csrfToken, expiresAt, staff: person };
}

export async function currentSession(db: Db, tenant: Tenant, token: string | undefined) {
  if (!token || token.length > 100) return undefined;
  return findSession(db, tenant.id, sha256(token));
}

export async function logout(db: Db, tenant: Tenant, token: string | undefined) {
  if (token && token.length <= 100) await deleteSession(db, tenant.id, sha256(token));
}
