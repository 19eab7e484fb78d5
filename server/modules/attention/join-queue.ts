/**
 * A citizen without an appointment joins the virtual queue of a town hall: a
 * procedure, video or call-back, name and contact, and reasons for priority.
 * Appointments are never mandatory. Returns the attention and the citizen's pass.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import { notifyEvent } from '../../db/events.js';
import { findProcedureByCode } from '../catalogue/catalogue.repository.js';
import { contactInput } from '../booking/booking.schemas.js';
import { validateContact } from '../booking/validate-contact.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import type { AttentionDeps } from './attention-context.js';
import type { AttentionRow } from './attention.repository.js';
import { liveSettings, PRIORITY_REASONS } from './live-settings.js';
import { issuePass } from './room-passes.js';

export const queueEntryInput = contactInput.omit({ taxId: true }).extend({
  procedure: z.string().regex(/^[a-z0-9-]{1,64}$/),
  channel: z.enum(['video', 'callback']),
  priority: z.array(z.enum(PRIORITY_REASONS)).max(PRIORITY_REASONS.length).default([]),
});
export type QueueEntryInput = z.infer<typeof queueEntryInput>;

export async function joinQueue(deps: AttentionDeps, o: { tenant: Tenant; input: QueueEntryInput }): Promise<{ attention: AttentionRow; token: string }> {
  const settings = liveSettings(o.tenant);
  if (!settings.queueOpen) throw new AppError('queue_closed');
  const contact = validateContact(o.tenant, o.input);
  const procedure = await findProcedureByCode(deps.database.db, o.tenant.id, o.input.procedure);
  if (!procedure || !procedure.active) throw new AppError('procedure_not_found');
  if (!procedure.channels.includes(o.input.channel)) throw new AppError('channel_not_offered');
  const reasons = [...new Set(o.input.priority)];
  const priority = Math.min(100, reasons.reduce((sum, r) => sum + (settings.queuePriorities[r] ?? 0), 0));
  const attention: { attention: AttentionRow; token: string } = await deps.database.db.transaction(async (tx) => {
    const res = (await tx.execute(sql`
      INSERT INTO attentions (tenant_id, procedure_id, channel, priority, priority_reasons, citizen_name, email, phone, language)
      VALUES (${o.tenant.id}, ${procedure.id}, ${o.input.channel}, ${priority}, ${`{${reasons.join(',')}}`}::text[],
              ${contact.citizenName}, ${contact.email}, ${contact.phone}, ${contact.language})
      RETURNING *`)) as unknown as { rows: AttentionRow[] };
    await tx.execute(notifyEvent({ type: 'queue.changed', tenantId: o.tenant.id }));
    // the pass in the same transaction: never an entry nobody can open
    const token = await issuePass(deps, { tenantId: o.tenant.id, role: 'citizen', attentionId: res.rows[0].id, ttlMinutes: 12 * 60 }, tx);
    return { attention: res.rows[0], token };
  });
  return attention;
}

/** The citizen leaves the queue before being attended. */
export async function leaveQueue(deps: AttentionDeps, o: { tenantId: string; attentionId: string }): Promise<void> {
  await deps.database.db.transaction(async (tx) => {
    const res = (await tx.execute(sql`
      UPDATE attentions SET status = 'abandoned', ended_at = now()
       WHERE tenant_id = ${o.tenantId} AND id = ${o.attentionId} AND status = 'waiting' RETURNING id`)) as unknown as { rows: unknown[] };
    if (res.rows.length === 0) return;
    await tx.execute(notifyEvent({ type: 'queue.changed', tenantId: o.tenantId }));
    await tx.execute(notifyEvent({ type: 'attention.changed', tenantId: o.tenantId, attentionId: o.attentionId, status: 'abandoned' }));
  });
}
