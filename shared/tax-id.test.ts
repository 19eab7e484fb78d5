import { describe, expect, it } from 'vitest';
import { isValidTaxId, normalizeTaxId, taxIdKind } from './tax-id.js';

describe('tax ids', () => {
  it('validates DNI control letters', () => {
    expect(taxIdKind('12345678Z')).toBe('dni');
    expect(taxIdKind('00000000T')).toBe('dni');
    expect(isValidTaxId('12345678A')).toBe(false);
  });
  it('validates NIE with X, Y and Z', () => {
    expect(taxIdKind('X1234567L')).toBe('nie');
    expect(taxIdKind('Y1234567X')).toBe('nie');
    expect(taxIdKind('Z1234567R')).toBe('nie');
    expect(isValidTaxId('X1234567A')).toBe(false);
  });
  it('validates CIF control digits and letters', () => {
    expect(taxIdKind('B12345674')).toBe('cif');
    expect(taxIdKind('P0801900B')).toBe('cif');
    expect(isValidTaxId('B12345675')).toBe(false);
  });
  it('normalises spacing and case', () => {
    expect(normalizeTaxId(' 12.345.678-z ')).toBe('12345678Z');
    expect(isValidTaxId('12345678-z')).toBe(true);
  });
  it('rejects garbage', () => {
    for (const v of ['', 'ABC', '1234567Z', '123456789Z', 'X12345678L']) expect(isValidTaxId(v)).toBe(false);
  });
});
