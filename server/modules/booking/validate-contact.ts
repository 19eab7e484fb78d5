/**
 * Checks and normalises what a citizen says about themselves: a way to reach
 * them, a valid ID number when given, an offered language, privacy accepted.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { AppError } from '../../../shared/errors.js';
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

export function validateContact(tenant: Tenant, input: Omit<BookingInput, 'procedure' | 'channel'>): Contact {
  if (!input.privacyAccepted) throw new AppError('privacy_not_accepted', { fields: [{ path: 'privacyAccepted', code: 'required' }] });
  if (!tenant.languages.includes(input.language)) throw new AppError('language_not_offered', { fields: [{ path: 'language', code: 'invalid' }] });
  const email = input.email?.trim().toLowerCase() || null;
  let phone: string | null = null;
  if (input.phone) {
    const parsed = parsePhoneNumberFromString(input.phone, 'ES');
    if (!parsed || !parsed.isValid()) throw new AppError('validation_failed', { fields: [{ path: 'phone', code: 'invalid' }] });
    phone = parsed.number;
  }
  if (!email && !phone) throw new AppError('contact_required', { fields: [{ path: 'email', code: 'required' }] });
  let taxId: string | null = null;
  if (input.taxId) {
    if (!isValidTaxId(input.taxId)) throw new AppError('invalid_tax_id', { fields: [{ path: 'taxId', code: 'invalid' }] });
    taxId = normalizeTaxId(input.taxId);
  }
  const needs = [...new Set(input.accessibility.needs)];
  const interpreterLanguage = needs.includes('language_interpreter') ? input.accessibility.interpreterLanguage || undefined : undefined;
  return { citizenName: input.name, email, phone, taxId, language: input.language, accessibility: { needs, interpreterLanguage } };
}
