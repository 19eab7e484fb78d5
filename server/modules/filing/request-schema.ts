/**
 * A procedure's request form: the JSON Schema an admin writes in the catalogue
 * (a small, closed subset, so that the console can render every form it
 * accepts), the validator of the data an agent fills in (ajv, strict, with the
 * date and email formats), and `formSha256`, the hash the citizen's consent
 * and the register entry are bound to. See docs/FILING.md for the subset.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type addFormatsModule from 'ajv-formats';
import canonicalize from 'canonicalize';
import { LANGUAGES, type Language } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';


export const FIELD_NAME = /^[a-z][a-zA-Z0-9_]{0,39}$/;
export const MAX_FIELDS = 40;
/** The longest text a field may hold (and its default maxLength). */
export const STRING_MAX = 2000;
export const MAX_ENUM = 100;
const TITLE_MAX = 200;
const DESCRIPTION_MAX = 1000;
/** The schema as stored (canonical JSON), at most this many bytes. */
export const SCHEMA_MAX_BYTES = 64 * 1024;

export type FieldType = 'string' | 'number' | 'integer' | 'boolean';
export type Localized = Partial<Record<Language, string>>;

export type RequestField = {
  type: FieldType;
  title?: string;
  'x-title'?: Localized;
  description?: string;
  'x-description'?: Localized;
  enum?: Array<string | number>;
  'x-enum-titles'?: Partial<Record<Language, string[]>>;
  format?: 'date' | 'email';
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  multiline?: boolean;
  'x-multiline'?: boolean;
};

export type RequestSchema = {
  type: 'object';
  title?: string;
  description?: string;
  properties: Record<string, RequestField>;
  required?: string[];
  maxProperties?: number;
  additionalProperties?: false;
  /**
   * The fields' order (every property name once). PostgreSQL's jsonb does not
   * keep key order, so `withFieldOrder` records the admin's order here when a
   * schema is saved, and `orderedFields` reads it back.
   */
  'x-order'?: string[];
};

/** A problem of a schema or of form data: where (dotted path; '' = the whole) and a code the UI translates. */
export type SchemaProblem = { path: string; code: string };

const TOP_KEYS = new Set(['$schema', 'type', 'title', 'description', 'properties', 'required', 'maxProperties', 'additionalProperties', 'x-order']);
const FIELD_KEYS = new Set([
  'type', 'title', 'x-title', 'description', 'x-description', 'enum', 'x-enum-titles', 'format',
  'minLength', 'maxLength', 'minimum', 'maximum', 'multiline', 'x-multiline',
]);
const STRING_ONLY = ['format', 'minLength', 'maxLength', 'multiline', 'x-multiline'];
const NUMBER_ONLY = ['minimum', 'maximum'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLength = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= STRING_MAX;

function checkText(problems: SchemaProblem[], path: string, v: unknown, max: number) {
  if (typeof v !== 'string' || v.length > max) problems.push({ path, code: 'text_invalid' });
}

function checkLocalized(problems: SchemaProblem[], path: string, v: unknown, max: number) {
  if (!isObject(v)) return problems.push({ path, code: 'localized_invalid' });
  for (const [k, text] of Object.entries(v)) {
    if (!(LANGUAGES as readonly string[]).includes(k)) problems.push({ path: `${path}.${k}`, code: 'language_unknown' });
    else checkText(problems, `${path}.${k}`, text, max);
  }
}

function checkField(problems: SchemaProblem[], path: string, f: unknown) {
  if (!isObject(f)) return problems.push({ path, code: 'field_invalid' });
  for (const k of Object.keys(f)) if (!FIELD_KEYS.has(k)) problems.push({ path: `${path}.${k}`, code: 'keyword_unknown' });
  const type = f.type;
  if (type !== 'string' && type !== 'number' && type !== 'integer' && type !== 'boolean') {
    problems.push({ path: `${path}.type`, code: 'type_invalid' });
    return;
  }
  for (const k of STRING_ONLY) if (k in f && type !== 'string') problems.push({ path: `${path}.${k}`, code: 'keyword_not_for_type' });
  for (const k of NUMBER_ONLY) if (k in f && type !== 'number' && type !== 'integer') problems.push({ path: `${path}.${k}`, code: 'keyword_not_for_type' });
  if ('title' in f) checkText(problems, `${path}.title`, f.title, TITLE_MAX);
  if ('description' in f) checkText(problems, `${path}.description`, f.description, DESCRIPTION_MAX);
  if ('x-title' in f) checkLocalized(problems, `${path}.x-title`, f['x-title'], TITLE_MAX);
  if ('x-description' in f) checkLocalized(problems, `${path}.x-description`, f['x-description'], DESCRIPTION_MAX);
  if ('format' in f && f.format !== 'date' && f.format !== 'email') problems.push({ path: `${path}.format`, code: 'format_unknown' });
  for (const k of ['multiline', 'x-multiline']) if (k in f && typeof f[k] !== 'boolean') problems.push({ path: `${path}.${k}`, code: 'boolean_expected' });
  for (const k of ['minLength', 'maxLength']) if (k in f && !isLength(f[k])) problems.push({ path: `${path}.${k}`, code: 'length_invalid' });
  if (isLength(f.minLength) && isLength(f.maxLength) && (f.minLength as number) > (f.maxLength as number)) problems.push({ path: `${path}.minLength`, code: 'min_above_max' });
  for (const k of ['minimum', 'maximum']) {
    if (k in f && (typeof f[k] !== 'number' || !Number.isFinite(f[k]) || (type === 'integer' && !Number.isInteger(f[k])))) problems.push({ path: `${path}.${k}`, code: 'number_invalid' });
  }
  if (typeof f.minimum === 'number' && typeof f.maximum === 'number' && f.minimum > f.maximum) problems.push({ path: `${path}.minimum`, code: 'min_above_max' });
  if ('enum' in f) {
    const values = f.enum;
    if (type === 'boolean') problems.push({ path: `${path}.enum`, code: 'keyword_not_for_type' });
    else if (!Array.isArray(values) || values.length === 0 || values.length > MAX_ENUM) problems.push({ path: `${path}.enum`, code: 'enum_invalid' });
    else {
      const ok = values.every((v) =>
        type === 'string' ? typeof v === 'string' && v.length <= STRING_MAX : typeof v === 'number' && Number.isFinite(v) && (type === 'number' || Number.isInteger(v)),
      );
      if (!ok) problems.push({ path: `${path}.enum`, code: 'enum_type' });
      else if (new Set(values).size !== values.length) problems.push({ path: `${path}.enum`, code: 'enum_duplicate' });
    }
  }
  if ('x-enum-titles' in f) {
    const titles = f['x-enum-titles'];
    const count = Array.isArray(f.enum) ? f.enum.length : -1;
    if (!isObject(titles) || count < 0) problems.push({ path: `${path}.x-enum-titles`, code: 'enum_titles_invalid' });
    else {
      for (const [k, list] of Object.entries(titles)) {
        if (!(LANGUAGES as readonly string[]).includes(k)) problems.push({ path: `${path}.x-enum-titles.${k}`, code: 'language_unknown' });
        else if (!Array.isArray(list) || list.length !== count || !list.every((s) => typeof s === 'string' && s.length <= TITLE_MAX)) {
          problems.push({ path: `${path}.x-enum-titles.${k}`, code: 'enum_titles_invalid' });
        }
      }
    }
  }
}

/** Every problem of a schema an admin wrote against the subset (empty = acceptable). */
export function requestSchemaProblems(raw: unknown): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (!isObject(raw)) return [{ path: '', code: 'object_expected' }];
  const text = canonicalize(raw);
  if (text === undefined || Buffer.byteLength(text) > SCHEMA_MAX_BYTES) return [{ path: '', code: 'schema_too_large' }];
  for (const k of Object.keys(raw)) if (!TOP_KEYS.has(k)) problems.push({ path: k, code: 'keyword_unknown' });
  if (raw.type !== 'object') problems.push({ path: 'type', code: 'object_expected' });
  if ('$schema' in raw && typeof raw.$schema !== 'string') problems.push({ path: '$schema', code: 'text_invalid' });
  if ('title' in raw) checkText(problems, 'title', raw.title, TITLE_MAX);
  if ('description' in raw) checkText(problems, 'description', raw.description, DESCRIPTION_MAX);
  if ('additionalProperties' in raw && raw.additionalProperties !== false) problems.push({ path: 'additionalProperties', code: 'must_be_false' });
  if ('maxProperties' in raw && !(Number.isInteger(raw.maxProperties) && (raw.maxProperties as number) >= 0 && (raw.maxProperties as number) <= MAX_FIELDS)) {
    problems.push({ path: 'maxProperties', code: 'too_many_fields' });
  }
  const props = raw.properties;
  if (!isObject(props)) {
    problems.push({ path: 'properties', code: 'object_expected' });
    return problems;
  }
  const names = Object.keys(props);
  if (names.length > MAX_FIELDS) problems.push({ path: 'properties', code: 'too_many_fields' });
  for (const name of names.slice(0, MAX_FIELDS + 1)) {
    if (!FIELD_NAME.test(name)) problems.push({ path: `properties.${name.slice(0, 60)}`, code: 'field_name_invalid' });
    else checkField(problems, `properties.${name}`, props[name]);
  }
  if ('x-order' in raw) {
    const order = raw['x-order'];
    const sameNames = Array.isArray(order) && order.length === names.length && new Set(order).size === order.length && order.every((n) => typeof n === 'string' && n in props);
    if (!sameNames) problems.push({ path: 'x-order', code: 'order_invalid' });
  }
  if ('required' in raw) {
    const req = raw.required;
    if (!Array.isArray(req) || !req.every((r) => typeof r === 'string')) problems.push({ path: 'required', code: 'required_invalid' });
    else {
      if (new Set(req).size !== req.length) problems.push({ path: 'required', code: 'required_duplicate' });
      for (const r of req) if (!(r in props)) problems.push({ path: 'required', code: 'required_unknown_field' });
    }
  }
  return problems;
}

/** The schema, once it is known to be acceptable; throws `request_schema_invalid` with `details.path` (first problem) and every problem. */
export function parseRequestSchema(raw: unknown): RequestSchema {
  const problems = requestSchemaProblems(raw);
  if (problems.length) throw new AppError('request_schema_invalid', { path: problems[0].path, code: problems[0].code, problems: problems.slice(0, 20) });
  return raw as RequestSchema;
}

/* ───────────── form data ───────────── */

/** ajv and its formats (CommonJS), required when the first form is validated rather than at start-up. */
let ajvInstance: Ajv | undefined;
function formAjv(): Ajv {
  if (ajvInstance) return ajvInstance;
  const requireCjs = createRequire(import.meta.url);
  const { Ajv: AjvClass } = requireCjs('ajv') as typeof import('ajv');
  const formats = requireCjs('ajv-formats') as typeof addFormatsModule & { default?: typeof addFormatsModule };
  const addFormats = (formats.default ?? formats) as unknown as (a: Ajv, names: string[]) => Ajv;
  const ajv = new AjvClass({ strict: true, allErrors: true, coerceTypes: false, useDefaults: false, removeAdditional: false, allowUnionTypes: false, validateFormats: true });
  addFormats(ajv, ['date', 'email']);
  return (ajvInstance = ajv);
}

/**
 * The validation schema behind a request schema: only validation keywords
 * (labels and `x-` keywords dropped), no other fields allowed, every string
 * at most STRING_MAX characters, and a required text must not be empty.
 */
function validationSchema(s: RequestSchema | null): Record<string, unknown> {
  const required = s?.required ?? [];
  const properties: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(s?.properties ?? {})) {
    const p: Record<string, unknown> = { type: f.type };
    if (f.enum) p.enum = f.enum;
    if (f.type === 'string') {
      p.maxLength = Math.min(f.maxLength ?? STRING_MAX, STRING_MAX);
      const min = required.includes(name) ? Math.max(f.minLength ?? 1, 1) : f.minLength;
      if (min !== undefined) p.minLength = min;
      if (f.format) p.format = f.format;
    }
    if (f.minimum !== undefined) p.minimum = f.minimum;
    if (f.maximum !== undefined) p.maximum = f.maximum;
    properties[name] = p;
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/** Compiled validators by schema hash, a few hundred at most (ajv keeps its own cache per schema object: dropped on eviction). */
const compiled = new Map<string, { schema: Record<string, unknown>; validate: ValidateFunction }>();
const COMPILED_MAX = 200;

function validatorFor(s: RequestSchema | null): ValidateFunction {
  const schema = validationSchema(s);
  const key = formSha256(schema);
  const hit = compiled.get(key);
  if (hit) return hit.validate;
  const ajv = formAjv();
  const validate = ajv.compile(schema);
  compiled.set(key, { schema, validate });
  if (compiled.size > COMPILED_MAX) {
    const [oldKey, old] = compiled.entries().next().value!;
    compiled.delete(oldKey);
    ajv.removeSchema(old.schema);
  }
  return validate;
}

function problemOf(e: ErrorObject): SchemaProblem {
  const at = e.instancePath.split('/').slice(1).join('.');
  if (e.keyword === 'required') return { path: String((e.params as { missingProperty: string }).missingProperty), code: 'required' };
  if (e.keyword === 'additionalProperties') return { path: String((e.params as { additionalProperty: string }).additionalProperty).slice(0, 60), code: 'unknown' };
  return { path: at, code: e.keyword };
}

/**
 * The problems of form data against a procedure's schema (null = a procedure
 * without a form: only `{}` is valid). Codes: required, type, enum,
 * minLength, maxLength, format, minimum, maximum, unknown; one per field.
 */
export function formProblems(schema: RequestSchema | null, data: unknown): SchemaProblem[] {
  if (!isObject(data)) return [{ path: '', code: 'type' }];
  const validate = validatorFor(schema);
  if (validate(data)) return [];
  const seen = new Set<string>();
  const out: SchemaProblem[] = [];
  for (const e of validate.errors ?? []) {
    const p = problemOf(e);
    if (seen.has(p.path)) continue;
    seen.add(p.path);
    out.push(p);
  }
  return out;
}

/** Throws `form_invalid` with `details.fields: [{path, code}]` unless the data fits the schema. */
export function validateForm(schema: RequestSchema | null, data: unknown): Record<string, unknown> {
  const problems = formProblems(schema, data);
  if (problems.length) throw new AppError('form_invalid', { fields: problems.slice(0, MAX_FIELDS + 5) });
  return data as Record<string, unknown>;
}

/** The stored schema of a procedure as a RequestSchema (stored ones were checked when saved; a bad one found later counts as none). */
export function storedRequestSchema(raw: unknown): RequestSchema | null {
  if (raw === null || raw === undefined) return null;
  return requestSchemaProblems(raw).length ? null : (raw as RequestSchema);
}

/**
 * SHA-256 (lowercase hex) of the RFC 8785 canonical JSON of form data — the
 * same canonicalisation as the audit chain (modules/audit/audit-hash.ts) — so
 * that key order and number spelling never change what the citizen consented to.
 */
export function formSha256(formData: unknown): string {
  const text = canonicalize(formData);
  if (text === undefined) throw new AppError('form_invalid', { fields: [{ path: '', code: 'type' }] });
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The schema with `x-order` set to its fields' order as written, unless it has one (call before storing: jsonb forgets key order). */
export function withFieldOrder<S extends Record<string, unknown>>(schema: S): S & { 'x-order'?: string[] } {
  const props = schema.properties;
  if ('x-order' in schema || !isObject(props)) return schema;
  return { ...schema, 'x-order': Object.keys(props) };
}

/** The fields in the admin's order (`x-order`), then any not listed in it, in stored order. */
export function orderedFields<F>(schema: { properties?: Record<string, F>; 'x-order'?: unknown } | null | undefined): Array<[string, F]> {
  const props = schema?.properties ?? {};
  const order = Array.isArray(schema?.['x-order']) ? (schema['x-order'] as unknown[]).filter((n): n is string => typeof n === 'string' && Object.hasOwn(props, n)) : [];
  const listed = new Set(order);
  return [...order.map((n): [string, F] => [n, props[n]]), ...Object.entries(props).filter(([n]) => !listed.has(n))];
}

/** A field's label in a language: `x-title[lang] ?? title ?? name`. */
export function requestFieldLabel(name: string, f: RequestField, lang: Language): string {
  return f['x-title']?.[lang] || f.title || name;
}
