import { describe, expect, it } from 'vitest';
import { FILE_NAME_MAX, sanitiseFileName } from './file-name.js';

describe('file names', () => {
  it('keeps the base name only, without paths, control or bidi characters, in NFC', () => {
    expect(sanitiseFileName('C:\\Users\\laia\\dni.pdf')).toBe('dni.pdf');
    expect(sanitiseFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitiseFileName('fac\u0000tura\u202e.pdf')).toBe('factura.pdf');
    expect(sanitiseFileName('Cafe\u0301 amb llet.jpg')).toBe('Café amb llet.jpg');
    expect(sanitiseFileName('  dos   espais\t.png ')).toBe('dos espais.png');
  });

  it('refuses empty names and bare dots', () => {
    for (const bad of ['', '   ', '..', '.', 'a/..', 'dir/', '\u0000\u0001', 42, undefined]) {
      expect(() => sanitiseFileName(bad)).toThrowError(expect.objectContaining({ code: 'file_name_invalid' }));
    }
  });

  it('shortens long names to 200 characters keeping the extension and whole characters', () => {
    const long = `${'😀'.repeat(300)}.pdf`;
    const out = sanitiseFileName(long);
    expect(out.length).toBeLessThanOrEqual(FILE_NAME_MAX);
    expect(out.endsWith('😀.pdf')).toBe(true);
    expect(sanitiseFileName(`${'a'.repeat(500)}`)).toHaveLength(200);
  });
});
