/** Converts between a procedure and the flat fields of the admin form (one text box per language, the request form as JSON text). */
import type { Language } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import type { Procedure } from './catalogue.repository.js';
import type { ProcedureInput } from './catalogue.schemas.js';

export type ProcedureForm = Record<string, string | string[] | undefined>;

export function procedureToForm(p: Procedure | undefined, languages: Language[]): ProcedureForm {
  const f: ProcedureForm = {
    code: p?.code ?? '',
    departmentId: p?.departmentId ?? '',
    channels: p?.channels ?? ['video', 'phone'],
    durationMinutes: String(p?.durationMinutes ?? 30),
    bufferMinutes: String(p?.bufferMinutes ?? 5),
    minNoticeMinutes: String(p?.minNoticeMinutes ?? 60),
    horizonDays: String(p?.horizonDays ?? 30),
    position: String(p?.position ?? 0),
    active: p === undefined || p.active ? 'yes' : '',
    retentionDays: String(p?.retentionDays ?? 7),
    requestSchema: p?.requestSchema ? JSON.stringify(p.requestSchema, null, 2) : '',
  };
  for (const l of languages) {
    f[`name_${l}`] = p?.name[l] ?? '';
    f[`help_${l}`] = p?.help[l] ?? '';
    f[`documents_${l}`] = (p?.documents ?? []).map((d) => d.description[l] ?? '').join('\n');
  }
  return f;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const int = (v: unknown) => (str(v).trim() === '' ? NaN : Number(str(v)));

/** The request form's JSON text: empty = no form; text that is not a JSON object is `request_schema_invalid` on the field. */
export function parseRequestSchemaText(text: string): Record<string, unknown> | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('request_schema_invalid', { path: '', code: 'json_invalid', fields: [{ path: 'requestSchema', code: 'json_invalid' }] });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('request_schema_invalid', { path: '', code: 'object_expected', fields: [{ path: 'requestSchema', code: 'object_expected' }] });
  }
  return value as Record<string, unknown>;
}

/** Documents are one per line, the n-th line of each language describing the same document. */
export function formToProcedureInput(f: ProcedureForm, languages: Language[]): ProcedureInput {
  const lines = Object.fromEntries(languages.map((l) => [l, str(f[`documents_${l}`]).split(/\r?\n/).map((s) => s.trim())]));
  const count = Math.max(0, ...languages.map((l) => lines[l].filter(Boolean).length ? lines[l].length : 0));
  const documents = [];
  for (let i = 0; i < count; i++) {
    const description = Object.fromEntries(languages.map((l) => [l, lines[l][i] ?? '']).filter(([, v]) => v));
    if (Object.keys(description).length) documents.push({ description });
  }
  const channels = Array.isArray(f.channels) ? f.channels : f.channels ? [f.channels] : [];
  return {
    code: str(f.code).trim(),
    name: Object.fromEntries(languages.map((l) => [l, str(f[`name_${l}`]).trim()]).filter(([, v]) => v)),
    help: Object.fromEntries(languages.map((l) => [l, str(f[`help_${l}`]).trim()]).filter(([, v]) => v)),
    departmentId: str(f.departmentId) || null,
    channels: channels as ProcedureInput['channels'],
    durationMinutes: int(f.durationMinutes),
    bufferMinutes: int(f.bufferMinutes),
    minNoticeMinutes: int(f.minNoticeMinutes),
    horizonDays: int(f.horizonDays),
    position: int(f.position),
    documents,
    active: f.active === 'yes',
    // absent (an older form) = the default
    retentionDays: f.retentionDays === undefined ? 7 : int(f.retentionDays),
    requestSchema: parseRequestSchemaText(str(f.requestSchema)),
  };
}
