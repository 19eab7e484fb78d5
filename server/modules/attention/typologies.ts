/**
 * The consultation types a town hall classifies its attentions by (closing form, indicators).
 * Admins add, rename, reorder, deactivate and reactivate them; never delete: closed attentions refer to them.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { LANGUAGES, type Language, type LocalizedText } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import { pgConstraint, pgErrorCode, type Db } from '../../db/client.js';
import { typologies } from '../../db/schema.js';
import type { Tenant } from '../tenants/tenants.repository.js';

export type Typology = typeof typologies.$inferSelect;

/** Given to every new town hall; the list follows the seed services' usual classification. */
export const DEFAULT_TYPOLOGIES: Array<{ code: string; name: LocalizedText }> = [
  { code: 'information', name: { ca: 'Informació general', es: 'Información general', en: 'General information' } },
  { code: 'filing', name: { ca: 'Presentació de sol·licitud', es: 'Presentación de solicitud', en: 'Filing a request' } },
  { code: 'certificate', name: { ca: 'Certificat o volant', es: 'Certificado o volante', en: 'Certificate' } },
  { code: 'digital-help', name: { ca: 'Ajuda amb la tramitació electrònica', es: 'Ayuda con la tramitación electrónica', en: 'Help with an online procedure' } },
  { code: 'case-status', name: { ca: "Estat d'un expedient", es: 'Estado de un expediente', en: 'Status of a case' } },
  { code: 'other', name: { ca: 'Altres', es: 'Otros', en: 'Other' } },
];

/** A town hall's types in order; the console and the closing form ask for the active ones. */
export async function listTypologies(db: Db, tenantId: string, opts: { activeOnly: boolean }): Promise<Typology[]> {
  const where = opts.activeOnly ? and(eq(typologies.tenantId, tenantId), eq(typologies.active, true)) : eq(typologies.tenantId, tenantId);
  return db.select().from(typologies).where(where).orderBy(asc(typologies.position), asc(typologies.code));
}

/** One type of this town hall; another town hall's id finds nothing. */
export async function findTypology(db: Db, tenantId: string, id: string): Promise<Typology | undefined> {
  const [row] = await db.select().from(typologies).where(and(eq(typologies.tenantId, tenantId), eq(typologies.id, id))).limit(1);
  return row;
}

/** A name per language; the tenant's languages are all required (checked against the tenant). */
const typologyName = z.partialRecord(z.enum(LANGUAGES), z.string().trim().max(120));

/** What an admin may change on a consultation type. The code is fixed at creation: indicators count by it. */
export const typologyChange = z.object({
  name: typologyName,
  position: z.number().int().min(0).max(10_000).describe('Order in the closing form (lowest first).'),
  active: z.boolean().describe('Offered when closing an attention; inactive ones stay on the attentions already closed with them.'),
});
export type TypologyChange = z.input<typeof typologyChange>;

/** A new consultation type: a unique code and a name in every tenant language; at the end of the list unless placed. */
export const typologyInput = typologyChange.extend({
  code: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/).describe('Lowercase letters, digits and hyphens; unique in the town hall.'),
  position: typologyChange.shape.position.optional().describe('Order in the closing form; absent = after the others.'),
  active: z.boolean().default(true),
});
export type TypologyInput = z.input<typeof typologyInput>;

type FieldProblem = { path: string; code: string };

/** Every problem of the input at once, including a name missing in one of the tenant's languages. */
function problemsOf<S extends z.ZodType>(schema: S, input: unknown, languages: readonly Language[]): { data?: z.output<S>; fields: FieldProblem[] } {
  const parsed = schema.safeParse(input);
  const fields = parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code as string }));
  const name = ((parsed.success ? parsed.data : input) as { name?: Record<string, unknown> } | undefined)?.name ?? {};
  for (const l of languages) {
    if (!name[l] && !fields.some((f) => f.path === `name.${l}`)) fields.push({ path: `name.${l}`, code: 'required' });
  }
  return { data: parsed.success ? parsed.data : undefined, fields };
}

/** `conflict` when the only problem is a code already in use, `validation_failed` otherwise (all problems listed). */
function fail(fields: FieldProblem[]): never {
  throw new AppError(fields.every((f) => f.code === 'taken') ? 'conflict' : 'validation_failed', { fields });
}

function rethrowDuplicate(e: unknown): never {
  if (pgErrorCode(e) === '23505' && pgConstraint(e) === 'typologies_tenant_code') throw new AppError('conflict', { fields: [{ path: 'code', code: 'taken' }] });
  throw e;
}

/** Adds a consultation type to a town hall; a code already used there is a `conflict` on `code`. */
export async function addTypology(o: { db: Db; tenant: Pick<Tenant, 'id' | 'languages'>; input: TypologyInput }): Promise<Typology> {
  const { data, fields } = problemsOf(typologyInput, o.input, o.tenant.languages);
  // A code in use is told together with the other problems (the unique constraint still decides races).
  const code = (o.input as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && !fields.some((f) => f.path === 'code')) {
    const [used] = await o.db.select({ id: typologies.id }).from(typologies).where(and(eq(typologies.tenantId, o.tenant.id), eq(typologies.code, code))).limit(1);
    if (used) fields.unshift({ path: 'code', code: 'taken' });
  }
  if (!data || fields.length) fail(fields);
  const input = data;
  try {
    const [row] = await o.db
      .insert(typologies)
      .values({
        tenantId: o.tenant.id,
        code: input.code,
        name: pickLanguages(input.name, o.tenant.languages),
        active: input.active,
        position:
          input.position ?? sql<number>`(SELECT COALESCE(max(${typologies.position}) + 1, 0) FROM ${typologies} WHERE ${typologies.tenantId} = ${o.tenant.id})`,
      })
      .returning();
    return row;
  } catch (e) {
    rethrowDuplicate(e);
  }
}

/** Renames, moves, deactivates or reactivates a consultation type. Never deleted: closed attentions refer to it. */
export async function changeTypology(o: { db: Db; tenant: Pick<Tenant, 'id' | 'languages'>; typologyId: string; input: TypologyChange }): Promise<Typology> {
  const { data: input, fields } = problemsOf(typologyChange, o.input, o.tenant.languages);
  if (!input || fields.length) fail(fields);
  const [row] = await o.db
    .update(typologies)
    .set({ name: pickLanguages(input.name, o.tenant.languages), position: input.position, active: input.active })
    .where(and(eq(typologies.tenantId, o.tenant.id), eq(typologies.id, o.typologyId)))
    .returning();
  if (!row) throw new AppError('not_found');
  return row;
}

/** Keeps the names in the tenant's languages only. */
function pickLanguages(name: LocalizedText, languages: readonly Language[]): LocalizedText {
  return Object.fromEntries(languages.filter((l) => name[l]).map((l) => [l, name[l]]));
}

/** Deactivates or reactivates a consultation type, leaving its name and place alone. */
export async function setTypologyActive(o: { db: Db; tenantId: string; typologyId: string; active: boolean }): Promise<Typology> {
  const [row] = await o.db
    .update(typologies)
    .set({ active: o.active })
    .where(and(eq(typologies.tenantId, o.tenantId), eq(typologies.id, o.typologyId)))
    .returning();
  if (!row) throw new AppError('not_found');
  return row;
}
