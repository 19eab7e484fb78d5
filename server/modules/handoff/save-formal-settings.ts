/**
 * Admins set how their town hall runs formal procedures
 * (`tenants.settings.formal`): the upload deadline before the slot (0–720
 * hours), the optional consent code by email, and how many days personal data
 * is kept after an attention (1–3650). The stored settings are read under the
 * tenant row's lock and the other settings keys kept, as the survey and
 * indicator settings do; the caller drops its cached tenant afterwards.
 */
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import type { Db } from '../../db/client.js';
import { tenants, type FormalSettings } from '../../db/schema.js';
import { formalSettings } from '../filing/formal-settings.js';

export const formalSettingsInput = z.strictObject({
  uploadDeadlineHours: z.number().int().min(0).max(720),
  consentOtp: z.enum(['off', 'email']),
  personalDataRetentionDays: z.number().int().min(1).max(3650),
});

/** Checks and stores the formal settings; `validation_failed` names each field that is wrong. Returns them as stored. */
export async function saveFormalSettings(o: { db: Db; tenantId: string; input: unknown }): Promise<FormalSettings> {
  const parsed = formalSettingsInput.safeParse(o.input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'settings', code: 'invalid' }));
    throw new AppError('validation_failed', { fields });
  }
  return o.db.transaction(async (tx) => {
    const [row] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, o.tenantId)).for('update');
    if (!row) throw new AppError('tenant_not_found');
    const [saved] = await tx
      .update(tenants)
      .set({ settings: sql`${tenants.settings} || jsonb_build_object('formal', ${JSON.stringify(parsed.data)}::jsonb)` })
      .where(eq(tenants.id, o.tenantId))
      .returning({ settings: tenants.settings });
    return formalSettings(saved!);
  });
}
