/**
 * The short reference a citizen reads over the phone, the access code to join,
 * and the token behind the cancel/reschedule link. Only hashes are stored.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';

/** No 0/O, 1/I/L, 2/Z, 5/S, 8/B: nothing to confuse when read aloud or typed. */
const ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';

/** e.g. "K7M-Q3P": 25^6 ≈ 244 million, unique per tenant by constraint. */
export function newReference(): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 3)}-${s.slice(3)}`;
}

/** Eight digits, easy to type on a phone keypad. */
export function newAccessCode(): string {
  return String(randomInt(0, 100_000_000)).padStart(8, '0');
}

/** 256-bit URL-safe token for the manage link. */
export function newManageToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** The access code is bound to its appointment so equal codes hash differently. */
export function hashAccessCode(appointmentId: string, code: string): string {
  return sha256(`${appointmentId}:${code.replace(/\D/g, '')}`);
}

export function formatAccessCode(code: string): string {
  return `${code.slice(0, 4)} ${code.slice(4)}`;
}
