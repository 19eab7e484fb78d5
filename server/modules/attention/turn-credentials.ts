/**
 * ICE servers for a participant of a call: the configured STUN/TURN list plus,
 * when TURN_URLS and TURN_SECRET are set, short-lived TURN credentials in
 * coturn's REST-API scheme (`use-auth-secret`): the username is
 * "<expiry unix time>:<id>", the password base64(HMAC-SHA1(secret, username)).
 */
import { createHmac } from 'node:crypto';

export type IceServer = { urls: string | string[]; username?: string; credential?: string };

export function turnCredential(secret: string, id: string, ttlSeconds: number, now = Date.now()): { username: string; credential: string } {
  const username = `${Math.floor(now / 1000) + ttlSeconds}:${id}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

export function iceServersFor(
  config: { ICE_SERVERS: IceServer[]; TURN_URLS: string[]; TURN_SECRET?: string; TURN_CREDENTIAL_TTL_SECONDS: number },
  participantId: string,
  now = Date.now(),
): IceServer[] {
  const list = [...config.ICE_SERVERS];
  if (config.TURN_URLS.length && config.TURN_SECRET) {
    list.push({ urls: config.TURN_URLS, ...turnCredential(config.TURN_SECRET, participantId, config.TURN_CREDENTIAL_TTL_SECONDS, now) });
  }
  return list;
}
