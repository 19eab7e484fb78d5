import { describe, expect, it } from 'vitest';
import { translator } from '../../i18n/i18n.js';
import { formRows, propertyLabel } from './receipt-form.js';
import { receiptFileName, receiptStorageKey } from './receipt-file.js';
import { formatBytes } from './render-receipt.js';

const schema = {
  type: 'object',
  properties: {
    street: { type: 'string', title: 'Street', 'x-title': { ca: 'Adreça', es: 'Dirección' } },
    kind: { type: 'string', enum: ['minor', 'major'], 'x-enum-titles': { ca: ['Obra menor', 'Obra major'], es: ['Obra menor', 'Obra mayor'] } },
    budget: { type: 'integer', title: 'Budget' },
    scaffolding: { type: 'boolean' },
    start: { type: 'string', format: 'date' },
  },
};

describe('formRows', () => {
  it('labels with x-title in the language, then title, then the name; values as people read them', () => {
    const rows = formRows(schema, { street: 'Carrer Major, 12', kind: 'major', budget: 12500, scaffolding: false, start: '2026-05-04' }, 'es', translator('es'));
    expect(rows).toEqual([
      { label: 'Dirección', value: 'Carrer Major, 12' },
      { label: 'kind', value: 'Obra mayor' },
      { label: 'Budget', value: '12.500' },
      { label: 'scaffolding', value: 'No' },
      { label: 'start', value: '4 de mayo de 2026' },
    ]);
    expect(propertyLabel('street', schema.properties.street, 'en')).toBe('Street');
  });

  it('prints a dash for what was left empty, and keeps values the schema does not name', () => {
    const rows = formRows(schema, { kind: 'other', extra: 'x' }, 'ca', translator('ca'));
    expect(rows.find((r) => r.label === 'Adreça')?.value).toBe('–');
    expect(rows.find((r) => r.label === 'kind')?.value).toBe('other');
    expect(rows.at(-1)).toEqual({ label: 'extra', value: 'x' });
  });

  it('without a schema or data there is nothing to print', () => {
    expect(formRows(null, null, 'en', translator('en'))).toEqual([]);
  });
});

describe('receipt names', () => {
  it('file names carry the register number only, in ASCII; keys start with the tenant', () => {
    expect(receiptFileName('E/2026/000123', 'ca')).toBe('justificant-E-2026-000123.pdf');
    expect(receiptFileName('E/2026/000123', 'es')).toBe('justificante-E-2026-000123.pdf');
    expect(receiptFileName('E/2026/000123', 'en')).toBe('receipt-E-2026-000123.pdf');
    expect(receiptStorageKey('t1', 'f1')).toBe('t1/receipts/f1/receipt.pdf');
  });

  it('sizes in the language', () => {
    expect(formatBytes(34, 'en')).toBe('34 byte');
    expect(formatBytes(2980, 'ca')).toBe('2,9 kB');
    expect(formatBytes(1234567, 'en')).toBe('1.2 MB');
  });
});
