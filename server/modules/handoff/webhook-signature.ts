/**
 * The webhook signature: `X-Finestreta-Signature: sha256=<hex>` where hex is
 * HMAC-SHA256(secret, "<timestamp>.<raw body>") and timestamp is the
 * `X-Finestreta-Timestamp` header (Unix seconds). Receivers check it in
 * constant time and refuse old timestamps (docs/HANDOFF.md).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function webhookSignature(secret: string, timestamp: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** Whether `signature` is the one for this body and timestamp (constant time), and the timestamp is within `toleranceSeconds` of `nowSeconds`. */
export function verifyWebhookSignature(o: { secret: string; timestamp: string; body: string | Buffer; signature: string; nowSeconds?: number; toleranceSeconds?: number }): boolean {
  const ts = Number(o.timestamp);
  if (!/^\d{1,12}$/.test(o.timestamp)) return false;
  const now = o.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (o.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(webhookSignature(o.secret, o.timestamp, o.body));
  const given = Buffer.from(o.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
