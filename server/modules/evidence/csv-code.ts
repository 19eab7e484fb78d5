/**
 * Secure verification codes (codi segur de verificació, CSV; Llei 40/2015
 * art. 42.b) printed on receipts: 130 random bits and a 10-bit check, written
 * in Crockford's base-32 alphabet (no I, L, O, U) as seven groups of four,
 * e.g. `7K3M-9QXD-…`. What people type is normalised (case, spaces, dashes,
 * O→0, I/L→1) and a typo is caught by the check before any lookup. Only
 * `csvLookupKey(code)`, a SHA-256, is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EvidenceError, type CsvErrorCode } from './evidence-errors.js';

/** Crockford's base 32: digits and capital letters without I, L, O and U. */
export const CSV_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Random symbols: 26 × 5 = 130 bits. */
export const CSV_RANDOM_SYMBOLS = 26;
export const CSV_RANDOM_BITS = CSV_RANDOM_SYMBOLS * 5;
/** Two check symbols: the random value modulo 1021 (a prime below 32²). */
export const CSV_CHECK_SYMBOLS = 2;
export const CSV_LENGTH = CSV_RANDOM_SYMBOLS + CSV_CHECK_SYMBOLS;
export const CSV_GROUP = 4;
/** Longest input looked at: the grouped form plus generous room for spaces. */
const MAX_TYPED = 100;
// 1021 is prime and coprime to 32 and 31, so any single wrong symbol and any
// swap of two neighbouring symbols in the random part changes the check.
const CHECK_MODULUS = 1021n;

const VALUE = new Map([...CSV_ALPHABET].map((c, i) => [c, i] as const));
/** Look-alikes folded into the symbol they are mistaken for. */
const LOOK_ALIKES: Readonly<Record<string, string>> = { O: '0', I: '1', L: '1' };
/** Spaces of any kind and the dashes people type or paste (hyphen, minus, en and em dashes). */
const SEPARATORS = /[\s\-\u2010-\u2015\u2212]/gu;

function encode(value: bigint, symbols: number): string {
  let s = '';
  for (let i = 0; i < symbols; i++) {
    s = CSV_ALPHABET[Number(value & 31n)] + s;
    value >>= 5n;
  }
  return s;
}

function decode(symbols: string): bigint {
  let value = 0n;
  for (const c of symbols) value = (value << 5n) | BigInt(VALUE.get(c)!);
  return value;
}

function checkSymbols(randomPart: string): string {
  return encode(decode(randomPart) % CHECK_MODULUS, CSV_CHECK_SYMBOLS);
}

function group(compact: string): string {
  return compact.match(new RegExp(`.{1,${CSV_GROUP}}`, 'g'))!.join('-');
}

/** A new code in its printed form (`XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`). */
export function newCsvCode(): string {
  const bytes = randomBytes(Math.ceil(CSV_RANDOM_BITS / 8));
  const value = BigInt(`0x${bytes.toString('hex')}`) & ((1n << BigInt(CSV_RANDOM_BITS)) - 1n);
  const randomPart = encode(value, CSV_RANDOM_SYMBOLS);
  return group(randomPart + checkSymbols(randomPart));
}

export type CsvParse = { ok: true; code: string } | { ok: false; error: CsvErrorCode };

/** What a person typed or pasted → the compact canonical code (28 symbols), or why it cannot be one. */
export function parseCsvCode(input: unknown): CsvParse {
  if (typeof input !== 'string') return { ok: false, error: 'csv_malformed' };
  if (input.length > MAX_TYPED) return { ok: false, error: 'csv_length' };
  const folded = input.normalize('NFKC').toUpperCase().replace(SEPARATORS, '');
  if (folded === '') return { ok: false, error: 'csv_malformed' };
  let compact = '';
  for (const c of folded) {
    const symbol = LOOK_ALIKES[c] ?? c;
    if (!VALUE.has(symbol)) return { ok: false, error: 'csv_character' };
    compact += symbol;
  }
  if (compact.length !== CSV_LENGTH) return { ok: false, error: 'csv_length' };
  const randomPart = compact.slice(0, CSV_RANDOM_SYMBOLS);
  if (compact.slice(CSV_RANDOM_SYMBOLS) !== checkSymbols(randomPart)) return { ok: false, error: 'csv_checksum' };
  return { ok: true, code: compact };
}

/** Like `parseCsvCode`, throwing `EvidenceError` with the csv_* code. */
export function normalizeCsvCode(input: unknown): string {
  const parsed = parseCsvCode(input);
  if (!parsed.ok) throw new EvidenceError(parsed.error);
  return parsed.code;
}

/** The printed, grouped form of any accepted spelling of a code. */
export function formatCsvCode(input: unknown): string {
  return group(normalizeCsvCode(input));
}

/** The key a code is stored and looked up under: SHA-256 (lowercase hex) of its compact canonical form. */
export function csvLookupKey(input: unknown): string {
  return createHash('sha256').update(normalizeCsvCode(input), 'ascii').digest('hex');
}
