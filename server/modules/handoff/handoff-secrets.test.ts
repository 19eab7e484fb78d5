import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkWebhookUrl } from './integration-settings.js';
import { openSecret, sealSecret } from './secret-box.js';
import { verifyWebhookSignature, webhookSignature } from './webhook-signature.js';

describe('webhook secret at rest', () => {
  it('opens with the same tenant key and tenant only', () => {
    const key = randomBytes(32);
    const sealed = sealSecret(key, 'tenant-a', 'whsec_abc');
    expect(sealed).not.toContain('whsec_abc');
    expect(openSecret(key, 'tenant-a', sealed)).toBe('whsec_abc');
    expect(() => openSecret(key, 'tenant-b', sealed)).toThrow();
    expect(() => openSecret(randomBytes(32), 'tenant-a', sealed)).toThrow();
    const tampered = Buffer.from(sealed, 'base64');
    tampered[14] ^= 1;
    expect(() => openSecret(key, 'tenant-a', tampered.toString('base64'))).toThrow();
  });
});

describe('webhook URL', () => {
  it('takes https anywhere and http only on this machine', () => {
    expect(checkWebhookUrl('https://expedients.example.cat/hook#frag')).toBe('https://expedients.example.cat/hook');
    expect(checkWebhookUrl('http://127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080/x');
    expect(checkWebhookUrl('http://localhost/x')).toBe('http://localhost/x');
    expect(checkWebhookUrl('  ')).toBeNull();
    expect(checkWebhookUrl(null)).toBeNull();
    for (const bad of ['http://example.com', 'http://127.0.0.1.example.com/', 'ftp://x.example', 'https://u:p@x.example', 'nope', 42, 'https://x.example/' + 'a'.repeat(2000)]) {
      expect(() => checkWebhookUrl(bad), String(bad)).toThrow(expect.objectContaining({ code: 'webhook_url_invalid' }));
    }
  });
});

describe('webhook signature', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>", checked in constant time with a time window', () => {
    const body = '{"event":"package.ready"}';
    const sig = webhookSignature('s3cret', '1700000000', body);
    expect(sig).toBe(`sha256=${createHmac('sha256', 's3cret').update(`1700000000.${body}`).digest('hex')}`);
    expect(verifyWebhookSignature({ secret: 's3cret', timestamp: '1700000000', body, signature: sig, nowSeconds: 1700000100 })).toBe(true);
    expect(verifyWebhookSignature({ secret: 's3cret', timestamp: '1700000000', body: `${body} `, signature: sig, nowSeconds: 1700000100 })).toBe(false);
    expect(verifyWebhookSignature({ secret: 's3cret', timestamp: '1700000000', body, signature: sig, nowSeconds: 1700001000 })).toBe(false);
    expect(verifyWebhookSignature({ secret: 's3cret', timestamp: 'x', body, signature: sig })).toBe(false);
  });
});
