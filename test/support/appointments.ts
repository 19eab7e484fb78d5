/**
 * A booked appointment written straight into the database, for tests and
 * benchmarks that need one the booking rules would refuse (in the past, or
 * starting in a few minutes). The row is what the booking statement writes.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../../server/db/client.js';
import { hashAccessCode, newAccessCode, newManageToken, newReference, sha256 } from '../../server/modules/booking/secrets.js';

export type InsertedAppointment = { id: string; reference: string; accessCode: string };

export async function insertAppointment(
  database: Database,
  o: {
    tenantId: string;
    procedureId: string;
    channel: 'video' | 'phone' | 'callback';
    /** null: a call-back as soon as possible. */
    startsAt: Date | null;
    /** Needed for a slot; none for as soon as possible. */
    agentId?: string;
    durationMinutes?: number;
    citizenName?: string;
    email?: string | null;
    phone?: string | null;
    language?: string;
    accessCode?: string;
  },
): Promise<InsertedAppointment> {
  const id = randomUUID();
  const reference = newReference();
  const accessCode = o.accessCode ?? newAccessCode();
  const start = o.startsAt;
  const end = start ? new Date(start.getTime() + (o.durationMinutes ?? 30) * 60_000) : null;
  await database.rows(sql`
    INSERT INTO appointments (id, tenant_id, reference, procedure_id, channel, kind, starts_at, ends_at, blocked_until, agent_id,
      citizen_name, email, phone, language, accessibility, privacy_accepted_at, access_code_hash, manage_token_hash)
    VALUES (${id}, ${o.tenantId}, ${reference}, ${o.procedureId}, ${o.channel}, ${start ? 'slot' : 'asap'},
      ${start?.toISOString() ?? null}::timestamptz, ${end?.toISOString() ?? null}::timestamptz, ${end?.toISOString() ?? null}::timestamptz,
      ${start ? (o.agentId ?? null) : null}, ${o.citizenName ?? 'Núria Prats'}, ${o.email === undefined ? `${randomUUID().slice(0, 8)}@example.com` : o.email},
      ${o.phone === undefined ? '+34612345678' : o.phone}, ${o.language ?? 'ca'}, '{"needs":[]}'::jsonb, now(),
      ${hashAccessCode(id, accessCode)}, ${sha256(newManageToken())})`);
  return { id, reference, accessCode };
}
