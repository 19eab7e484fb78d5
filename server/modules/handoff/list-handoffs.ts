/**
 * The hand-offs of a town hall, newest first, for supervisors (page and API)
 * and for the pull API (built packages only): status, attempts, the last
 * failure's code, the register code, and whether a build or delivery is
 * queued now.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { HandoffState } from '../../db/schema.js';

export type HandoffListItem = {
  filingId: string;
  registerCode: string;
  registeredAt: string;
  procedureCode: string;
  status: HandoffState;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  deliveredVia: 'webhook' | 'pull' | null;
  purgeAfter: string | null;
  createdAt: string;
  /** A build_package or deliver_package job is waiting or running for it. */
  deliveryQueued: boolean;
  /** The package is built (a hand-off whose build failed for good is listed too, not built). */
  built: boolean;
};

/** The codes a hand-off's `last_error` may hold, besides `http_<status>` (never the receiver's answer). */
export const HANDOFF_ERRORS = ['timeout', 'network_error', 'address_refused', 'webhook_secret_missing', 'package_missing', 'build_failed', 'internal_error'] as const;

const iso = (col: string) => sql.raw(`to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/** An active build_package or deliver_package job of a hand-off, if any (SQL condition on `h`). */
export const activeDeliveryJob = sql`EXISTS (SELECT 1 FROM jobs j WHERE j.tenant_id = h.tenant_id AND j.type IN ('build_package','deliver_package')
  AND j.status IN ('pending','running') AND j.payload->>'filingId' = h.filing_id::text)`;

export async function listHandoffs(database: Database, o: { tenantId: string; status?: HandoffState; limit?: number; oldestFirst?: boolean; builtOnly?: boolean }): Promise<HandoffListItem[]> {
  const limit = Math.min(Math.max(o.limit ?? 100, 1), 500);
  const rows = await database.rows<{
    filing_id: string; code: string; registered_at: string; procedure_code: string; status: HandoffState; attempts: number; last_error: string | null;
    last_attempt_at: string | null; delivered_at: string | null; delivered_via: 'webhook' | 'pull' | null; purge_after: string | null; created_at: string; queued: boolean; built: boolean;
  }>(sql`
    SELECT h.filing_id, re.code, ${iso('re.registered_at')} AS registered_at, p.code AS procedure_code, h.status, h.attempts, h.last_error,
           ${iso('h.last_attempt_at')} AS last_attempt_at, ${iso('h.delivered_at')} AS delivered_at, h.delivered_via,
           ${iso('h.purge_after')} AS purge_after, ${iso('h.created_at')} AS created_at, ${activeDeliveryJob} AS queued,
           h.manifest_key IS NOT NULL AS built
      FROM handoffs h
      JOIN filings f ON f.id = h.filing_id AND f.tenant_id = h.tenant_id
      JOIN register_entries re ON re.id = f.register_entry_id AND re.tenant_id = f.tenant_id
      JOIN procedures p ON p.id = f.procedure_id AND p.tenant_id = f.tenant_id
     WHERE h.tenant_id = ${o.tenantId}
       ${o.builtOnly ? sql`AND h.manifest_key IS NOT NULL` : sql``}
       ${o.status ? sql`AND h.status = ${o.status}` : sql``}
     ORDER BY ${o.oldestFirst ? sql`h.created_at ASC` : sql`h.created_at DESC`}, h.filing_id
     LIMIT ${limit}`);
  return rows.map((r) => ({
    filingId: r.filing_id,
    registerCode: r.code,
    registeredAt: r.registered_at,
    procedureCode: r.procedure_code,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    lastAttemptAt: r.last_attempt_at,
    deliveredAt: r.delivered_at,
    deliveredVia: r.delivered_via,
    purgeAfter: r.purge_after,
    createdAt: r.created_at,
    deliveryQueued: r.queued,
    built: r.built,
  }));
}
