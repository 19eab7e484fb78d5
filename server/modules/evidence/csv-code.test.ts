import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CSV_ALPHABET,
  CSV_LENGTH,
  CSV_RANDOM_BITS,
  CSV_RANDOM_SYMBOLS,
  csvLookupKey,
  formatCsvCode,
  newCsvCode,
  normalizeCsvCode,
  parseCsvCode,
} from './csv-code.js';
import { EvidenceError } from './evidence-errors.js';

const PRINTED = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){6}$/;
const compact = (printed: string) => printed.replaceAll('-', '');

/** A fresh code that contains the given symbols (most do within a few tries). */
function codeContaining(...symbols: string[]): string {
  for (let i = 0; i < 10_000; i++) {
    const code = newCsvCode();
    if (symbols.every((s) => code.includes(s))) return code;
  }
  throw new Error('no such code generated');
}

describe('newCsvCode', () => {
  it('prints seven groups of four symbols of the unambiguous alphabet', () => {
    expect(CSV_ALPHABET).toHaveLength(32);
    expect(CSV_ALPHABET).not.toMatch(/[ILOU]/);
    for (let i = 0; i < 200; i++) expect(newCsvCode()).toMatch(PRINTED);
  });

  it('carries at least 128 random bits, all of them used', () => {
    expect(CSV_RANDOM_BITS).toBeGreaterThanOrEqual(128);
    expect(CSV_RANDOM_SYMBOLS * Math.log2(CSV_ALPHABET.length)).toBe(CSV_RANDOM_BITS);
    const codes = Array.from({ length: 3000 }, () => compact(newCsvCode()));
    expect(new Set(codes).size).toBe(codes.length);
    // the first and the last random symbols each take all 32 values: no bit is stuck at either end
    for (const position of [0, CSV_RANDOM_SYMBOLS - 1]) {
      expect(new Set(codes.map((c) => c[position])).size).toBe(32);
    }
  });

  it('passes its own check', () => {
    for (let i = 0; i < 200; i++) {
      const code = newCsvCode();
      expect(parseCsvCode(code)).toEqual({ ok: true, code: compact(code) });
    }
  });
});

describe('parseCsvCode: what people type', () => {
  it('folds case, spaces, dashes and full-width characters', () => {
    const code = newCsvCode();
    const variants = [
      code,
      code.toLowerCase(),
      compact(code),
      compact(code).toLowerCase(),
      code.replaceAll('-', ' '),
      `  ${code.replaceAll('-', ' - ')}\t\n`,
      code.replaceAll('-', '\u2013'), // en dash
      code.replaceAll('-', '\u2014'), // em dash
      code.replaceAll('-', '\u00a0'), // no-break space
      [...code].map((c) => (c === '-' ? '-' : String.fromCharCode(c.charCodeAt(0) + 0xfee0))).join(''), // full width
    ];
    for (const typed of variants) {
      expect(parseCsvCode(typed), JSON.stringify(typed)).toEqual({ ok: true, code: compact(code) });
      expect(formatCsvCode(typed)).toBe(code);
    }
  });

  it('reads O as zero and I or L as one', () => {
    const code = codeContaining('0', '1');
    const lookalikes = [
      code.replaceAll('0', 'O'),
      code.replaceAll('0', 'o').replaceAll('1', 'I'),
      code.replaceAll('1', 'l'),
      code.replaceAll('1', 'L'),
    ];
    for (const typed of lookalikes) expect(formatCsvCode(typed)).toBe(code);
  });

  it('catches any one wrong symbol and any swap of neighbours before a lookup', () => {
    const code = compact(newCsvCode());
    for (let i = 0; i < CSV_LENGTH; i++) {
      for (const c of CSV_ALPHABET) {
        if (c === code[i]) continue;
        const typo = code.slice(0, i) + c + code.slice(i + 1);
        expect(parseCsvCode(typo)).toEqual({ ok: false, error: 'csv_checksum' });
      }
    }
    for (let i = 0; i < CSV_RANDOM_SYMBOLS - 1; i++) {
      if (code[i] === code[i + 1]) continue;
      const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
      expect(parseCsvCode(swapped)).toEqual({ ok: false, error: 'csv_checksum' });
    }
  });

  it.each([
    [undefined, 'csv_malformed'],
    [null, 'csv_malformed'],
    [12345, 'csv_malformed'],
    ['', 'csv_malformed'],
    [' - - ', 'csv_malformed'],
    ['ABCD-EFGH', 'csv_length'],
    ['A'.repeat(27), 'csv_length'],
    ['A'.repeat(29), 'csv_length'],
    ['A'.repeat(101), 'csv_length'],
    ['ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-23U5', 'csv_character'],
    ['ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-23!5', 'csv_character'],
    ['ABCD.EFGH.JKMN.PQRS.TVWX.YZ01.2345', 'csv_character'],
    ['ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-23Ñ5', 'csv_character'],
  ])('refuses %j with %s', (input, error) => {
    expect(parseCsvCode(input)).toEqual({ ok: false, error });
    let thrown: unknown;
    try {
      normalizeCsvCode(input);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(EvidenceError);
    expect((thrown as EvidenceError).code).toBe(error);
  });
});

describe('csvLookupKey', () => {
  it('is the SHA-256 of the compact code, the same for every spelling', () => {
    const code = newCsvCode();
    const key = csvLookupKey(code);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).toBe(createHash('sha256').update(compact(code)).digest('hex'));
    expect(csvLookupKey(code.toLowerCase().replaceAll('-', ' '))).toBe(key);
    expect(csvLookupKey(newCsvCode())).not.toBe(key);
  });

  it('refuses what is not a code instead of hashing it', () => {
    expect(() => csvLookupKey('not a code')).toThrow(EvidenceError);
    expect(() => csvLookupKey(undefined)).toThrow(EvidenceError);
  });
});
