import { describe, expect, it } from 'vitest';
import { eniFormatOfMime, ESTADOS_ELABORACION, TIPOS_DOCUMENTALES, TIPOS_FIRMA } from './eni-codes.js';
import { eniIdentifier, ineControlDigit, isDir3Code, parseEniIdentifier } from './eni-identifier.js';
import { EvidenceError } from './evidence-errors.js';

describe('DIR3 codes', () => {
  it('computes the INE control digit of real municipalities', () => {
    expect(ineControlDigit('08019')).toBe(3); // Barcelona
    expect(ineControlDigit('28079')).toBe(6); // Madrid
    expect(ineControlDigit('17079')).toBe(2); // Girona
    expect(ineControlDigit('46250')).toBe(8); // València
  });

  const valid = ['L01080193', 'L01280796', 'L01170792', 'L01462508', 'LA0003421', 'L02000008'];
  it.each([...valid, 'E00003901', 'EA0003261', 'A09002970', 'GE0000012', 'U00200001', 'O00001234'])('accepts %s', (code) =>
    expect(isDir3Code(code)).toBe(true),
  );

  it.each([
    ['L01080194', 'a town hall with a wrong control digit'],
    ['L01089999', 'a made-up town hall code'],
    ['L0108019A', 'a town hall code with a letter'],
    ['l01080193', 'lowercase'],
    ['L0108019', 'eight characters'],
    ['L010801930', 'ten characters'],
    ['101080193', 'a leading digit'],
    ['L01 08019', 'a space'],
    ['', 'nothing'],
  ])('refuses %s (%s)', (code) => expect(isDir3Code(code)).toBe(false));
});

describe('ENI identifier', () => {
  it('builds ES_<organ>_<year>_<id> and reads it back', () => {
    const id = eniIdentifier('L01080193', 2026, 'E2026000123R');
    expect(id).toBe('ES_L01080193_2026_E2026000123R');
    expect(parseEniIdentifier(id)).toEqual({ organ: 'L01080193', year: 2026, localId: 'E2026000123R' });
    const longest = 'A'.repeat(30);
    expect(parseEniIdentifier(eniIdentifier('E00003901', 2011, longest))).toEqual({ organ: 'E00003901', year: 2011, localId: longest });
  });

  it('refuses a bad organ, year or specific id with its own code', () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof EvidenceError ? e.code : 'other';
      }
      return 'none';
    };
    expect(codeOf(() => eniIdentifier('L01080194', 2026, 'A1'))).toBe('eni_organ_invalid');
    expect(codeOf(() => eniIdentifier('L01080193', 999, 'A1'))).toBe('eni_capture_date_invalid');
    expect(codeOf(() => eniIdentifier('L01080193', 2026.5, 'A1'))).toBe('eni_capture_date_invalid');
    expect(codeOf(() => eniIdentifier('L01080193', 2026, 'A'.repeat(31)))).toBe('eni_local_id_invalid');
    expect(codeOf(() => eniIdentifier('L01080193', 2026, 'A-1'))).toBe('eni_local_id_invalid');
  });

  it.each([
    'ES_L01080193_2026_' + 'A'.repeat(31),
    'ES_L01080193_2026_',
    'ES_L01080193_26_A1',
    'ES_L01080194_2026_A1',
    'es_L01080193_2026_A1',
    'ES_L01080193_2026_A_1',
    'ES-L01080193-2026-A1',
    ' ES_L01080193_2026_A1',
    'ES_L01080193_2026_A1\n',
  ])('does not read %j as an identifier', (id) => expect(parseEniIdentifier(id)).toBeNull());
});

describe('NTI closed lists', () => {
  it('hold the norm’s codes and nothing else', () => {
    expect(Object.keys(ESTADOS_ELABORACION)).toEqual(['EE01', 'EE02', 'EE03', 'EE04', 'EE99']);
    expect(Object.keys(TIPOS_FIRMA)).toEqual(['TF01', 'TF02', 'TF03', 'TF04', 'TF05', 'TF06']);
    const td = Object.keys(TIPOS_DOCUMENTALES);
    expect(td).toEqual([...Array.from({ length: 20 }, (_, i) => `TD${String(i + 1).padStart(2, '0')}`), 'TD99']);
  });

  it('names the format of the media types we store', () => {
    expect(eniFormatOfMime('application/pdf')).toBe('PDF');
    expect(eniFormatOfMime('Application/PDF')).toBe('PDF');
    expect(eniFormatOfMime('video/webm;codecs="vp8,opus"')).toBe('WEBM');
    expect(eniFormatOfMime('audio/webm')).toBe('WEBM');
    expect(eniFormatOfMime('image/jpeg')).toBe('JPEG');
    expect(eniFormatOfMime('application/vnd.oasis.opendocument.text')).toBe('ODT');
    expect(eniFormatOfMime('application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe('DOCX');
    expect(eniFormatOfMime('text/xml; charset=utf-8')).toBe('XML');
    expect(eniFormatOfMime('application/msword')).toBeNull();
    expect(eniFormatOfMime('application/json')).toBeNull();
    expect(eniFormatOfMime('')).toBeNull();
  });
});
