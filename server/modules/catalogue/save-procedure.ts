/**
 * Creates or updates a procedure of a tenant's catalogue (admins only).
 * Names are required in every language the tenant offers; a request form
 * must fit the subset of modules/filing/request-schema.ts
 * (`request_schema_invalid` with the first problem's path and code, and
 * `fields: [{ path: 'requestSchema', code }]` for forms).
 */
import { AppError } from '../../../shared/errors.js';
import { requestSchemaProblems, withFieldOrder } from '../filing/request-schema.js';
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
  if (input.requestSchema) {
    const problems = requestSchemaProblems(input.requestSchema);
    if (problems.length) {
      const [first] = problems;
      throw new AppError('request_schema_invalid', { path: first.path, code: first.code, problems: problems.slice(0, 20), fields: [{ path: 'requestSchema', code: first.code }] });
    }
  }
  if (input.departmentId && !(await findDepartment(opts.db, opts.tenant.id, input.departmentId))) {
    throw new AppError('validation_failed', { fields: [{ path: 'departmentId', code: 'unknown' }] });
  }
  const values = {
    ...input,
    channels: [...new Set(input.channels)],
    departmentId: input.departmentId ?? null,
    requestSchema: input.requestSchema ? withFieldOrder(input.requestSchema) : input.requestSchema,
  };
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
