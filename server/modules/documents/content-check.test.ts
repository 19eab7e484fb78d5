import { describe, expect, it } from 'vitest';
import { EICAR, sampleDocx, sampleExe, sampleJpeg, sampleOdt, sampleOle, samplePdf, samplePlainZip, samplePng, sampleZipBomb } from '../../../test/documents-samples.js';
import { DOC, DOCX, finalContentType, IMAGE_TYPES, ODT, PDF, sniffHead, XLS, type RangeReader } from './content-check.js';

const reader = (b: Buffer): RangeReader => ({ size: b.length, read: async (s, l) => b.subarray(s, s + l) });

async function typeOf(b: Buffer, allowed?: readonly string[]) {
  const sniffed = await sniffHead(b.subarray(0, 64 * 1024), { complete: true, allowed });
  return finalContentType(sniffed!, reader(b), allowed);
}

describe('content type from the bytes', () => {
  it('knows the allowed formats whatever they are called', async () => {
    expect(await typeOf(samplePdf())).toBe(PDF);
    expect(await typeOf(samplePng())).toBe('image/png');
    expect(await typeOf(sampleJpeg(5000))).toBe('image/jpeg');
    expect(await typeOf(sampleDocx())).toBe(DOCX);
    expect(await typeOf(sampleOdt())).toBe(ODT);
    expect(await typeOf(sampleOle('WordDocument'))).toBe(DOC);
    expect(await typeOf(sampleOle('Workbook'))).toBe(XLS);
  });

  it('refuses disguised and unknown types: an executable, plain text, a plain zip, an unknown OLE file, macros', async () => {
    for (const b of [sampleExe(), EICAR, Buffer.from('just text, not a document'.repeat(300)), samplePlainZip(), sampleOle('SummaryInformation'), sampleOle('Macros')]) {
      await expect(typeOf(b)).rejects.toMatchObject({ code: 'file_type_not_allowed' });
    }
    const macro = sampleDocx([{ name: 'word/vbaProject.bin', data: Buffer.from('x') }]);
    await expect(typeOf(macro)).rejects.toMatchObject({ code: 'file_type_not_allowed' });
  });

  it('refuses an executable early, from its first bytes, before the file is complete', async () => {
    await expect(sniffHead(sampleExe().subarray(0, 4100), { complete: false })).rejects.toMatchObject({ code: 'file_type_not_allowed' });
    // too few bytes to tell yet: wait for more
    expect(await sniffHead(Buffer.from('%P'), { complete: false })).toBeNull();
  });

  it('refuses a zip bomb (1000:1) and a zip whose directory claims absurd sizes', async () => {
    await expect(typeOf(sampleZipBomb())).rejects.toMatchObject({ code: 'archive_bomb' });
    const liar = sampleDocx([{ name: 'word/big.xml', data: Buffer.from('<a/>'), declaredSize: 3_000_000_000 }]);
    await expect(typeOf(liar)).rejects.toMatchObject({ code: 'archive_bomb' });
  });

  it('honours a narrower allow-list (identity captures are images only)', async () => {
    expect(await typeOf(samplePng(), IMAGE_TYPES)).toBe('image/png');
    await expect(typeOf(samplePdf(), IMAGE_TYPES)).rejects.toMatchObject({ code: 'file_type_not_allowed' });
  });
});
