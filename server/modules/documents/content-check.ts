/**
 * What a document really is, from its bytes (the declared name and type are
 * never trusted), against the allow-list: PDF; JPEG, PNG, WebP, HEIC/HEIF and
 * TIFF images; office documents (docx/xlsx/pptx, odt/ods/odp, legacy doc/xls).
 *
 * Two stages, so that a disguised file is refused before gigabytes arrive:
 * `sniffHead` on the first bytes (file-type) gives a provisional type; once the
 * whole file is stored, `finalContentType` inspects containers — office
 * documents are zips (the central directory is read with yauzl, never
 * extracted: too many entries, a total expanded size over the limit or a ratio
 * over 100:1 is an `archive_bomb`; macro-enabled documents are refused) or OLE
 * compound files (the directory must hold a Word or Excel stream).
 */
import { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import { AppError } from '../../../shared/errors.js';

export const PDF = 'application/pdf';
export const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
export const ODT = 'application/vnd.oasis.opendocument.text';
export const ODS = 'application/vnd.oasis.opendocument.spreadsheet';
export const ODP = 'application/vnd.oasis.opendocument.presentation';
export const DOC = 'application/msword';
export const XLS = 'application/vnd.ms-excel';

/** Images (also what identity captures may be). */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif', 'image/tiff'] as const;
/** Every content type a document may have. */
export const DOCUMENT_TYPES: readonly string[] = [PDF, ...IMAGE_TYPES, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS];

const OOXML_FOLDER: Record<string, string> = { [DOCX]: 'word/', [XLSX]: 'xl/', [PPTX]: 'ppt/' };
const ODF = new Set([ODT, ODS, ODP]);
const ZIP_TYPES = new Set(['application/zip', DOCX, XLSX, PPTX, ODT, ODS, ODP]);
const CFB = 'application/x-cfb';

/** Bytes kept from the start of a file for sniffing (file-type looks at most this far for our formats). */
export const HEAD_BYTES = 64 * 1024;
/** Below this many bytes an unknown head may still become known: wait for more (unless the file is complete). */
export const MIN_SNIFF_BYTES = 4100;
/** Bytes from the end of a zip that may hold its central directory (more = too many entries for a document). */
export const ZIP_TAIL_BYTES = 4 * 1024 * 1024;

export const ZIP_LIMITS = {
  maxEntries: 10_000,
  maxUncompressedBytes: 2 * 1024 ** 3,
  maxRatio: 100,
  /** Ratios are not judged below this expanded size (tiny files compress absurdly well). */
  ratioFloorBytes: 10 * 1024 * 1024,
};

/** The provisional type of a head: a final type, or a container to inspect once complete. */
export type Sniffed = { mime: string; container: 'zip' | 'cfb' | null };

/** Random access to the plain content of a stored file. */
export type RangeReader = { size: number; read(start: number, length: number): Promise<Buffer> };

/**
 * The provisional type of a file from its first bytes; null = not enough bytes
 * yet to tell. Throws file_type_not_allowed for anything outside `allowed`.
 */
export async function sniffHead(head: Uint8Array, o: { complete: boolean; allowed?: readonly string[] }): Promise<Sniffed | null> {
  const allowed = o.allowed ?? DOCUMENT_TYPES;
  // file-type and yauzl load with the first document checked
  const found = head.length ? await (await import('file-type')).fileTypeFromBuffer(head).catch(() => undefined) : undefined;
  if (!found) {
    if (!o.complete && head.length < MIN_SNIFF_BYTES) return null;
    throw new AppError('file_type_not_allowed');
  }
  const mime = found.mime as string;
  if (ZIP_TYPES.has(mime) && allowed.some((t) => ZIP_TYPES.has(t))) return { mime, container: 'zip' };
  if (mime === CFB && allowed.some((t) => t === DOC || t === XLS)) return { mime, container: 'cfb' };
  if (allowed.includes(mime)) return { mime, container: null };
  // A zip whose first entries were not yet in the head may still turn out to be a document.
  throw new AppError('file_type_not_allowed');
}

/** The final content type once the whole file is stored; throws file_type_not_allowed or archive_bomb. */
export async function finalContentType(sniffed: Sniffed, src: RangeReader, allowed: readonly string[] = DOCUMENT_TYPES): Promise<string> {
  let mime = sniffed.mime;
  if (sniffed.container === 'zip') mime = await inspectZip(sniffed.mime, src);
  else if (sniffed.container === 'cfb') mime = await inspectCfb(src);
  if (!allowed.includes(mime)) throw new AppError('file_type_not_allowed');
  return mime;
}

/** yauzl's random-access reader over a RangeReader. */
function rangeAccess(zipLib: typeof yauzl, src: RangeReader): yauzl.RandomAccessReader {
  class RangeAccess extends zipLib.RandomAccessReader {
    _readStreamForRange(start: number, end: number): Readable {
      return Readable.from(
        (async function* () {
          yield await src.read(start, end - start);
        })(),
      );
    }
  }
  return new RangeAccess();
}

/** Lists a zip's central directory (never its contents) and names the office type it is. */
async function inspectZip(sniffedMime: string, src: RangeReader): Promise<string> {
  let zip: yauzl.ZipFile;
  try {
    const zipLib = (await import('yauzl')).default;
    zip = await zipLib.fromRandomAccessReaderPromise(rangeAccess(zipLib, src), src.size, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: true,
      validateEntrySizes: false,
      strictFileNames: false,
    });
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('file_type_not_allowed');
  }
  try {
    if (zip.entryCount > ZIP_LIMITS.maxEntries) throw new AppError('archive_bomb');
    const names = new Set<string>();
    let total = 0;
    try {
      for await (const entry of zip.eachEntry()) {
        names.add(entry.fileName);
        total += entry.uncompressedSize;
        if (total > ZIP_LIMITS.maxUncompressedBytes) throw new AppError('archive_bomb');
        if (entry.uncompressedSize > ZIP_LIMITS.ratioFloorBytes && entry.uncompressedSize > ZIP_LIMITS.maxRatio * Math.max(1, entry.compressedSize)) {
          throw new AppError('archive_bomb');
        }
      }
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('file_type_not_allowed');
    }
    // Overlapping entries (many directory entries pointing at the same data) show as a total far beyond the file.
    if (total > ZIP_LIMITS.ratioFloorBytes && total > ZIP_LIMITS.maxRatio * Math.max(1, src.size)) {
      throw new AppError('archive_bomb');
    }
    if ([...names].some((n) => /(^|\/)vbaProject\.bin$/i.test(n))) throw new AppError('file_type_not_allowed');
    if (ODF.has(sniffedMime)) {
      if (!names.has('content.xml')) throw new AppError('file_type_not_allowed');
      return sniffedMime;
    }
    if (!names.has('[Content_Types].xml')) throw new AppError('file_type_not_allowed');
    const byFolder = Object.entries(OOXML_FOLDER).filter(([, folder]) => [...names].some((n) => n.startsWith(folder)));
    if (byFolder.length !== 1) throw new AppError('file_type_not_allowed');
    const [mime] = byFolder[0];
    if (sniffedMime !== 'application/zip' && sniffedMime !== mime) throw new AppError('file_type_not_allowed');
    return mime;
  } finally {
    zip.close();
  }
}

const CFB_MAGIC = Buffer.from('d0cf11e0a1b11ae1', 'hex');
const END_OF_CHAIN = 0xfffffffe;

/**
 * A legacy Word or Excel file (OLE compound file): walks the directory's
 * sector chain (at most 64 sectors) and looks for a WordDocument or
 * Workbook/Book stream; macros (Macros, _VBA_PROJECT_CUR) are refused.
 */
async function inspectCfb(src: RangeReader): Promise<string> {
  if (src.size < 512) throw new AppError('file_type_not_allowed');
  const header = await src.read(0, 512);
  if (!header.subarray(0, 8).equals(CFB_MAGIC)) throw new AppError('file_type_not_allowed');
  const shift = header.readUInt16LE(0x1e);
  if (shift !== 9 && shift !== 12) throw new AppError('file_type_not_allowed');
  const sectorSize = 1 << shift;
  const perFat = sectorSize / 4;
  const difat = (i: number) => (i < 109 ? header.readUInt32LE(0x4c + i * 4) : END_OF_CHAIN);
  const sectorAt = (s: number) => (s + 1) * sectorSize;
  const names: string[] = [];
  let sector = header.readUInt32LE(0x30);
  for (let n = 0; n < 64 && sector < END_OF_CHAIN - 5; n++) {
    if (sectorAt(sector) + sectorSize > src.size) throw new AppError('file_type_not_allowed');
    const dir = await src.read(sectorAt(sector), sectorSize);
    for (let off = 0; off + 128 <= dir.length; off += 128) {
      const len = dir.readUInt16LE(off + 0x40);
      if (len >= 2 && len <= 64) names.push(dir.subarray(off, off + len - 2).toString('utf16le'));
    }
    const fatSector = difat(Math.floor(sector / perFat));
    if (fatSector >= END_OF_CHAIN - 5 || sectorAt(fatSector) + sectorSize > src.size) break;
    sector = (await src.read(sectorAt(fatSector) + (sector % perFat) * 4, 4)).readUInt32LE(0);
  }
  if (names.some((n) => n === 'Macros' || n === '_VBA_PROJECT_CUR' || n === 'VBA')) throw new AppError('file_type_not_allowed');
  if (names.includes('WordDocument')) return DOC;
  if (names.includes('Workbook') || names.includes('Book')) return XLS;
  throw new AppError('file_type_not_allowed');
}
