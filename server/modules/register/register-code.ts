/**
 * The display code of a register entry: `E/<year>/<number>`, E for entrada,
 * the number zero-padded to six digits and simply longer past 999999
 * (`E/2026/000123`, `E/2026/1000000`). The database checks the same rule
 * (`register_entries_code_format`), so a code can never disagree with its row.
 */

/** Prefix of the entry register (registre d'entrada). */
export const REGISTER_PREFIX = 'E';

/** The code of entry `number` of `year`; throws on a year outside 1000–9999 or a number below 1. */
export function formatRegisterCode(year: number, number: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError('register year must be an integer from 1000 to 9999');
  if (!Number.isSafeInteger(number) || number < 1) throw new RangeError('register number must be a positive integer');
  return `${REGISTER_PREFIX}/${year}/${String(number).padStart(6, '0')}`;
}
