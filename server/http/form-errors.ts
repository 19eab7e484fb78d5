/** Turns validation problems into per-field messages for a form, in the reader's language. */
import type { z } from 'zod';
import { ERROR_STATUS, type AppError } from '../../shared/errors.js';
import type { T } from '../i18n/i18n.js';
import type { FieldErrors } from './pages/form-parts.js';

/** Fields with their own message under `fields.invalid.<field>`. */
const KNOWN = new Set(['name', 'email', 'phone', 'taxId', 'language', 'interpreterLanguage', 'privacyAccepted', 'reference', 'code', 'password', 'channel', 'start']);

function messageFor(t: T, field: string): string {
  return KNOWN.has(field) ? t(`fields.invalid.${field}`) : t('errors.validation_failed');
}

export function zodFieldErrors(t: T, issues: z.core.$ZodIssue[]): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) {
    const field = String(i.path[0] ?? 'form');
    const key = field === 'accessibility' ? 'interpreterLanguage' : field;
    out[key] ??= messageFor(t, key);
  }
  return out;
}

export function appErrorFieldErrors(t: T, err: AppError): FieldErrors {
  const fields = (err.details?.fields as Array<{ path: string; code?: string }> | undefined) ?? [];
  const out: FieldErrors = {};
  for (const f of fields) {
    const field = f.path.split('.')[0];
    const code = f.code && f.code in ERROR_STATUS && f.code !== 'validation_failed' ? f.code : undefined;
    out[field] ??= code ? t(`errors.${code}`) : messageFor(t, field);
  }
  return out;
}
