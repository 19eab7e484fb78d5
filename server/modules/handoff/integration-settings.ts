/**
 * A town hall's case-management integration (admins): the webhook URL that
 * packages are pushed to, its HMAC secret (stored encrypted with the tenant
 * key, shown once when generated) and the pull API's bearer token (only its
 * SHA-256 kept, shown once). Every query names the tenant.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import { sha256 } from '../booking/secrets.js';
import { openSecret, sealSecret, tenantKeyOf } from './secret-box.js';
import { assertPublicHost } from './webhook-address.js';

type KeySettings = { DATA_DIR: string; STORAGE_MASTER_KEY?: string };

export const WEBHOOK_URL_MAX = 2000;

/** What admins see of the integration; never the secret or the token. */
export type IntegrationView = { webhookUrl: string | null; webhookSecretSet: boolean; pullTokenSet: boolean; updatedAt: string | null };

/**
 * The webhook URL's form, or null to remove it: https only (plain http only
 * with `allowPrivate`, for local tests); no user or password in it. Anything
 * else answers `webhook_url_invalid`. Where it points is `checkWebhookUrl`'s.
 */
export function parseWebhookUrl(input: unknown, allowPrivate = false): URL | null {
  if (input === null || input === undefined || (typeof input === 'string' && input.trim() === '')) return null;
  if (typeof input !== 'string' || input.length > WEBHOOK_URL_MAX) throw new AppError('webhook_url_invalid');
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new AppError('webhook_url_invalid');
  }
  const okProtocol = url.protocol === 'https:' || (url.protocol === 'http:' && allowPrivate);
  if (!okProtocol || url.username || url.password || !url.hostname) throw new AppError('webhook_url_invalid');
  url.hash = '';
  return url;
}

/**
 * The webhook URL as stored, or null: well formed (`parseWebhookUrl`) and,
 * unless `allowPrivate`, its host resolving to public addresses only
 * (webhook-address.ts); a name that does not resolve is refused too.
 */
export async function checkWebhookUrl(input: unknown, o: { allowPrivate: boolean }): Promise<string | null> {
  const url = parseWebhookUrl(input, o.allowPrivate);
  if (!url) return null;
  if (!o.allowPrivate) await assertPublicHost(url.hostname).catch(() => Promise.reject(new AppError('webhook_url_invalid')));
  return url.toString();
}

export async function getIntegration(database: Database, tenantId: string): Promise<IntegrationView> {
  const [row] = await database.rows<{ webhook_url: string | null; secret: boolean; token: boolean; updated_at: Date | string }>(sql`
    SELECT webhook_url, webhook_secret_enc IS NOT NULL AS secret, pull_token_hash IS NOT NULL AS token, updated_at
      FROM integrations WHERE tenant_id = ${tenantId}`);
  if (!row) return { webhookUrl: null, webhookSecretSet: false, pullTokenSet: false, updatedAt: null };
  return { webhookUrl: row.webhook_url, webhookSecretSet: row.secret, pullTokenSet: row.token, updatedAt: new Date(row.updated_at).toISOString() };
}

/** Sets (or with null/empty removes) the webhook URL. */
export async function saveWebhookUrl(database: Database, o: { tenantId: string; url: unknown; allowPrivate: boolean }): Promise<IntegrationView> {
  const url = await checkWebhookUrl(o.url, { allowPrivate: o.allowPrivate });
  await database.rows(sql`
    INSERT INTO integrations (tenant_id, webhook_url, updated_at) VALUES (${o.tenantId}, ${url}, now())
    ON CONFLICT (tenant_id) DO UPDATE SET webhook_url = EXCLUDED.webhook_url, updated_at = now()`);
  return getIntegration(database, o.tenantId);
}

/** A new webhook secret (replacing the old one at once); the plain value is returned to show once. */
export async function newWebhookSecret(deps: { database: Database; config: KeySettings }, tenantId: string): Promise<string> {
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const sealed = sealSecret(await tenantKeyOf(deps.config, tenantId), tenantId, secret);
  await deps.database.rows(sql`
    INSERT INTO integrations (tenant_id, webhook_secret_enc, updated_at) VALUES (${tenantId}, ${sealed}, now())
    ON CONFLICT (tenant_id) DO UPDATE SET webhook_secret_enc = EXCLUDED.webhook_secret_enc, updated_at = now()`);
  return secret;
}

/** A new pull API token (the old one stops working at once); the plain value is returned to show once. */
export async function newPullToken(database: Database, tenantId: string): Promise<string> {
  const token = `fpt_${randomBytes(32).toString('base64url')}`;
  await database.rows(sql`
    INSERT INTO integrations (tenant_id, pull_token_hash, updated_at) VALUES (${tenantId}, ${sha256(token)}, now())
    ON CONFLICT (tenant_id) DO UPDATE SET pull_token_hash = EXCLUDED.pull_token_hash, updated_at = now()`);
  return token;
}

/** Where and with what secret to push a tenant's packages; null when no webhook URL is set. */
export async function webhookTarget(deps: { database: Database; config: KeySettings }, tenantId: string): Promise<{ url: string; secret: string | null } | null> {
  const [row] = await deps.database.rows<{ webhook_url: string | null; webhook_secret_enc: string | null }>(sql`
    SELECT webhook_url, webhook_secret_enc FROM integrations WHERE tenant_id = ${tenantId}`);
  if (!row?.webhook_url) return null;
  const secret = row.webhook_secret_enc ? openSecret(await tenantKeyOf(deps.config, tenantId), tenantId, row.webhook_secret_enc) : null;
  return { url: row.webhook_url, secret };
}

/** Whether `token` is the tenant's pull token (constant-time comparison of the hashes). */
export async function pullTokenMatches(database: Database, tenantId: string, token: string | undefined): Promise<boolean> {
  const [row] = await database.rows<{ pull_token_hash: string | null }>(sql`SELECT pull_token_hash FROM integrations WHERE tenant_id = ${tenantId}`);
  const expected = Buffer.from(row?.pull_token_hash ?? '0'.repeat(64), 'hex');
  const given = Buffer.from(sha256(token ?? ''), 'hex');
  return timingSafeEqual(expected, given) && !!row?.pull_token_hash && !!token;
}
