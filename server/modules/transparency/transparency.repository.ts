/**
 * SQL of the public figures: the stored month publications, the public names
 * of a town hall's procedures and consultation types, the tenants an operator
 * serves.
 */
import { sql } from 'drizzle-orm';
import type { LocalizedText } from '../../../shared/domain.js';
import type { Database } from '../../db/client.js';
import { indicatorSettings } from '../indicators/indicator-settings.js';
import { listTenants, type Tenant } from '../tenants/tenants.repository.js';
import type { MonthPublication } from './month-publication.js';

/** A month's stored publication, if it has been published. */
export async function readPublication(database: Database, tenantId: string, month: string): Promise<MonthPublication | undefined> {
  const [row] = await database.rows<{ payload: MonthPublication }>(sql`
    SELECT payload FROM transparency_publications WHERE tenant_id = ${tenantId} AND month = ${`${month}-01`}::date`);
  return row?.payload;
}

/** Stores a month's publication unless one is already stored (the first writer wins; see publish-month.ts). */
export async function insertPublication(database: Database, tenantId: string, publication: MonthPublication): Promise<void> {
  await database.rows(sql`
    INSERT INTO transparency_publications (tenant_id, month, payload)
    VALUES (${tenantId}, ${`${publication.month}-01`}::date, ${JSON.stringify(publication)}::jsonb)
    ON CONFLICT (tenant_id, month) DO NOTHING`);
}

/** What the public sees of a procedure or consultation type: its code, name and place in the lists. */
export type PublicName = { code: string; name: LocalizedText; position: number };

export type PublicNames = { procedures: Map<string, PublicName>; typologies: Map<string, PublicName> };

/** Procedures and consultation types of one town hall by id (inactive ones too: past attentions refer to them). */
export async function publicNames(database: Database, tenantId: string): Promise<PublicNames> {
  const rows = await database.rows<{ kind: 'p' | 't'; id: string; code: string; name: LocalizedText; position: number }>(sql`
    SELECT 'p' AS kind, id, code, name, position FROM procedures WHERE tenant_id = ${tenantId}
    UNION ALL SELECT 't' AS kind, id, code, name, position FROM typologies WHERE tenant_id = ${tenantId}`);
  const of = (kind: 'p' | 't') => new Map(rows.filter((r) => r.kind === kind).map((r) => [r.id, { code: r.code, name: r.name, position: Number(r.position) }]));
  return { procedures: of('p'), typologies: of('t') };
}

/** The town halls that share their figures with the operator (the opted-out ones are left out), by name. */
export async function tenantsSharingWithOperator(database: Database): Promise<Tenant[]> {
  return (await listTenants(database.db)).filter((t) => indicatorSettings(t).shareWithOperator);
}
