import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseWebhookUrl } from './integration-settings.js';
import { openSecret, sealSecret } from './secret-box.js';
import { AddressRefused, assertPublicHost, isPrivateAddress, isPrivateLiteral } from './webhook-address.js';
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
  it('takes https; plain http only when private addresses are allowed (local tests)', () => {
    expect(parseWebhookUrl('https://expedients.example.cat/hook#frag')?.toString()).toBe('https://expedients.example.cat/hook');
    expect(parseWebhookUrl('http://127.0.0.1:8080/x', true)?.toString()).toBe('http://127.0.0.1:8080/x');
    expect(parseWebhookUrl('  ')).toBeNull();
    expect(parseWebhookUrl(null)).toBeNull();
    for (const bad of ['http://example.com', 'http://127.0.0.1:8080/x', 'ftp://x.example', 'https://u:p@x.example', 'nope', 42, 'https://x.example/' + 'a'.repeat(2000)]) {
      expect(() => parseWebhookUrl(bad), String(bad)).toThrow(expect.objectContaining({ code: 'webhook_url_invalid' }));
    }
  });

  it('refuses loopback, private, link-local, CGNAT, unique-local, unspecified and multicast addresses', async () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1',
      '::1', '::', 'fe80::1', 'fc00::1', 'fd12::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a00:1']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8']) expect(isPrivateAddress(a), a).toBe(false);
    await expect(assertPublicHost('localhost')).rejects.toThrow(AddressRefused);
    await expect(assertPublicHost('[::1]')).rejects.toThrow(AddressRefused);
    await expect(assertPublicHost('name.invalid')).rejects.toThrow(AddressRefused);
    await expect(assertPublicHost('8.8.8.8')).resolves.toBeUndefined();
    // at delivery only IP literals are checked before connecting; names go through the connection's guarded lookup
    expect(isPrivateLiteral('[::1]')).toBe(true);
    expect(isPrivateLiteral('10.0.0.7')).toBe(true);
    expect(isPrivateLiteral('8.8.8.8')).toBe(false);
    expect(isPrivateLiteral('localhost')).toBe(false);
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
