/** argon2id password hashing (OWASP parameters). The native module loads on the first sign-in. */
import type { Algorithm } from '@node-rs/argon2';

const argon2 = () => import('@node-rs/argon2');
/** Algorithm.Argon2id (a const enum's value, so that the module need not be loaded for it). */
const ARGON2ID = 2 as Algorithm.Argon2id;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export async function hashPassword(password: string): Promise<string> {
  return (await argon2()).hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await (await argon2()).verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the account does not exist, so timing does not reveal it. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword('finestreta-no-such-account'));
}
