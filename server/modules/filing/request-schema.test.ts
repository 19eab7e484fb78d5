import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors.js';
import { formProblems, formSha256, parseRequestSchema, requestFieldLabel, requestSchemaProblems, storedRequestSchema, validateForm, type RequestSchema } from './request-schema.js';

const schema: RequestSchema = {
  type: 'object',
  properties: {
    subject: { type: 'string', title: 'Subject', 'x-title': { ca: 'Assumpte', es: 'Asunto', en: 'Subject' }, maxLength: 200 },
    description: { type: 'string', multiline: true },
    amount: { type: 'number', minimum: 0, maximum: 1_000_000 },
    copies: { type: 'integer', minimum: 1, maximum: 10 },
    date: { type: 'string', format: 'date' },
    email: { type: 'string', format: 'email' },
    urgent: { type: 'boolean' },
    kind: { type: 'string', enum: ['request', 'complaint'], 'x-enum-titles': { ca: ['Sol·licitud', 'Queixa'], es: ['Solicitud', 'Queja'], en: ['Request', 'Complaint'] } },
  },
  required: ['subject', 'kind'],
};

const codes = (raw: unknown) => requestSchemaProblems(raw).map((p) => `${p.path}:${p.code}`);

describe('request schema subset', () => {
  it('accepts a schema that uses every part of the subset', () => {
    expect(requestSchemaProblems(schema)).toEqual([]);
    expect(parseRequestSchema(schema)).toBe(schema);
    expect(requestSchemaProblems({ type: 'object', properties: {} })).toEqual([]);
    expect(requestSchemaProblems({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: {}, additionalProperties: false, maxProperties: 40 })).toEqual([]);
  });

  it('names each problem by its path', () => {
    expect(codes(null)).toEqual([':object_expected']);
    expect(codes([])).toEqual([':object_expected']);
    expect(codes({ type: 'array', properties: {} })).toEqual(['type:object_expected']);
    expect(codes({ type: 'object' })).toEqual(['properties:object_expected']);
    expect(codes({ type: 'object', properties: {}, $ref: '#/x' })).toEqual(['$ref:keyword_unknown']);
    expect(codes({ type: 'object', properties: { 'Bad-Name': { type: 'string' } } })).toEqual(['properties.Bad-Name:field_name_invalid']);
    expect(codes({ type: 'object', properties: { a: { type: 'array' } } })).toEqual(['properties.a.type:type_invalid']);
    expect(codes({ type: 'object', properties: { a: { type: 'string', pattern: '^x' } } })).toEqual(['properties.a.pattern:keyword_unknown']);
    expect(codes({ type: 'object', properties: { a: { type: 'number', format: 'date' } } })).toEqual(['properties.a.format:keyword_not_for_type']);
    expect(codes({ type: 'object', properties: { a: { type: 'string', format: 'uri' } } })).toEqual(['properties.a.format:format_unknown']);
    expect(codes({ type: 'object', properties: { a: { type: 'string', maxLength: 5000 } } })).toEqual(['properties.a.maxLength:length_invalid']);
    expect(codes({ type: 'object', properties: { a: { type: 'string', minLength: 9, maxLength: 3 } } })).toEqual(['properties.a.minLength:min_above_max']);
    expect(codes({ type: 'object', properties: { a: { type: 'integer', minimum: 0.5 } } })).toEqual(['properties.a.minimum:number_invalid']);
    expect(codes({ type: 'object', properties: { a: { type: 'string', enum: [] } } })).toEqual(['properties.a.enum:enum_invalid']);
    expect(codes({ type: 'object', properties: { a: { type: 'string', enum: ['x', 1] } } })).toEqual(['properties.a.enum:enum_type']);
    expect(codes({ type: 'object', properties: { a: { type: 'string', enum: ['x', 'x'] } } })).toEqual(['properties.a.enum:enum_duplicate']);
    expect(codes({ type: 'object', properties: { a: { type: 'string', enum: ['x'], 'x-enum-titles': { ca: ['x', 'y'] } } } })).toEqual(['properties.a.x-enum-titles.ca:enum_titles_invalid']);
    expect(codes({ type: 'object', properties: { a: { type: 'string', 'x-title': { fr: 'Objet' } } } })).toEqual(['properties.a.x-title.fr:language_unknown']);
    expect(codes({ type: 'object', properties: { a: { type: 'string' } }, required: ['b'] })).toEqual(['required:required_unknown_field']);
    expect(codes({ type: 'object', properties: {}, additionalProperties: true })).toEqual(['additionalProperties:must_be_false']);
    const many = Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`f${i}`, { type: 'string' }]));
    expect(codes({ type: 'object', properties: many })).toContain('properties:too_many_fields');
    expect(codes({ type: 'object', properties: { a: { type: 'string', title: 'x'.repeat(70_000) } } })).toEqual([':schema_too_large']);
  });

  it('throws request_schema_invalid with the first problem\'s path', () => {
    try {
      parseRequestSchema({ type: 'object', properties: { a: { type: 'date' } } });
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('request_schema_invalid');
      expect(isAppError(e) && e.details).toMatchObject({ path: 'properties.a.type', code: 'type_invalid' });
    }
  });

  it('treats a stored schema that no longer fits as none', () => {
    expect(storedRequestSchema(null)).toBeNull();
    expect(storedRequestSchema({ type: 'object', properties: { a: { type: 'array' } } })).toBeNull();
    expect(storedRequestSchema(schema)).toBe(schema);
  });

  it('labels fields in the language asked, then the title, then the name', () => {
    expect(requestFieldLabel('subject', schema.properties.subject, 'ca')).toBe('Assumpte');
    expect(requestFieldLabel('subject', { type: 'string', title: 'Subject' }, 'es')).toBe('Subject');
    expect(requestFieldLabel('amount', schema.properties.amount, 'en')).toBe('amount');
  });
});

describe('form data', () => {
  const ok = { subject: 'Soroll al carrer', kind: 'complaint', amount: 12.5, copies: 2, date: '2026-03-01', email: 'nuria@example.com', urgent: false, description: 'Línia 1\nLínia 2' };

  it('accepts data that fits', () => {
    expect(formProblems(schema, ok)).toEqual([]);
    expect(validateForm(schema, { subject: 'x', kind: 'request' })).toEqual({ subject: 'x', kind: 'request' });
  });

  it('names each field with its problem code', () => {
    const problems = formProblems(schema, {
      subject: '',
      kind: 'other',
      amount: -1,
      copies: 1.5,
      date: '2026-02-30',
      email: 'not an email',
      urgent: 'yes',
      description: 'x'.repeat(2001),
      extra: 1,
    });
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.code]));
    expect(byPath).toEqual({
      subject: 'minLength',
      kind: 'enum',
      amount: 'minimum',
      copies: 'type',
      date: 'format',
      email: 'format',
      urgent: 'type',
      description: 'maxLength',
      extra: 'unknown',
    });
    expect(formProblems(schema, {}).map((p) => `${p.path}:${p.code}`)).toEqual(['subject:required', 'kind:required']);
    expect(formProblems(schema, [])).toEqual([{ path: '', code: 'type' }]);
    expect(formProblems(schema, null)).toEqual([{ path: '', code: 'type' }]);
    expect(formProblems(schema, { subject: 'x'.repeat(201), kind: 'request' })).toEqual([{ path: 'subject', code: 'maxLength' }]);
  });

  it('without a schema only the empty form is valid', () => {
    expect(formProblems(null, {})).toEqual([]);
    expect(formProblems(null, { a: 1 })).toEqual([{ path: 'a', code: 'unknown' }]);
  });

  it('throws form_invalid with details.fields', () => {
    try {
      validateForm(schema, { kind: 'request' });
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('form_invalid');
      expect(isAppError(e) && e.details).toEqual({ fields: [{ path: 'subject', code: 'required' }] });
    }
  });
});

describe('formSha256', () => {
  it('is the SHA-256 of the RFC 8785 canonical JSON: key order and number spelling do not matter', () => {
    const canonical = '{"a":[1,"x"],"b":1e+21,"c":0.5}';
    expect(formSha256({ c: 0.5, b: 1e21, a: [1, 'x'] })).toBe(createHash('sha256').update(canonical).digest('hex'));
    expect(formSha256({ a: [1, 'x'], b: 1000000000000000000000, c: 0.50 })).toBe(formSha256({ c: 0.5, b: 1e21, a: [1, 'x'] }));
    expect(formSha256({ a: 'é' })).not.toBe(formSha256({ a: 'e\u0301' }));
    expect(formSha256({})).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('field order', () => {
  it('keeps the admin’s order through storage that forgets key order', async () => {
    const { orderedFields, withFieldOrder } = await import('./request-schema.js');
    const written = withFieldOrder({ type: 'object', properties: { zeta: { type: 'string' }, a: { type: 'string' }, middle: { type: 'boolean' } } });
    expect(written['x-order']).toEqual(['zeta', 'a', 'middle']);
    expect(requestSchemaProblems(written)).toEqual([]);
    // what jsonb gives back: keys shortest first
    const stored = JSON.parse(JSON.stringify({ 'x-order': written['x-order'], type: 'object', properties: { a: { type: 'string' }, zeta: { type: 'string' }, middle: { type: 'boolean' } } }));
    expect(orderedFields(stored).map(([n]) => n)).toEqual(['zeta', 'a', 'middle']);
    expect(codes({ type: 'object', properties: { a: { type: 'string' } }, 'x-order': ['a', 'b'] })).toEqual(['x-order:order_invalid']);
  });
});
