import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { iceServersFor, turnCredential } from './turn-credentials.js';

describe('TURN credentials (coturn use-auth-secret)', () => {
  it('username carries the expiry, password is base64 HMAC-SHA1 of it', () => {
    const c = turnCredential('a-very-secret-secret', 'peer1', 600, 1_700_000_000_000);
    expect(c.username).toBe('1700000600:peer1');
    expect(c.credential).toBe(createHmac('sha1', 'a-very-secret-secret').update('1700000600:peer1').digest('base64'));
  });

  it('adds TURN to the configured servers only when a secret is set', () => {
    const base = { ICE_SERVERS: [{ urls: 'stun:stun.example.org:3478' }], TURN_URLS: ['turn:turn.example.org:3478?transport=udp'], TURN_CREDENTIAL_TTL_SECONDS: 60 };
    expect(iceServersFor({ ...base }, 'p')).toEqual([{ urls: 'stun:stun.example.org:3478' }]);
    const withTurn = iceServersFor({ ...base, TURN_SECRET: 'a-very-secret-secret' }, 'p', 0);
    expect(withTurn[1]).toMatchObject({ urls: ['turn:turn.example.org:3478?transport=udp'], username: '60:p' });
  });
});
