/**
 * The filed form data as the receipt prints it: one row per property of the
 * procedure's request schema, in the schema's order, labelled
 * `x-title[lang] ?? title ?? name`, enum values by their `x-enum-titles`,
 * booleans as yes/no, numbers and dates in the citizen's language. Values the
 * schema does not know (none once H2's validator checked the form) follow
 * under their own names, so nothing filed is left off the receipt.
 */
import { DateTime } from 'luxon';
import type { Language } from '../../../shared/domain.js';
import type { T } from '../../i18n/i18n.js';
import { orderedFields } from '../filing/request-schema.js';

export type FormRow = { label: string; value: string };

type PropertySchema = {
  type?: unknown;
  title?: unknown;
  'x-title'?: unknown;
  enum?: unknown;
  'x-enum-titles'?: unknown;
  format?: unknown;
};

const NO_VALUE = '–';

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function localized(v: unknown, lang: Language): string | undefined {
  if (!isRecord(v)) return undefined;
  const s = v[lang];
  return typeof s === 'string' && s.trim() ? s : undefined;
}

/** The label of a property: its title in the language, its plain title, or its name. */
export function propertyLabel(name: string, p: PropertySchema | undefined, lang: Language): string {
  return localized(p?.['x-title'], lang) ?? (typeof p?.title === 'string' && p.title.trim() ? p.title : name);
}

function valueText(value: unknown, p: PropertySchema | undefined, lang: Language, t: T): string {
  if (value === null || value === undefined || value === '') return NO_VALUE;
  if (Array.isArray(p?.enum)) {
    const i = p.enum.findIndex((e) => e === value);
    const titles = isRecord(p['x-enum-titles']) ? p['x-enum-titles'][lang] : undefined;
    if (i >= 0 && Array.isArray(titles) && typeof titles[i] === 'string') return titles[i] as string;
  }
  if (typeof value === 'boolean') return t(value ? 'receipt.yes' : 'receipt.no');
  if (typeof value === 'number') return new Intl.NumberFormat(lang, { maximumFractionDigits: 10 }).format(value);
  if (typeof value === 'string') {
    if (p?.format === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
      const d = DateTime.fromISO(value, { zone: 'UTC' });
      if (d.isValid) return d.setLocale(lang).toLocaleString(DateTime.DATE_FULL);
    }
    return value;
  }
  return JSON.stringify(value);
}

/** The rows of the form data (empty when there is neither a schema nor data). */
export function formRows(schema: Record<string, unknown> | null, formData: Record<string, unknown> | null, lang: Language, t: T): FormRow[] {
  const properties = isRecord(schema?.properties) ? (schema.properties as Record<string, PropertySchema>) : {};
  const data = formData ?? {};
  const rows: FormRow[] = [];
  for (const [name, p] of orderedFields({ properties, 'x-order': schema?.['x-order'] })) {
    rows.push({ label: propertyLabel(name, isRecord(p) ? p : undefined, lang), value: valueText(data[name], isRecord(p) ? p : undefined, lang, t) });
  }
  for (const [name, value] of Object.entries(data)) {
    if (!(name in properties)) rows.push({ label: name, value: valueText(value, undefined, lang, t) });
  }
  return rows;
}
