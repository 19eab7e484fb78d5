/**
 * Stores one whole document in a space, all or nothing: the bytes are sniffed
 * as they stream in (a disguised type is refused before the rest is read),
 * counted against the size limit, encrypted by the FileStore under
 * `<tenantId>/documents/<documentId>/content.enc`, then containers are
 * inspected (zip bombs, office types), the file is scanned when a scanner is
 * configured, and only then is the row written. Any refusal removes the file;
 * no row ever points at a missing file. Used for identity captures and other
 * uploads that arrive in one request (resumable uploads: tus-store.ts).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import type { DocumentKind } from '../../db/schema.js';
import type { FileStore } from '../../storage/encrypted-files.js';
import type { Scanner } from './clamd-scanner.js';
import { DOCUMENT_TYPES, finalContentType, HEAD_BYTES, sniffHead, ZIP_TAIL_BYTES, type RangeReader, type Sniffed } from './content-check.js';
import {
  documentContentKey,
  documentFolder,
  findDocument,
  MAX_DOCUMENTS_PER_SPACE,
  spaceCountSql,
  type DocumentRow,
  type DocumentSpace,
} from './documents.repository.js';
import { sanitiseFileName } from './file-name.js';

export type { DocumentRow, DocumentSpace } from './documents.repository.js';
export type { Scanner } from './clamd-scanner.js';

/** Default largest document (UPLOAD_MAX_BYTES overrides it for uploads). */
export const DEFAULT_MAX_BYTES = 4 * 1024 ** 3;

export type StoreDocumentDeps = { database: Database; files: FileStore; scanner?: Scanner };

export type StoreDocumentInput = {
  tenantId: string;
  space: DocumentSpace;
  kind: DocumentKind;
  fileName: string;
  source: AsyncIterable<Uint8Array> | Uint8Array;
  uploadedBy?: string | null;
  requirement?: number | null;
  maxBytes?: number;
  allowedTypes?: readonly string[];
  /** 'pending' (default: waits for the agent's review) or 'accepted' (e.g. identity images captured by the agent). */
  status?: 'pending' | 'accepted';
};

/** The space of an attention: its appointment when it has one, else the attention itself. */
export function documentSpaceOf(attention: { id: string; appointment_id: string | null }): DocumentSpace {
  return attention.appointment_id ? { appointmentId: attention.appointment_id, attentionId: null } : { appointmentId: null, attentionId: attention.id };
}

export function checkSpace(space: DocumentSpace): void {
  if (!space || (!space.appointmentId && !space.attentionId)) throw new Error('a document space needs an appointment or an attention');
}

export function checkRequirement(requirement: number | null | undefined): number | null {
  if (requirement === null || requirement === undefined) return null;
  if (!Number.isInteger(requirement) || requirement < 0 || requirement > 99) throw new AppError('validation_failed', { fields: [{ path: 'requirement', code: 'range' }] });
  return requirement;
}

export async function storeDocument(deps: StoreDocumentDeps, o: StoreDocumentInput): Promise<DocumentRow> {
  checkSpace(o.space);
  const fileName = sanitiseFileName(o.fileName);
  const requirement = checkRequirement(o.requirement);
  const maxBytes = o.maxBytes ?? DEFAULT_MAX_BYTES;
  const allowed = o.allowedTypes ?? DOCUMENT_TYPES;
  await assertRoom(deps.database, o.tenantId, o.space);

  const id = randomUUID();
  const key = documentContentKey(o.tenantId, id);
  const watch = new StreamWatch(maxBytes, allowed);
  try {
    const written = await deps.files.write(o.tenantId, key, watch.pass(o.source));
    if (written.bytes === 0) throw new AppError('file_empty');
    const sniffed = watch.sniffed ?? (await sniffHead(watch.head(), { complete: true, allowed }));
    if (!sniffed) throw new AppError('file_type_not_allowed');
    const contentType = await finalContentType(sniffed, watch.rangeReader(deps.files, o.tenantId, key, written.bytes), allowed);
    if (deps.scanner) {
      const verdict = await deps.scanner.scan(deps.files.read(o.tenantId, key));
      if (!verdict.clean) throw new AppError('virus_found');
    }
    const status = o.status ?? 'pending';
    const inserted = await deps.database.rows<{ id: string }>(sql`
      INSERT INTO documents (id, tenant_id, appointment_id, attention_id, kind, requirement, file_name, declared_bytes,
                             content_type, bytes, sha256, storage_key, status, uploaded_by, completed_at)
      SELECT ${id}, ${o.tenantId}, ${o.space.appointmentId}, ${o.space.attentionId}, ${o.kind}, ${requirement}, ${fileName},
             ${written.bytes}, ${contentType}, ${written.bytes}, ${written.sha256}, ${key}, ${status}, ${o.uploadedBy ?? null}, now()
       WHERE ${spaceCountSql(o.tenantId, o.space)} < ${MAX_DOCUMENTS_PER_SPACE}
      RETURNING id`);
    if (inserted.length !== 1) throw new AppError('too_many_documents', { max: MAX_DOCUMENTS_PER_SPACE });
    const row = await findDocument(deps.database, o.tenantId, id);
    if (!row) throw new Error('document row vanished after insert');
    return row;
  } catch (e) {
    await deps.files.prune(o.tenantId, documentFolder(o.tenantId, id)).catch(() => undefined);
    throw e;
  }
}

/** too_many_documents before any byte is read, when the space is already full. */
export async function assertRoom(database: Database, tenantId: string, space: DocumentSpace): Promise<void> {
  const [r] = await database.rows<{ n: number | string }>(sql`SELECT ${spaceCountSql(tenantId, space)} AS n`);
  if (Number(r?.n ?? 0) >= MAX_DOCUMENTS_PER_SPACE) throw new AppError('too_many_documents', { max: MAX_DOCUMENTS_PER_SPACE });
}

/**
 * Watches a stream on its way to storage: keeps its head (sniffed as soon as
 * it tells), the last ZIP_TAIL_BYTES (a zip's central directory), and its
 * size against the limit. Throwing from `pass` aborts the write.
 */
class StreamWatch {
  sniffed: Sniffed | null = null;
  private headParts: Buffer[] = [];
  private headBytes = 0;
  private tailParts: Buffer[] = [];
  private tailBytes = 0;
  bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly allowed: readonly string[],
  ) {}

  head(): Buffer {
    return Buffer.concat(this.headParts);
  }

  async *pass(source: AsyncIterable<Uint8Array> | Uint8Array): AsyncIterable<Uint8Array> {
    const pieces: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = source instanceof Uint8Array ? [source] : source;
    for await (const piece of pieces) {
      if (!piece.length) continue;
      this.bytes += piece.length;
      if (this.bytes > this.maxBytes) throw new AppError('file_too_large', { maxBytes: this.maxBytes });
      const buf = Buffer.from(piece);
      if (this.headBytes < HEAD_BYTES) {
        const take = buf.subarray(0, HEAD_BYTES - this.headBytes);
        this.headParts.push(take);
        this.headBytes += take.length;
      }
      if (!this.sniffed) this.sniffed = await sniffHead(this.head(), { complete: false, allowed: this.allowed });
      this.tailParts.push(buf);
      this.tailBytes += buf.length;
      while (this.tailParts.length > 1 && this.tailBytes - this.tailParts[0].length >= ZIP_TAIL_BYTES) this.tailBytes -= this.tailParts.shift()!.length;
      yield piece;
    }
  }

  /** Random access for the container checks: from the kept windows when they hold the range, else by reading the stored file. */
  rangeReader(files: FileStore, tenantId: string, key: string, size: number): RangeReader {
    const head = this.head();
    const tail = Buffer.concat(this.tailParts);
    const tailStart = size - tail.length;
    return {
      size,
      read: async (start, length) => {
        if (start < 0 || length < 0 || start + length > size) throw new AppError('file_type_not_allowed');
        if (start + length <= head.length) return head.subarray(start, start + length);
        if (start >= tailStart) return tail.subarray(start - tailStart, start - tailStart + length);
        return readRangeSequential(files.read(tenantId, key), start, length);
      },
    };
  }
}

/** Bytes [start, start+length) of a plain stream (reads and drops what comes before). */
export async function readRangeSequential(stream: AsyncIterable<Buffer>, start: number, length: number): Promise<Buffer> {
  const out: Buffer[] = [];
  let pos = 0;
  let got = 0;
  for await (const piece of stream) {
    const end = pos + piece.length;
    if (end > start && got < length) {
      const from = Math.max(0, start - pos);
      const part = piece.subarray(from, Math.min(piece.length, from + (length - got)));
      out.push(part);
      got += part.length;
    }
    pos = end;
    if (got >= length) break;
  }
  if (got < length) throw new AppError('file_type_not_allowed');
  return Buffer.concat(out);
}
