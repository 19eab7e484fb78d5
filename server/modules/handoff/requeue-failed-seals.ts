/**
 * A register number must never stay without its sealed receipt: a filing
 * still `registered` whose seal_receipt job failed for good more than
 * `afterMinutes` ago (15 by default) gets that job back — pending, due now,
 * attempts 0 — on every retention pass. One job per filing (the newest
 * failed one), and none while another seal job of that filing is open (the
 * outbox's one-open-job-per-filing index).
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';

export async function requeueFailedSeals(database: Database, o: { afterMinutes?: number } = {}): Promise<number> {
  const rows = await database.rows(sql`
    UPDATE jobs j SET status = 'pending', attempts = 0, run_at = now(), locked_until = NULL, finished_at = NULL
     WHERE j.id IN (
       SELECT DISTINCT ON (f.id) s.id
         FROM jobs s
         JOIN filings f ON f.id::text = s.payload->>'filingId' AND f.tenant_id = s.tenant_id
        WHERE s.type = 'seal_receipt' AND s.status = 'failed' AND f.status = 'registered'
          AND s.finished_at < now() - make_interval(mins => ${o.afterMinutes ?? 15})
          AND NOT EXISTS (SELECT 1 FROM jobs x WHERE x.type = 'seal_receipt' AND x.status IN ('pending','running')
                           AND x.tenant_id = s.tenant_id AND x.payload->>'filingId' = s.payload->>'filingId')
        ORDER BY f.id, s.finished_at DESC)
    RETURNING j.id`);
  return rows.length;
}
