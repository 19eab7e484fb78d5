/**
 * Pushes a built package to the town hall's webhook (the `deliver_package`
 * job). The body is the package view (same bytes on every attempt), signed
 * with HMAC-SHA256 over "<timestamp>.<body>"; the idempotency key is the
 * filing id. A 2xx answer marks it delivered (with `package_delivered`); a
 * timeout, a network error or any other status is a failure that the job
 * runner retries with exponential backoff — on the last attempt the hand-off
 * becomes `failed` with the failure's code (never the receiver's answer).
 * Every failure, whatever step it comes from (the secret, the package files,
 * the network), records a code. The address is checked again here and pinned
 * for the connection (webhook-address.ts): a private destination fails with
 * `address_refused`. Without a webhook the package waits for the pull API.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { FileStore } from '../../storage/encrypted-files.js';
import { parseWebhookUrl, webhookTarget } from './integration-settings.js';
import { markDelivered } from './mark-delivered.js';
import type { HANDOFF_ERRORS } from './list-handoffs.js';
import { findHandoff, packageView, type HandoffRow } from './package-view.js';
import { AddressRefused, guardedLookup, isPrivateLiteral } from './webhook-address.js';
import { webhookSignature } from './webhook-signature.js';

export type DeliverDeps = {
  database: Database;
  files: () => Promise<FileStore>;
  config: { DATA_DIR: string; STORAGE_MASTER_KEY?: string; PUBLIC_URL: string; WEBHOOK_ALLOW_PRIVATE?: boolean };
  timeoutMs: number;
  now?: () => number;
};

/** A delivery that did not succeed; `code` goes to handoffs.last_error and the job's error. */
/** A delivery failure's code, as stored in `handoffs.last_error`. */
export type DeliveryFailure = (typeof HANDOFF_ERRORS)[number] | `http_${number}`;

export class DeliveryFailed extends Error {
  constructor(readonly code: DeliveryFailure) {
    super(`delivery failed: ${code}`);
    this.name = 'DeliveryFailed';
  }
}

export type DeliverOutcome = 'delivered' | 'already_done' | 'waiting_for_pull';

/**
 * One POST; resolves with the answer's status. Without WEBHOOK_ALLOW_PRIVATE
 * the connection resolves its host through `guardedLookup` (the address
 * checked is the one connected to) and an IP literal is checked here; TLS
 * still verifies the certificate for the URL's host. No redirect is followed.
 */
function post(url: URL, headers: Record<string, string>, body: string, o: { timeoutMs: number; allowPrivate: boolean }): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      signal: AbortSignal.timeout(o.timeoutMs),
      ...(o.allowPrivate ? {} : { lookup: guardedLookup }),
    });
    req.on('response', (res) => {
      // The answer's body is never read into logs or the database.
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A connection's failure as a coarse code: never the receiver's answer, nothing more than where it stopped. */
function networkFailure(e: unknown): DeliveryFailed {
  if (e instanceof AddressRefused || (e as { cause?: unknown })?.cause instanceof AddressRefused) return new DeliveryFailed('address_refused');
  const name = (e as Error)?.name;
  return new DeliveryFailed(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network_error');
}

async function attempt(deps: DeliverDeps, o: { tenantId: string; filingId: string }, h: HandoffRow, target: { url: string; secret: string | null }): Promise<void> {
  if (!target.secret) throw new DeliveryFailed('webhook_secret_missing');
  const allowPrivate = deps.config.WEBHOOK_ALLOW_PRIVATE === true;
  let url: URL;
  try {
    url = parseWebhookUrl(target.url, allowPrivate)!;
  } catch {
    throw new DeliveryFailed('address_refused');
  }
  // A name is checked by the connection's own lookup (guardedLookup); an IP literal never goes through a lookup.
  if (!allowPrivate && isPrivateLiteral(url.hostname)) throw new DeliveryFailed('address_refused');
  const [tenant] = await deps.database.rows<{ slug: string; dir3_code: string }>(sql`SELECT slug, dir3_code FROM tenants WHERE id = ${o.tenantId}`);
  if (!tenant) throw new DeliveryFailed('internal_error');
  const view = await packageView({ files: await deps.files(), publicUrl: deps.config.PUBLIC_URL }, { handoff: h, tenant: { slug: tenant.slug, dir3Code: tenant.dir3_code } });
  const body = JSON.stringify(view);
  const timestamp = String(Math.floor((deps.now?.() ?? Date.now()) / 1000));
  const status = await post(
    url,
    {
      'content-type': 'application/json',
      'user-agent': 'Finestreta-Handoff/1',
      'idempotency-key': o.filingId,
      'x-finestreta-event': 'package.ready',
      'x-finestreta-timestamp': timestamp,
      'x-finestreta-signature': webhookSignature(target.secret, timestamp, body),
    },
    body,
    { timeoutMs: deps.timeoutMs, allowPrivate },
  ).catch((e: unknown) => Promise.reject(networkFailure(e)));
  if (status < 200 || status > 299) throw new DeliveryFailed(`http_${status}`);
}

export async function deliverPackage(deps: DeliverDeps, o: { tenantId: string; filingId: string; finalAttempt: boolean }): Promise<DeliverOutcome> {
  const { database } = deps;
  let failure: DeliveryFailure;
  try {
    const h = await findHandoff(database, o.tenantId, o.filingId);
    if (!h || !h.manifest_key) throw new DeliveryFailed('package_missing');
    if (h.status === 'delivered' || h.status === 'purged') return 'already_done';
    const target = await webhookTarget(deps, o.tenantId);
    if (!target) return 'waiting_for_pull';
    await attempt(deps, o, h, target);
    await markDelivered(database, { tenantId: o.tenantId, filingId: o.filingId, via: 'webhook', countAttempt: true });
    return 'delivered';
  } catch (e) {
    // Whatever went wrong (the secret not opening, a file missing, the network), a code is recorded and the last attempt fails the hand-off.
    failure = e instanceof DeliveryFailed ? e.code : 'internal_error';
  }
  await database.rows(sql`
    UPDATE handoffs SET attempts = attempts + 1, last_attempt_at = now(), last_error = ${failure},
           status = CASE WHEN ${o.finalAttempt} THEN 'failed' ELSE status END
     WHERE filing_id = ${o.filingId} AND tenant_id = ${o.tenantId} AND status IN ('pending','failed')`);
  throw new DeliveryFailed(failure);
}
