/** An agent says where they are: available, busy, pause or offline. Consoles of the town hall hear it. */
import { sql } from 'drizzle-orm';
import type { PresenceState } from '../../db/schema.js';
import { notifyEvent } from '../../db/events.js';
import type { AttentionDeps } from './attention-context.js';

export async function setPresence(deps: AttentionDeps, o: { tenantId: string; staffId: string; state: PresenceState }): Promise<void> {
  await deps.database.db.transaction(async (tx) => {
    await tx.execute(sql`
      INSERT INTO agent_presence (staff_id, tenant_id, state, since) VALUES (${o.staffId}, ${o.tenantId}, ${o.state}, now())
      ON CONFLICT (staff_id) DO UPDATE SET state = EXCLUDED.state,
             since = CASE WHEN agent_presence.state = EXCLUDED.state THEN agent_presence.since ELSE now() END`);
    await tx.execute(notifyEvent({ type: 'presence.changed', tenantId: o.tenantId, staffId: o.staffId, state: o.state }));
  });
}

export type PresenceRow = { staffId: string; fullName: string; state: PresenceState; since: string };

/** Every active staff member who attends a channel, with their presence (offline when never set). */
export async function listPresence(deps: AttentionDeps, tenantId: string): Promise<PresenceRow[]> {
  const rows = await deps.database.rows<{ staffId: string; fullName: string; state: PresenceState; since: Date | string | null }>(sql`
    SELECT s.id AS "staffId", s.full_name AS "fullName", COALESCE(p.state, 'offline') AS state, p.since
      FROM staff s LEFT JOIN agent_presence p ON p.staff_id = s.id AND p.tenant_id = s.tenant_id
     WHERE s.tenant_id = ${tenantId} AND s.active AND cardinality(s.channels) > 0
     ORDER BY s.full_name`);
  return rows.map((r) => ({ ...r, since: r.since ? new Date(r.since).toISOString() : new Date(0).toISOString() }));
}

/**
 * An agent whose last console closed (browser shut, network lost) and did not
 * come back: shown offline so that nobody counts on them, unless they are busy
 * with a citizen (that attention stays theirs).
 */
export async function goOfflineIfIdle(deps: AttentionDeps, o: { tenantId: string; staffId: string }): Promise<boolean> {
  return deps.database.db.transaction(async (tx) => {
    const res = (await tx.execute(sql`
      UPDATE agent_presence SET state = 'offline', since = now()
       WHERE staff_id = ${o.staffId} AND tenant_id = ${o.tenantId} AND state IN ('available', 'pause') RETURNING staff_id`)) as unknown as { rows: unknown[] };
    if (res.rows.length === 0) return false;
    await tx.execute(notifyEvent({ type: 'presence.changed', tenantId: o.tenantId, staffId: o.staffId, state: 'offline' }));
    return true;
  });
}
