import { PDFDocument, PDFString } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { pdfLiteral } from './seal-pdf.js';

/** What a PDF reader gets back from the literal string pdf-lib writes for `text`. */
async function roundTrip(text: string): Promise<string> {
  const doc = await PDFDocument.create();
  doc.addPage();
  const ref = doc.context.register(PDFString.of(pdfLiteral(text)));
  const saved = await PDFDocument.load(await doc.save({ useObjectStreams: false }));
  return saved.context.lookup(ref, PDFString).decodeText();
}

describe('pdfLiteral', () => {
  it('keeps ASCII as it is and escapes the characters that would end or break the string', () => {
    expect(pdfLiteral('Registre (E/2026/000123)')).toBe('Registre \\(E/2026/000123\\)');
    expect(pdfLiteral('a\\b')).toBe('a\\\\b');
    expect(pdfLiteral('line\none\ttab')).toBe('line one tab');
  });

  it('writes other text as UTF-16BE with a byte-order mark, every character one byte', () => {
    const literal = pdfLiteral('Segell electrònic');
    expect(literal.startsWith('\xfe\xff')).toBe(true);
    expect([...literal].every((c) => c.charCodeAt(0) < 256)).toBe(true);
  });

  it.each([
    'Ajuntament de Sant Llorenç — segell electrònic',
    'Col·legi; ŀl; “cometes”; 12 €',
    'Čačak (Ђ) \\ 東京 😀',
    'č is 0x01 0x0D in UTF-16: ač(',
  ])('survives a PDF round trip: %s', async (text) => {
    expect(await roundTrip(text)).toBe(text);
  });
});
