/**
 * Creates or updates a procedure of a tenant's catalogue (admins only).
 * Names are required in every language the tenant offers.
 */
import { AppError } from '../../../shared/errors.js';
import type { Db } from '../../db/client.js';
import { pgConstraint, pgErrorCode } from '../../db/client.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import {
  findDepartment,
  insertProcedure,
  updateProcedure,
  type Procedure,
} from './catalogue.repository.js';
import { procedureInput, type ProcedureInput } from './catalogue.schemas.js';

export async function saveProcedure(opts: {
  db: Db;
  tenant: Tenant;
  /** Present to update, absent to create. */
  procedureId?: string;
  input: ProcedureInput;
}): Promise<Procedure> {
  const parsed = procedureInput.safeParse(opts.input);
  if (!parsed.success) {
    throw new AppError('validation_failed', {
      fields: parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })),
    });
  }
  const input = parsed.data;
  const missing = opts.tenant.languages.filter((l) => !input.name[l]);
  if (missing.length) {
    throw new AppError('validation_failed', { fields: missing.map((l) => ({ path: `name.${l}`, code: 'required' })) });
  }
  if (input.departmentId && !(await findDepartment(opts.db, opts.tenant.id, input.departmentId))) {
    throw new AppError('validation_failed', { fields: [{ path: 'departmentId', code: 'unknown' }] });
  }
  const values = { ...input, channels: [...new Set(input.channels)], departmentId: input.departmentId ?? null };
  try {
    if (!opts.procedureId) return await insertProcedure(opts.db, opts.tenant.id, values);
    const row = await updateProcedure(opts.db, opts.tenant.id, opts.procedureId, values);
    if (!row) throw new AppError('procedure_not_found');
    return row;
  } catch (e) {
    if (pgErrorCode(e) === '23505' && pgConstraint(e) === 'procedures_tenant_code') {
      throw new AppError('conflict', { fields: [{ path: 'code', code: 'taken' }] });
    }
    throw e;
  }
}
