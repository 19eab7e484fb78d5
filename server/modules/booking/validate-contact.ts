/**
 * Checks and normalises what a citizen says about themselves: a way to reach
 * them, a valid ID number when given, an offered language, privacy accepted.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { AppError, type ErrorCode } from '../../../shared/errors.js';
import { normalizeTaxId, isValidTaxId } from '../../../shared/tax-id.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import type { BookingInput } from './booking.schemas.js';

export type Contact = {
  citizenName: string;
  email: string | null;
  phone: string | null;
  taxId: string | null;
  language: BookingInput['language'];
  accessibility: { needs: BookingInput['accessibility']['needs']; interpreterLanguage?: string };
};

export function validateContact(tenant: Tenant, input: Omit<BookingInput, 'procedure'>): Contact {
  // Every problem is reported at once, so a form can show them together.
  const problems: Array<{ path: string; code: ErrorCode }> = [];
  if (!tenant.languages.includes(input.language)) problems.push({ path: 'language', code: 'language_not_offered' });
  const email = input.email?.trim().toLowerCase() || null;
  let phone: string | null = null;
  if (input.phone) {
    const parsed = parsePhoneNumberFromString(input.phone, 'ES');
    if (parsed?.isValid()) phone = parsed.number;
    else problems.push({ path: 'phone', code: 'validation_failed' });
  }
  // We call the citizen on these channels: a phone number is a must.
  if ((input.channel === 'phone' || input.channel === 'callback') && !input.phone) problems.push({ path: 'phone', code: 'phone_required' });
  else if (!email && !input.phone) problems.push({ path: 'email', code: 'contact_required' });
  let taxId: string | null = null;
  if (input.taxId) {
    if (isValidTaxId(input.taxId)) taxId = normalizeTaxId(input.taxId);
    else problems.push({ path: 'taxId', code: 'invalid_tax_id' });
  }
  if (!input.privacyAccepted) problems.push({ path: 'privacyAccepted', code: 'privacy_not_accepted' });
  if (problems.length) throw new AppError(problems[0].code, { fields: problems });
  const needs = [...new Set(input.accessibility.needs)];
  const interpreterLanguage = needs.includes('language_interpreter') ? input.accessibility.interpreterLanguage || undefined : undefined;
  return { citizenName: input.name, email, phone, taxId, language: input.language, accessibility: { needs, interpreterLanguage } };
}
