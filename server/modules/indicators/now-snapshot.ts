/**
 * The live picture for the dashboard's "now" panel: who waits (by channel, and
 * for how long), where the agents are, how many attentions are in course. One
 * statement, timed by the database's clock so waits never depend on a
 * process's clock.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { PRESENCE_STATES, type PresenceState } from '../../db/schema.js';
import type { NowSnapshot } from './indicators.types.js';

const CHANNELS = ['video', 'phone', 'callback'] as const;

type Row = { kind: 'w' | 'a' | 'p' | 'at'; key: string; n: number; secs: number | string | null };

export async function nowSnapshot(database: Database, tenantId: string): Promise<NowSnapshot> {
  // in_progress rows never have closed_at: saying so lets the (tenant_id, closed_at) index find them.
  const rows = await database.rows<Row>(sql`
    SELECT 'w' AS kind, channel AS key, count(*)::int AS n, greatest(0, extract(epoch FROM now() - min(greatest(queued_at, due_at))))::float8 AS secs
      FROM attentions WHERE tenant_id = ${tenantId} AND status = 'waiting' GROUP BY channel
    UNION ALL
    SELECT 'p', '', count(*)::int, NULL
      FROM attentions WHERE tenant_id = ${tenantId} AND status = 'in_progress' AND closed_at IS NULL
    UNION ALL
    SELECT 'a', coalesce(p.state, 'offline'), count(*)::int, NULL
      FROM staff s LEFT JOIN agent_presence p ON p.staff_id = s.id AND p.tenant_id = ${tenantId}
     WHERE s.tenant_id = ${tenantId} AND s.active AND cardinality(s.channels) > 0
     GROUP BY 2
    UNION ALL
    SELECT 'at', '', 0, extract(epoch FROM now())::float8`);
  const waiting = CHANNELS.map((channel) => {
    const r = rows.find((x) => x.kind === 'w' && x.key === channel);
    return { channel, count: r ? Number(r.n) : 0, longestWaitSeconds: r ? Math.round(Number(r.secs)) : null };
  });
  const longest = waiting.reduce<number | null>((m, w) => (w.longestWaitSeconds === null ? m : Math.max(m ?? 0, w.longestWaitSeconds)), null);
  const at = rows.find((x) => x.kind === 'at');
  return {
    at: new Date(at ? Number(at.secs) * 1000 : Date.now()).toISOString(),
    waiting,
    longestWaitSeconds: longest,
    agents: PRESENCE_STATES.map((state: PresenceState) => ({ state, count: Number(rows.find((x) => x.kind === 'a' && x.key === state)?.n ?? 0) })),
    inProgress: Number(rows.find((x) => x.kind === 'p')?.n ?? 0),
  };
}
