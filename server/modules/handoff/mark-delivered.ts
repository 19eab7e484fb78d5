/**
 * A package reached the case-management system (webhook 2xx or pull ack): in
 * one transaction the hand-off becomes delivered (purge date = now + the
 * procedure's retention days) and `package_delivered` is appended to the
 * audit chain. Only a package still pending or failed changes, so a repeat
 * (a second ack, a webhook answer racing a pull ack) records nothing twice.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { appendAudit } from '../audit/append-audit.js';

export async function markDelivered(database: Database, o: { tenantId: string; filingId: string; via: 'webhook' | 'pull'; countAttempt?: boolean }): Promise<boolean> {
  return database.db.transaction(async (tx) => {
    const res = (await tx.execute(sql`
      UPDATE handoffs h SET status = 'delivered', delivered_via = ${o.via}, delivered_at = now(), last_error = NULL,
             attempts = h.attempts + ${o.countAttempt ? 1 : 0}, last_attempt_at = ${o.countAttempt ? sql`now()` : sql`h.last_attempt_at`},
             purge_after = now() + make_interval(days => p.retention_days)
        FROM filings f JOIN procedures p ON p.id = f.procedure_id AND p.tenant_id = f.tenant_id
       WHERE h.filing_id = ${o.filingId} AND h.tenant_id = ${o.tenantId} AND f.id = h.filing_id AND f.tenant_id = h.tenant_id
         AND h.status IN ('pending','failed')
      RETURNING f.attention_id, h.manifest_sha256, h.attempts`)) as unknown as { rows: Array<{ attention_id: string; manifest_sha256: string; attempts: number }> };
    const row = res.rows[0];
    if (!row) return false;
    await appendAudit(tx, {
      tenantId: o.tenantId,
      event: 'package_delivered',
      actor: { kind: 'system' },
      subjects: { filing: o.filingId, attention: row.attention_id },
      data: { via: o.via, manifestSha256: row.manifest_sha256, attempts: row.attempts },
    });
    return true;
  });
}
