/**
 * Error codes of the evidence module (ENI metadata and secure verification
 * codes). The verification-code ones are in the API's closed list
 * (`shared/errors.ts`, translated) because citizens type those codes; the ENI
 * ones are programming or configuration errors of the filing flow and stay
 * here. Details carry field paths only, never values.
 */
import type { ErrorCode } from '../../../shared/errors.js';

/** Why ENI metadata was refused: one code per kind of bad input. */
export const ENI_ERROR_CODES = [
  'eni_input_invalid',
  'eni_organ_missing',
  'eni_organ_invalid',
  'eni_organ_duplicate',
  'eni_local_id_invalid',
  'eni_capture_date_invalid',
  'eni_time_zone_invalid',
  'eni_origin_invalid',
  'eni_state_invalid',
  'eni_origin_document_required',
  'eni_origin_document_not_allowed',
  'eni_origin_document_invalid',
  'eni_format_invalid',
  'eni_document_type_invalid',
  'eni_content_ref_invalid',
  'eni_signature_type_invalid',
  'eni_signature_duplicate',
  'eni_signature_field_not_allowed',
  'eni_signature_ref_required',
  'eni_signature_ref_invalid',
  'eni_csv_missing',
  'eni_csv_invalid',
  'eni_csv_regulation_missing',
  'eni_csv_regulation_invalid',
] as const;

/** Why a typed verification code was refused before any lookup (also in the API's closed list, translated). */
export const CSV_ERROR_CODES = ['csv_malformed', 'csv_length', 'csv_character', 'csv_checksum'] as const satisfies readonly ErrorCode[];

export type EniErrorCode = (typeof ENI_ERROR_CODES)[number];
export type CsvErrorCode = (typeof CSV_ERROR_CODES)[number];
export type EvidenceErrorCode = EniErrorCode | CsvErrorCode;

const ENI_CODE_SET: ReadonlySet<string> = new Set(ENI_ERROR_CODES);

export function isEniErrorCode(value: string): value is EniErrorCode {
  return ENI_CODE_SET.has(value);
}

/** An expected refusal with a stable code; `field` is a path such as `organs.1`, never a value. */
export class EvidenceError extends Error {
  readonly code: EvidenceErrorCode;
  readonly field?: string;
  constructor(code: EvidenceErrorCode, field?: string) {
    super(field ? `${code} (${field})` : code);
    this.name = 'EvidenceError';
    this.code = code;
    this.field = field;
  }
}

export function isEvidenceError(e: unknown): e is EvidenceError {
  return e instanceof EvidenceError;
}
