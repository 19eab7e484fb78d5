/**
 * The closed list of error codes the API and pages can answer with.
 * HTTP status mapping lives here so server and clients agree; the browser
 * and emails translate `errors.<code>` from the i18n catalogues.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  malformed_body: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  not_found: 404,
  tenant_not_found: 404,
  procedure_not_found: 404,
  appointment_not_found: 404,
  method_not_allowed: 405,
  unauthenticated: 401,
  invalid_credentials: 401,
  access_denied: 401,
  account_locked: 423,
  forbidden: 403,
  csrf_failed: 403,
  rate_limited: 429,
  channel_not_offered: 422,
  slot_invalid: 422,
  slot_in_past: 422,
  slot_too_soon: 422,
  slot_out_of_hours: 422,
  slot_holiday: 422,
  slot_beyond_horizon: 422,
  slot_taken: 409,
  contact_required: 422,
  phone_required: 422,
  privacy_not_accepted: 422,
  invalid_tax_id: 422,
  language_not_offered: 422,
  cutoff_passed: 409,
  appointment_not_active: 409,
  conflict: 409,
  attention_not_found: 404,
  attention_not_active: 409,
  attention_taken: 409,
  agent_busy: 409,
  queue_empty: 409,
  queue_closed: 409,
  room_not_open: 409,
  typology_not_found: 422,
  recording_consent_missing: 409,
  recording_not_active: 409,
  chunk_conflict: 409,
  period_invalid: 422,
  period_too_long: 422,
  filter_unknown: 422,
  report_not_found: 404,
  transparency_off: 404,
  operator_only: 403,
  csv_malformed: 422,
  csv_length: 422,
  csv_character: 422,
  csv_checksum: 422,
  // formal procedure (issue 4): documents
  upload_closed: 409,
  file_type_not_allowed: 415,
  file_too_large: 413,
  file_name_invalid: 422,
  file_empty: 422,
  upload_incomplete: 409,
  upload_offset_mismatch: 409,
  archive_bomb: 422,
  virus_found: 422,
  scan_unavailable: 503,
  document_not_found: 404,
  document_not_reviewable: 409,
  reject_reason_required: 422,
  too_many_documents: 409,
  // identity
  identity_name_required: 422,
  identity_images_missing: 422,
  face_not_confirmed: 422,
  identity_not_checked: 409,
  // request, consent, register
  request_schema_invalid: 422,
  form_invalid: 422,
  consent_missing: 409,
  consent_stale: 409,
  otp_invalid: 422,
  otp_expired: 410,
  otp_attempts: 429,
  not_authorised_official: 403,
  already_filed: 409,
  filing_not_found: 404,
  receipt_not_ready: 409,
  // public verification
  verify_not_found: 404,
  // hand-off
  integration_not_configured: 409,
  webhook_url_invalid: 422,
  handoff_not_found: 404,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** An expected failure with a stable code; never carries personal data in `details`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, details?: Record<string, unknown>) {
    super(code);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
