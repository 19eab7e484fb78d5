/**
 * Set-ups of the formal procedure's tests: an attention in progress on a
 * procedure (from the virtual queue, or a booked video appointment the citizen
 * entered), with the citizen's room pass; tiny real images for the ID captures;
 * and a form that fits the demo's generic request.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../server/db/client.js';
import { joinQueue } from '../../server/modules/attention/join-queue.js';
import { issuePass } from '../../server/modules/attention/room-passes.js';
import type { Tenant } from '../../server/modules/tenants/tenants.repository.js';
import { insertAppointment } from './appointments.js';

/** A 1×1 PNG (real bytes: the document store sniffs the type). */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** Data that fits GENERIC_REQUEST_SCHEMA (server/db/demo-seed.ts). */
export const GENERIC_FORM = {
  subject: 'Soroll nocturn al carrer Major',
  description: 'Cada nit hi ha soroll fins a les 3.\nDemano una inspecció.',
  amount: 0,
  eventDate: '2026-10-01',
  notifyByEmail: true,
  applicantRole: 'self',
};

export type FormalAttention = { attentionId: string; token: string; agentId: string; appointmentId: string | null };

async function staffId(database: Database, tenantId: string, email: string): Promise<string> {
  const [row] = await database.rows<{ id: string }>(sql`SELECT id FROM staff WHERE tenant_id = ${tenantId} AND lower(email) = lower(${email})`);
  if (!row) throw new Error(`no staff member ${email}`);
  return row.id;
}

/**
 * An attention in progress, taken by `agentEmail`, on `procedure`. `via`
 * queue: a virtual-queue entry (its own document space); appointment: a booked
 * video appointment (the appointment's space). The citizen's email is
 * `email` (null: phone only).
 */
export async function formalAttention(
  database: Database,
  o: { tenant: Tenant; agentEmail: string; procedure?: string; via?: 'queue' | 'appointment'; email?: string | null; language?: 'ca' | 'es' | 'en' },
): Promise<FormalAttention> {
  const agentId = await staffId(database, o.tenant.id, o.agentEmail);
  const procedure = o.procedure ?? 'instancia-generica';
  const email = o.email === undefined ? `citizen.${Math.random().toString(36).slice(2, 8)}@example.com` : o.email;
  const language = o.language ?? 'ca';
  if ((o.via ?? 'queue') === 'queue') {
    const { attention, token } = await joinQueue(
      { database },
      {
        tenant: o.tenant,
        input: {
          procedure,
          channel: 'video',
          name: 'Núria Prats',
          email: email ?? undefined,
          phone: email ? undefined : '+34612345678',
          language,
          privacyAccepted: true,
          priority: [],
          accessibility: { needs: [] },
        },
      },
    );
    await database.rows(sql`
      UPDATE attentions SET status = 'in_progress', agent_id = ${agentId}, taken_at = now(), connected_at = now()
       WHERE tenant_id = ${o.tenant.id} AND id = ${attention.id}`);
    return { attentionId: attention.id, token, agentId, appointmentId: null };
  }
  const [p] = await database.rows<{ id: string }>(sql`SELECT id FROM procedures WHERE tenant_id = ${o.tenant.id} AND code = ${procedure}`);
  const appointment = await insertAppointment(database, {
    tenantId: o.tenant.id,
    procedureId: p.id,
    channel: 'video',
    startsAt: new Date(Date.now() + 5 * 60_000),
    agentId,
    email,
    phone: email ? null : '+34612345678',
    language,
  });
  const [att] = await database.rows<{ id: string }>(sql`
    INSERT INTO attentions (tenant_id, appointment_id, procedure_id, channel, status, language, agent_id, queued_at, due_at, taken_at, connected_at)
    VALUES (${o.tenant.id}, ${appointment.id}, ${p.id}, 'video', 'in_progress', ${language}, ${agentId}, now(), now(), now(), now())
    RETURNING id`);
  const token = await issuePass({ database }, { tenantId: o.tenant.id, role: 'citizen', appointmentId: appointment.id, ttlMinutes: 60 });
  return { attentionId: att.id, token, agentId, appointmentId: appointment.id };
}

/** Ends an attention the way closing does (so that its agent may take another). */
export async function closeAttention(database: Database, tenantId: string, attentionId: string): Promise<void> {
  await database.rows(sql`
    UPDATE attentions SET status = 'closed', outcome = 'resolved', ended_at = now(), closed_at = now(),
           typology_id = (SELECT id FROM typologies WHERE tenant_id = ${tenantId} ORDER BY position LIMIT 1)
     WHERE tenant_id = ${tenantId} AND id = ${attentionId}`);
}
