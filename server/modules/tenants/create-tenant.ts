/**
 * Creates a town hall with its office hours and holidays in one transaction.
 * Used by the demo seed, the CLI and tests.
 */
import { z } from 'zod';
import { LANGUAGES } from '../../../shared/domain.js';
import type { Db } from '../../db/client.js';
import { holidays, officeHours, tenants, typologies } from '../../db/schema.js';
import { DEFAULT_TYPOLOGIES } from '../attention/typologies.js';
import { isDir3Code } from '../evidence/eni-identifier.js';
import type { Tenant } from './tenants.repository.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);

export const tenantInput = z.object({
  slug: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/),
  name: z.string().min(1).max(200),
  /** The organ's DIR3 code; a town hall's (L01…) must carry its INE control digit (it names every ENI document). */
  dir3Code: z.string().refine(isDir3Code, 'dir3_invalid'),
  timeZone: z
    .string()
    .default('Europe/Madrid')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'unknown time zone'),
  languages: z.array(z.enum(LANGUAGES)).min(1).default(['ca', 'es', 'en']),
  defaultLanguage: z.enum(LANGUAGES).default('ca'),
  logoUrl: z.string().max(500).optional(),
  colour: z.string().regex(/^#[0-9a-fA-F]{6}$/).default('#0b5394'),
  contactEmail: z.email().optional(),
  contactPhone: z.string().max(40).optional(),
  address: z.string().max(300).optional(),
  cancelCutoffMinutes: z.number().int().min(0).max(10_080).default(60),
  officeHours: z
    .array(z.object({ weekday: z.number().int().min(1).max(7), opensAt: hhmm, closesAt: hhmm }))
    .default([1, 2, 3, 4, 5].map((weekday) => ({ weekday, opensAt: '08:00', closesAt: '20:00' }))),
  holidays: z
    .array(z.object({ day: z.iso.date(), name: z.partialRecord(z.enum(LANGUAGES), z.string().max(200)) }))
    .default([]),
});

export type TenantInput = z.input<typeof tenantInput>;

export async function createTenant(opts: { db: Db; input: TenantInput }): Promise<Tenant> {
  const input = tenantInput.parse(opts.input);
  return opts.db.transaction(async (tx) => {
    const [tenant] = await tx
      .insert(tenants)
      .values({
        slug: input.slug,
        name: input.name,
        dir3Code: input.dir3Code,
        timeZone: input.timeZone,
        languages: input.languages,
        defaultLanguage: input.languages.includes(input.defaultLanguage) ? input.defaultLanguage : input.languages[0],
        logoUrl: input.logoUrl,
        colour: input.colour,
        contactEmail: input.contactEmail,
        contactPhone: input.contactPhone,
        address: input.address,
        settings: { cancelCutoffMinutes: input.cancelCutoffMinutes },
      })
      .returning();
    if (input.officeHours.length) {
      await tx.insert(officeHours).values(input.officeHours.map((o) => ({ ...o, tenantId: tenant.id })));
    }
    if (input.holidays.length) {
      await tx.insert(holidays).values(input.holidays.map((h) => ({ ...h, tenantId: tenant.id })));
    }
    // A starting list of consultation types; admins change it later.
    await tx.insert(typologies).values(DEFAULT_TYPOLOGIES.map((t, position) => ({ ...t, position, tenantId: tenant.id })));
    return tenant;
  });
}
