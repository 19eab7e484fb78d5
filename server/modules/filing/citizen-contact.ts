/**
 * Where the formal procedure reaches the citizen: one SQL fragment for their
 * email or phone, read the same way by the filing, its one-time code email
 * and the receipt — the appointment's first, then the queue attention's.
 */
import { sql, type SQL } from 'drizzle-orm';

const ALIAS = /^[a-z_][a-z0-9_]*$/;

/** `COALESCE(<appointment>.<field>, <attention>.<field>)` for the aliases of the query (default `at`, `ap`). */
export function citizenContactSql(field: 'email' | 'phone', alias: { attention: string; appointment: string } = { attention: 'at', appointment: 'ap' }): SQL {
  if (!ALIAS.test(alias.attention) || !ALIAS.test(alias.appointment)) throw new Error('bad table alias');
  return sql.raw(`COALESCE(${alias.appointment}.${field}, ${alias.attention}.${field})`);
}
