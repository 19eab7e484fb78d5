import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors.js';
import { consentLanguage, consentText } from './consent-text.js';
import { checkIdentityInput } from './check-identity.js';
import { otpHash } from './give-consent.js';

const base = { fullName: 'Núria Prats', idNumber: '12345678Z', faceConfirmed: true, frontDocumentId: '', backDocumentId: '' };
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return isAppError(e) ? e.code : 'other';
  }
  return 'none';
};

describe('checkIdentityInput', () => {
  it('normalises the name and the number and names the kind', () => {
    expect(checkIdentityInput({ ...base, fullName: '  Núria\t Prats  ', idNumber: ' 12.345.678-z ' })).toEqual({ fullName: 'Núria Prats', idNumber: '12345678Z', idKind: 'dni' });
    expect(checkIdentityInput({ ...base, idNumber: 'y-1234567-x' }).idKind).toBe('nie');
    expect(checkIdentityInput({ ...base, idNumber: 'B12345674' }).idKind).toBe('cif');
    // NFC: a decomposed accent becomes the composed one
    expect(checkIdentityInput({ ...base, fullName: 'Nu\u0301ria Prats' }).fullName).toBe('Núria Prats');
  });

  it('refuses each problem with its code, name first, then number, then face', () => {
    expect(codeOf(() => checkIdentityInput({ ...base, fullName: 'N' }))).toBe('identity_name_required');
    expect(codeOf(() => checkIdentityInput({ ...base, fullName: ' '.repeat(10) }))).toBe('identity_name_required');
    expect(codeOf(() => checkIdentityInput({ ...base, fullName: 'a'.repeat(201) }))).toBe('identity_name_required');
    expect(codeOf(() => checkIdentityInput({ ...base, fullName: 'Núria\nPrats\u0000' }))).toBe('identity_name_required');
    expect(codeOf(() => checkIdentityInput({ ...base, idNumber: '12345678Y' }))).toBe('invalid_tax_id');
    expect(codeOf(() => checkIdentityInput({ ...base, idNumber: 'Z1234567A' }))).toBe('invalid_tax_id');
    expect(codeOf(() => checkIdentityInput({ ...base, idNumber: '' }))).toBe('invalid_tax_id');
    expect(codeOf(() => checkIdentityInput({ ...base, faceConfirmed: false }))).toBe('face_not_confirmed');
    expect(codeOf(() => checkIdentityInput({ ...base, fullName: '', idNumber: 'x', faceConfirmed: false }))).toBe('identity_name_required');
  });
});

describe('consent text and code', () => {
  const tenant = { name: 'Ajuntament de Vilademo', languages: ['ca', 'es'] as ('ca' | 'es' | 'en')[], defaultLanguage: 'ca' as const };
  const procedure = { ca: 'Instància genèrica', es: 'Instancia genérica', en: 'General request' };

  it('names the town hall, the procedure and the law in the language chosen among those offered', () => {
    expect(consentText(tenant, procedure, 'ca')).toContain("Autoritzo el funcionari habilitat d");
    expect(consentText(tenant, procedure, 'ca')).toContain('«Instància genèrica»');
    expect(consentText(tenant, procedure, 'es')).toContain('Ajuntament de Vilademo');
    expect(consentText(tenant, procedure, 'en')).toContain('article 12.2 of Law 39/2015');
    expect(consentLanguage(tenant, 'en', 'es')).toBe('es');
    expect(consentLanguage(tenant, undefined, 'es')).toBe('es');
    expect(consentLanguage(tenant, 'fr', null)).toBe('ca');
  });

  it('binds the code to its consent and keys it with the server secret', () => {
    const key = Buffer.alloc(32, 7);
    const a = otpHash(key, '00000000-0000-4000-8000-000000000001', '123456');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(otpHash(key, '00000000-0000-4000-8000-000000000002', '123456')).not.toBe(a);
    expect(otpHash(key, '00000000-0000-4000-8000-000000000001', '123457')).not.toBe(a);
    // the consent id alone (what the client knows) does not reproduce it
    expect(otpHash(Buffer.alloc(32, 8), '00000000-0000-4000-8000-000000000001', '123456')).not.toBe(a);
  });
});
