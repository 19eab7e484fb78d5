/**
 * Spanish identity numbers checked by their control character:
 * DNI/NIF (8 digits + letter), NIE (X/Y/Z + 7 digits + letter), CIF (companies).
 */
const LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';
const CIF_LETTERS = 'JABCDEFGHI';

export type TaxIdKind = 'dni' | 'nie' | 'cif';

/** Upper-cases and strips spaces, dots and dashes: "12.345.678-z" → "12345678Z". */
export function normalizeTaxId(raw: string): string {
  return raw.toUpperCase().replace(/[\s.\-]/g, '');
}

/** Returns the kind of a valid number, or null when the number or its control character is wrong. */
export function taxIdKind(raw: string): TaxIdKind | null {
  const v = normalizeTaxId(raw);
  let m = /^(\d{8})([A-Z])$/.exec(v);
  if (m) return LETTERS[Number(m[1]) % 23] === m[2] ? 'dni' : null;
  m = /^([XYZ])(\d{7})([A-Z])$/.exec(v);
  if (m) return LETTERS[Number('XYZ'.indexOf(m[1]) + m[2]) % 23] === m[3] ? 'nie' : null;
  m = /^([ABCDEFGHJNPQRSUVW])(\d{7})([0-9A-J])$/.exec(v);
  if (m) {
    const digits = m[2].split('').map(Number);
    let sum = 0;
    digits.forEach((d, i) => {
      if (i % 2 === 1) sum += d;
      else {
        const x = d * 2;
        sum += Math.floor(x / 10) + (x % 10);
      }
    });
    const control = (10 - (sum % 10)) % 10;
    const expected = /[PQRSNW]/.test(m[1]) ? CIF_LETTERS[control] : /[ABEH]/.test(m[1]) ? String(control) : null;
    if (expected === null) return m[3] === String(control) || m[3] === CIF_LETTERS[control] ? 'cif' : null;
    return m[3] === expected ? 'cif' : null;
  }
  return null;
}

export function isValidTaxId(raw: string): boolean {
  return taxIdKind(raw) !== null;
}
