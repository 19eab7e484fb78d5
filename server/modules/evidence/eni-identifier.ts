/**
 * DIR3 organ codes and the ENI document identifier
 * `ES_<Órgano>_<AAAA>_<ID_específico>` of the NTI de Documento Electrónico
 * (annex I, "Identificador"): the organ is a DIR3 code of the Directorio
 * Común (9 characters), AAAA the year of the capture date, and the specific
 * id an alphanumeric code unique within the administration, at most 30
 * characters.
 */
import { EvidenceError } from './evidence-errors.js';

/** 9 characters, capital letters and digits, starting with a letter (E…, A…, L…, LA…, GE…, U…, I…, J…, O…). */
const DIR3_FORMAT = /^[A-Z][A-Z0-9]{8}$/;
/** Town halls: L01 + the INE municipality code (2 province + 3 municipality digits) + its control digit. */
const DIR3_MUNICIPALITY = /^L01(\d{5})(\d)$/;
const LOCAL_ID = /^[A-Za-z0-9]{1,30}$/;
const IDENTIFIER = /^ES_([A-Z0-9]{9})_(\d{4})_([A-Za-z0-9]{1,30})$/;

// The INE's weights for the control digit of a municipality code, applied to
// its five digits in turn (the third digit counts as itself).
const INE_WEIGHTS: readonly (readonly number[])[] = [
  [0, 2, 4, 6, 8, 1, 3, 5, 7, 9],
  [0, 3, 8, 2, 7, 4, 1, 5, 9, 6],
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [0, 2, 4, 6, 8, 1, 3, 5, 7, 9],
  [0, 3, 8, 2, 7, 4, 1, 5, 9, 6],
];

/** The INE control digit of a 5-digit municipality code (e.g. 08019 → 3, so Barcelona is L01080193). */
export function ineControlDigit(municipality: string): number {
  let sum = 0;
  for (let i = 0; i < 5; i++) sum += INE_WEIGHTS[i]![Number(municipality[i])]!;
  return (10 - (sum % 10)) % 10;
}

/** Whether `code` has the shape of a DIR3 code; a town hall's (L01…) must also carry the right INE control digit. */
export function isDir3Code(code: string): boolean {
  if (!DIR3_FORMAT.test(code)) return false;
  if (!code.startsWith('L01')) return true;
  const m = DIR3_MUNICIPALITY.exec(code);
  return m !== null && ineControlDigit(m[1]!) === Number(m[2]);
}

/** The specific part of an ENI identifier: 1 to 30 ASCII letters and digits. */
export function isEniLocalId(id: string): boolean {
  return LOCAL_ID.test(id);
}

/** `ES_<organ>_<year>_<localId>`; refuses a bad organ, year or local id with its own code. */
export function eniIdentifier(organ: string, year: number, localId: string): string {
  if (!isDir3Code(organ)) throw new EvidenceError('eni_organ_invalid', 'identifierOrgan');
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new EvidenceError('eni_capture_date_invalid', 'capturedAt');
  if (!isEniLocalId(localId)) throw new EvidenceError('eni_local_id_invalid', 'localId');
  return `ES_${organ}_${year}_${localId}`;
}

export type EniIdentifierParts = { organ: string; year: number; localId: string };

/** The parts of an ENI identifier, or null when it does not follow the norm (including a bad DIR3 code). */
export function parseEniIdentifier(identifier: string): EniIdentifierParts | null {
  const m = IDENTIFIER.exec(identifier);
  if (!m || !isDir3Code(m[1]!)) return null;
  return { organ: m[1]!, year: Number(m[2]), localId: m[3]! };
}
