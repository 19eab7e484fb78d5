/**
 * Pushes a built package to the town hall's webhook (the `deliver_package`
 * job). The body is the package view (same bytes on every attempt), signed
 * with HMAC-SHA256 over "<timestamp>.<body>"; the idempotency key is the
 * filing id. A 2xx answer marks it delivered (with `package_delivered`); a
 * timeout, a network error or any other status is a failure that the job
 * runner retries with exponential backoff — on the last attempt the hand-off
 * becomes `failed` with the failure's code (never the receiver's answer).
 * Without a webhook the package waits for the pull API.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { FileStore } from '../../storage/encrypted-files.js';
import { webhookTarget } from './integration-settings.js';
import { markDelivered } from './mark-delivered.js';
import { findHandoff, packageView } from './package-view.js';
import { webhookSignature } from './webhook-signature.js';

export type DeliverDeps = {
  database: Database;
  files: () => Promise<FileStore>;
  config: { DATA_DIR: string; STORAGE_MASTER_KEY?: string; PUBLIC_URL: string };
  timeoutMs: number;
  now?: () => number;
};

/** A delivery that did not succeed; `code` goes to handoffs.last_error and the job's error. */
export class DeliveryFailed extends Error {
  constructor(readonly code: string) {
    super(`delivery failed: ${code}`);
    this.name = 'DeliveryFailed';
  }
}

export type DeliverOutcome = 'delivered' | 'already_done' | 'waiting_for_pull';

export async function deliverPackage(deps: DeliverDeps, o: { tenantId: string; filingId: string; finalAttempt: boolean }): Promise<DeliverOutcome> {
  const { database } = deps;
  const h = await findHandoff(database, o.tenantId, o.filingId);
  if (!h) throw new Error('package not built');
  if (h.status === 'delivered' || h.status === 'purged') return 'already_done';
  const target = await webhookTarget(deps, o.tenantId);
  if (!target) return 'waiting_for_pull';

  let failure: string | null = null;
  if (!target.secret) {
    failure = 'webhook_secret_missing';
  } else {
    const [tenant] = await database.rows<{ slug: string; dir3_code: string }>(sql`SELECT slug, dir3_code FROM tenants WHERE id = ${o.tenantId}`);
    const view = await packageView({ files: await deps.files(), publicUrl: deps.config.PUBLIC_URL }, { handoff: h, tenant: { slug: tenant!.slug, dir3Code: tenant!.dir3_code } });
    const body = JSON.stringify(view);
    const timestamp = String(Math.floor((deps.now?.() ?? Date.now()) / 1000));
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(deps.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Finestreta-Handoff/1',
          'idempotency-key': o.filingId,
          'x-finestreta-event': 'package.ready',
          'x-finestreta-timestamp': timestamp,
          'x-finestreta-signature': webhookSignature(target.secret, timestamp, body),
        },
        body,
      });
      // The answer's body is never read into logs or the database; drain it so the connection can be reused.
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status > 299) failure = `http_${res.status}`;
    } catch (e) {
      const name = (e as Error)?.name;
      failure = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network_error';
    }
  }

  if (failure === null) {
    await markDelivered(database, { tenantId: o.tenantId, filingId: o.filingId, via: 'webhook', countAttempt: true });
    return 'delivered';
  }
  await database.rows(sql`
    UPDATE handoffs SET attempts = attempts + 1, last_attempt_at = now(), last_error = ${failure},
           status = CASE WHEN ${o.finalAttempt} THEN 'failed' ELSE status END
     WHERE filing_id = ${o.filingId} AND tenant_id = ${o.tenantId} AND status IN ('pending','failed')`);
  throw new DeliveryFailed(failure);
}
