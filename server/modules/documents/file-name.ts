/**
 * The display name of an uploaded file. The name a browser sends is untrusted:
 * it may carry a path (`C:\Users\…\dni.pdf`, `../../etc/passwd`), control or
 * bidi characters, or be absurdly long. Only its last path segment is kept,
 * normalised to NFC, without control/format characters, at most 200
 * characters. The name is shown to people and put in Content-Disposition; it
 * never reaches a storage path or a log.
 */
import { AppError } from '../../../shared/errors.js';

export const FILE_NAME_MAX = 200;

// C0/C1 controls, DEL, and Unicode format characters (bidi overrides, zero-width, BOM…).
const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** The sanitised display name, or file_name_invalid when nothing usable is left. */
export function sanitiseFileName(raw: unknown): string {
  if (typeof raw !== 'string') throw new AppError('file_name_invalid');
  if (raw.length > 4096) throw new AppError('file_name_invalid');
  const base = raw.split(/[\\/]/).pop() ?? '';
  const name = base.normalize('NFC').replace(UNSAFE, '').replace(/\s+/g, ' ').trim();
  if (!name || name === '.' || name === '..' || /^\.+$/.test(name)) throw new AppError('file_name_invalid');
  if (name.length <= FILE_NAME_MAX) return name;
  // Keep the extension when shortening (it helps the reader), cutting on a code point boundary.
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 12 ? name.slice(dot) : '';
  const stem = Array.from(name.slice(0, name.length - ext.length));
  let out = '';
  for (const ch of stem) {
    if (out.length + ch.length + ext.length > FILE_NAME_MAX) break;
    out += ch;
  }
  return out + ext;
}
