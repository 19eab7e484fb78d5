/**
 * The tus DataStore of documents: resumable uploads straight into encrypted
 * storage, memory bounded whatever the file size. State lives in the
 * `documents` row (status 'uploading', `bytes` = the durable offset,
 * `declared_bytes` = Upload-Length) and in the document's folder:
 *   upload.partial    — the FNE1 file so far (header + full segments), see appendable-file.ts
 *   tail-<offset>.enc — the plaintext after the last full segment, encrypted (FileStore)
 *   upload.lock       — held while a PATCH writes (several processes)
 * Each PATCH seals what arrives, fsyncs, stores the new tail, then moves the
 * offset in one compare-and-set statement: a PATCH cut at any point keeps
 * what arrived, and the offset is never ahead of what is on disk. The first
 * bytes are sniffed as soon as they tell (a disguised type is refused before
 * the rest comes); completion finishes the file (content.enc), checks
 * containers, computes the SHA-256, scans, and marks the document 'pending'.
 * Any refusal marks the row 'refused' with its code and deletes every file.
 *
 * Who uploads into which space comes from the route, per request, through
 * `uploadScope` (AsyncLocalStorage): no store method trusts the upload id alone.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, stat, unlink, utimes, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DataStore, Upload } from '@tus/utils';
import { sql } from 'drizzle-orm';
import { AppError, ERROR_STATUS, type ErrorCode } from '../../../shared/errors.js';
import type { Language } from '../../../shared/domain.js';
import type { Database } from '../../db/client.js';
import type { DocumentKind } from '../../db/schema.js';
import type { FileStore } from '../../storage/encrypted-files.js';
import { BufferPool } from '../../storage/buffer-pool.js';
import { releaseSpentBuffers } from '../../storage/spent-buffers.js';
import { syncDir } from '../../storage/sync-dir.js';
import { createAppendable, finishAppendable, readKey, readPlainRange, readSegment, sealSegmentParts, segmentPosition, writevAt, type Fne1Key } from './appendable-file.js';
import type { Scanner } from './clamd-scanner.js';
import { DOCUMENT_TYPES, finalContentType, HEAD_BYTES, MIN_SNIFF_BYTES, sniffHead } from './content-check.js';
import { documentContentKey, documentFolder, findDocument, findDocumentByUpload, MAX_DOCUMENTS_PER_SPACE, spaceCountSql, type DocumentRow, type DocumentSpace } from './documents.repository.js';
import { sanitiseFileName } from './file-name.js';
import { assertRoom, checkRequirement } from './store-document.js';

/** Who is uploading, into which space, decided by the route for this request. */
export type UploadScope = {
  tenantId: string;
  space: DocumentSpace;
  kind: Extract<DocumentKind, 'citizen' | 'handout'>;
  uploadedBy: string | null;
  /** How many required documents the procedure lists (a `requirement` must be below it). */
  requirementCount: number;
  lang: Language;
  /** Whether a new upload may begin now (deadline); one already begun may be finished, HEAD is always allowed. */
  open: boolean;
  /** Set by the store when it refuses: tus may report the request as aborted, the answer must carry this code. */
  refusal?: TusError;
};

export const uploadScope = new AsyncLocalStorage<UploadScope>();

export type UploadStoreDeps = {
  database: Database;
  files: FileStore;
  scanner?: Scanner;
  maxBytes: number;
  /** An upload not finished within this time is refused (upload_incomplete) and its files deleted. */
  expiryMs: number;
  /** Translates error codes for the JSON bodies. */
  message: (lang: Language, code: ErrorCode) => string;
};

/** What tus sends back for a refusal: our `{code, message}` body with the code's status. */
export type TusError = { status_code: number; body: string; code: ErrorCode };

/** Bytes of sealed segments gathered before one write to disk (the buffers are released after each write). */
const WRITE_BATCH = 2 * 1024 * 1024;
/** Plaintext bytes per sealed segment of an upload (the FNE1 format allows up to 16 MiB; fewer, larger segments are faster). */
const UPLOAD_SEGMENT_BYTES = 1024 * 1024;
/** The segment buffers of PATCHes, reused (a few PATCHes at a time is the usual load). */
const segmentBuffers = new BufferPool(UPLOAD_SEGMENT_BYTES, 4);
/** A lock not refreshed for this long belongs to a dead process. */
const LOCK_STALE_MS = 30_000;

export class DocumentUploadStore extends DataStore {
  /** SHA-256 state of uploads this process is receiving, by upload id (valid only at `offset`). */
  private readonly hashes = new Map<string, { offset: number; hash: Hash }>();

  constructor(private readonly deps: UploadStoreDeps) {
    super();
    this.extensions = ['creation', 'creation-with-upload', 'expiration', 'termination'];
  }

  tusError(code: ErrorCode, lang?: Language): TusError {
    const scope = uploadScope.getStore();
    const e: TusError = { status_code: ERROR_STATUS[code], body: JSON.stringify({ code, message: this.deps.message(lang ?? scope?.lang ?? 'ca', code) }), code };
    if (scope && !scope.refusal) scope.refusal = e;
    return e;
  }

  private scope(): UploadScope {
    const s = uploadScope.getStore();
    if (!s) throw new Error('upload store used outside an upload scope');
    return s;
  }

  private async rowOf(id: string): Promise<DocumentRow> {
    const s = this.scope();
    const row = await findDocumentByUpload(this.deps.database, id);
    const inSpace = row && row.tenantId === s.tenantId && (s.space.appointmentId ? row.appointmentId === s.space.appointmentId : row.attentionId === s.space.attentionId);
    if (!row || !inSpace || row.kind !== s.kind) throw this.tusError('document_not_found');
    return row;
  }

  override getExpiration(): number {
    return this.deps.expiryMs;
  }

  override async create(upload: Upload): Promise<Upload> {
    const s = this.scope();
    if (!s.open) throw this.tusError('upload_closed');
    let fileName: string;
    let requirement: number | null;
    try {
      fileName = sanitiseFileName(upload.metadata?.filename ?? upload.metadata?.name);
      const req = upload.metadata?.requirement;
      requirement = req === undefined || req === null || req === '' ? null : checkRequirement(/^\d{1,2}$/.test(req) ? Number(req) : -1);
      if (requirement !== null && requirement >= s.requirementCount) throw new AppError('validation_failed', { fields: [{ path: 'requirement', code: 'range' }] });
      if (upload.size === undefined) throw new AppError('validation_failed');
      if (upload.size === 0) throw new AppError('file_empty');
      if (upload.size > this.deps.maxBytes) throw new AppError('file_too_large');
      await expireStaleUploads(this.deps, s.tenantId, s.space);
      await assertRoom(this.deps.database, s.tenantId, s.space);
    } catch (e) {
      if (e instanceof AppError) throw this.tusError(e.code);
      throw e;
    }
    const documentId = randomUUID();
    const folder = documentFolder(s.tenantId, documentId);
    await createAppendable(this.deps.files.pathOf(s.tenantId, `${folder}/upload.partial`), this.deps.files.keys.tenantKey(s.tenantId), UPLOAD_SEGMENT_BYTES);
    try {
      const inserted = await this.deps.database.rows<{ created_at: Date }>(sql`
        INSERT INTO documents (id, tenant_id, appointment_id, attention_id, kind, requirement, upload_id, file_name, declared_bytes, bytes, status, uploaded_by)
        SELECT ${documentId}, ${s.tenantId}, ${s.space.appointmentId}, ${s.space.attentionId}, ${s.kind}, ${requirement}, ${upload.id}, ${fileName},
               ${upload.size}, 0, 'uploading', ${s.uploadedBy}
         WHERE ${spaceCountSql(s.tenantId, s.space)} < ${MAX_DOCUMENTS_PER_SPACE}
        RETURNING created_at`);
      if (inserted.length !== 1) throw this.tusError('too_many_documents');
      upload.creation_date = new Date(inserted[0].created_at).toISOString();
    } catch (e) {
      await this.deps.files.prune(s.tenantId, folder).catch(() => undefined);
      throw e;
    }
    upload.metadata = { filename: fileName, ...(requirement !== null ? { requirement: String(requirement) } : {}) };
    upload.offset = 0;
    return upload;
  }

  override async getUpload(id: string): Promise<Upload> {
    let row = await this.rowOf(id);
    // A completion cut short by a crash (offset reached, not yet 'pending') is finished now — unless a
    // PATCH holding the upload's lock is finishing it at this very moment.
    if (row.status === 'uploading' && Number(row.bytes) === row.declaredBytes) {
      const lock = await FileLock.take(this.deps.files.pathOf(row.tenantId, `${documentFolder(row.tenantId, row.id)}/upload.lock`));
      if (lock) {
        try {
          row = await this.finish(row);
        } finally {
          await lock.release();
        }
      }
    }
    if (row.status === 'refused') throw this.tusError((row.refusedCode as ErrorCode) ?? 'upload_incomplete');
    if (row.status === 'purged') throw this.tusError('document_not_found');
    const done = row.status !== 'uploading';
    return new Upload({
      id,
      size: row.declaredBytes,
      offset: done ? row.declaredBytes : Number(row.bytes ?? 0),
      metadata: { filename: row.fileName },
      creation_date: row.createdAt.toISOString(),
    });
  }

  override async remove(id: string): Promise<void> {
    const row = await this.rowOf(id);
    if (row.status !== 'uploading') throw this.tusError('document_not_reviewable');
    await this.deps.database.rows(sql`DELETE FROM documents WHERE tenant_id = ${row.tenantId} AND id = ${row.id} AND status = 'uploading'`);
    await this.deps.files.prune(row.tenantId, documentFolder(row.tenantId, row.id));
    this.hashes.delete(id);
  }

  override async declareUploadLength(): Promise<void> {
    throw this.tusError('validation_failed');
  }

  override async write(stream: Readable, id: string, offset: number): Promise<number> {
    const row = await this.rowOf(id);
    if (row.status !== 'uploading') throw this.tusError('upload_offset_mismatch');
    // An upload begun while the space was open may be finished after the deadline (until it expires).
    const x = Number(row.bytes ?? 0);
    if (x !== offset) throw this.tusError('upload_offset_mismatch');
    const folder = documentFolder(row.tenantId, row.id);
    const lock = await FileLock.take(this.deps.files.pathOf(row.tenantId, `${folder}/upload.lock`));
    if (!lock) throw this.tusError('conflict');
    let handle: FileHandle | undefined;
    let segment: Buffer | undefined;
    try {
      handle = await open(this.deps.files.pathOf(row.tenantId, `${folder}/upload.partial`), constants.O_RDWR);
      const key = await readKey(handle, this.deps.files.keys.tenantKey(row.tenantId));
      const S = key.segmentBytes;
      let sealed = x > 0 ? Math.floor((x - 1) / S) : 0;
      const tailLen = x - sealed * S;
      const tail = tailLen ? await this.deps.files.readAll(row.tenantId, `${folder}/tail-${x}.enc`) : Buffer.alloc(0);
      if (tail.length !== tailLen) throw new Error('upload tail does not match its offset');
      const cached = this.hashes.get(id);
      let hash: Hash | null = x === 0 ? createHash('sha256') : cached && cached.offset === x ? cached.hash : null;
      this.hashes.delete(id);

      // The segment being filled: the tail so far, then what arrives; sealed once full and more follows.
      const seg = (segment = S === UPLOAD_SEGMENT_BYTES ? segmentBuffers.take() : Buffer.allocUnsafe(S));
      tail.copy(seg, 0);
      let segLen = tail.length;
      let received = 0;
      let sniffed = x >= MIN_SNIFF_BYTES;
      let cut: unknown = null;
      let batch: Buffer[] = [];
      let batchLen = 0;
      let batchPos = segmentPosition(key, sealed);
      const flush = async () => {
        if (!batchLen) return;
        await writevAt(handle!, batch, batchPos);
        batchPos += batchLen;
        batch = [];
        batchLen = 0;
        releaseSpentBuffers();
      };
      // The refusal is noted before leaving the loop: leaving it ends the request stream, and tus answers at once.
      const sniff = async (complete: boolean) => {
        const verdict = await sniffHead(seg.subarray(0, Math.min(segLen, HEAD_BYTES)), { complete }).catch((e: unknown) => {
          if (e instanceof AppError) this.tusError(e.code);
          throw e;
        });
        sniffed = verdict !== null;
      };
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          if (!chunk.length) continue;
          if (x + received + chunk.length > row.declaredBytes) throw this.tusError('file_too_large');
          received += chunk.length;
          hash?.update(chunk);
          for (let off = 0; off < chunk.length; ) {
            if (segLen === S) {
              if (!sniffed && sealed === 0) await sniff(false);
              const parts = sealSegmentParts(key, sealed++, seg, false);
              batch.push(...parts);
              batchLen += parts[0].length + parts[1].length;
              segLen = 0;
              if (batchLen >= WRITE_BATCH) await flush();
            }
            const n = Math.min(S - segLen, chunk.length - off);
            chunk.copy(seg, segLen, off, off + n);
            segLen += n;
            off += n;
          }
          if (!sniffed && sealed === 0 && segLen >= Math.min(MIN_SNIFF_BYTES, row.declaredBytes)) await sniff(x + received >= row.declaredBytes);
        }
      } catch (e) {
        // A refusal of the content stops here; a cut connection keeps what arrived.
        if (e instanceof AppError || isTusError(e)) {
          const code = e instanceof AppError ? e.code : (e as TusError).code;
          await this.refuse(row, code);
          throw this.tusError(code);
        }
        if (isLimitError(e)) {
          await this.refuse(row, 'file_too_large');
          throw this.tusError('file_too_large');
        }
        cut = e;
      }
      await flush();
      const newX = x + received;
      if (newX === x) {
        if (cut) throw cut;
        return x;
      }
      await handle.sync();
      await this.deps.files.write(row.tenantId, `${folder}/tail-${newX}.enc`, Buffer.from(seg.subarray(0, segLen)));
      const moved = await this.deps.database.rows(sql`
        UPDATE documents SET bytes = ${newX}
         WHERE tenant_id = ${row.tenantId} AND id = ${row.id} AND status = 'uploading' AND bytes = ${x}
        RETURNING id`);
      if (moved.length !== 1) {
        await this.deps.files.delete(row.tenantId, `${folder}/tail-${newX}.enc`);
        throw this.tusError('upload_offset_mismatch');
      }
      if (tailLen) await this.deps.files.delete(row.tenantId, `${folder}/tail-${x}.enc`);
      if (hash) this.remember(id, newX, hash);
      await handle.close();
      handle = undefined;
      if (newX === row.declaredBytes) {
        const done = await this.finish({ ...row, bytes: newX });
        if (done.status === 'refused') throw this.tusError((done.refusedCode as ErrorCode) ?? 'file_type_not_allowed');
      }
      return newX;
    } finally {
      await handle?.close().catch(() => undefined);
      await lock.release();
      if (segment) segmentBuffers.release(segment);
    }
  }

  private remember(id: string, offset: number, hash: Hash) {
    if (this.hashes.size >= 512) this.hashes.delete(this.hashes.keys().next().value!);
    this.hashes.set(id, { offset, hash });
  }

  /**
   * Completes an upload whose offset reached its length: seals the last
   * segment, moves the file into place, checks it, and marks it pending (or
   * refused). Safe to run again after a crash at any step.
   */
  async finish(row: DocumentRow): Promise<DocumentRow> {
    const { files, database } = this.deps;
    const t = row.tenantId;
    const folder = documentFolder(t, row.id);
    const size = row.declaredBytes;
    const partial = files.pathOf(t, `${folder}/upload.partial`);
    const contentKey = documentContentKey(t, row.id);
    const content = files.pathOf(t, contentKey);
    const tenantKey = this.deps.files.keys.tenantKey(t);
    try {
      if (await exists(partial)) {
        const handle = await open(partial, constants.O_RDWR);
        try {
          const key = await readKey(handle, tenantKey);
          const index = size > 0 ? Math.floor((size - 1) / key.segmentBytes) : 0;
          const tail = await files.readAll(t, `${folder}/tail-${size}.enc`);
          await finishAppendable(handle, key, index, tail);
        } finally {
          await handle.close();
        }
        await rename(partial, content);
        await syncDir(path.dirname(content));
      }
      const handle = await open(content, 'r');
      let contentType: string;
      let sha256: string;
      try {
        const key = await readKey(handle, tenantKey);
        const reader = { size, read: (start: number, length: number) => readPlainRange(handle, key, size, start, length) };
        const head = await reader.read(0, Math.min(size, HEAD_BYTES));
        const sniffed = await sniffHead(head, { complete: true });
        if (!sniffed) throw new AppError('file_type_not_allowed');
        contentType = await finalContentType(sniffed, reader, DOCUMENT_TYPES);
        const cached = row.uploadId ? this.hashes.get(row.uploadId) : undefined;
        sha256 = cached && cached.offset === size ? cached.hash.digest('hex') : await hashFile(handle, key, size);
        if (row.uploadId) this.hashes.delete(row.uploadId);
      } finally {
        await handle.close();
      }
      if (this.deps.scanner) {
        const verdict = await this.deps.scanner.scan(files.read(t, contentKey));
        if (!verdict.clean) throw new AppError('virus_found');
      }
      await database.rows(sql`
        UPDATE documents SET status = 'pending', content_type = ${contentType}, sha256 = ${sha256}, bytes = ${size},
                             storage_key = ${contentKey}, completed_at = now()
         WHERE tenant_id = ${t} AND id = ${row.id} AND status = 'uploading'`);
      await files.prune(t, folder, [contentKey]);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      await this.refuse(row, e.code);
    }
    return (await findDocument(database, t, row.id)) ?? row;
  }

  /** Refuses the upload `id` of the current scope (when it is still uploading). */
  async refuseByUploadId(id: string, code: ErrorCode): Promise<void> {
    const row = await this.rowOf(id).catch(() => null);
    if (row?.status === 'uploading') await this.refuse(row, code);
  }

  /** Marks an upload refused with its code and deletes every file it had. */
  async refuse(row: Pick<DocumentRow, 'tenantId' | 'id' | 'uploadId'>, code: ErrorCode): Promise<void> {
    await refuseUpload(this.deps, row, code);
    if (row.uploadId) this.hashes.delete(row.uploadId);
  }
}

export async function refuseUpload(deps: Pick<UploadStoreDeps, 'database' | 'files'>, row: Pick<DocumentRow, 'tenantId' | 'id'>, code: ErrorCode): Promise<void> {
  await deps.database.rows(sql`
    UPDATE documents SET status = 'refused', refused_code = ${code}, storage_key = NULL
     WHERE tenant_id = ${row.tenantId} AND id = ${row.id} AND status = 'uploading'`);
  await deps.files.prune(row.tenantId, documentFolder(row.tenantId, row.id));
}

/** Refuses (upload_incomplete) the uploads of a space left unfinished longer than the expiry, deleting their files. */
export async function expireStaleUploads(deps: Pick<UploadStoreDeps, 'database' | 'files' | 'expiryMs'>, tenantId: string, space: DocumentSpace): Promise<number> {
  const stale = await deps.database.rows<{ id: string }>(sql`
    SELECT d.id FROM documents d
     WHERE d.tenant_id = ${tenantId} AND ${space.appointmentId ? sql`d.appointment_id = ${space.appointmentId}` : sql`d.attention_id = ${space.attentionId}`}
       AND d.status = 'uploading' AND d.created_at < now() - make_interval(secs => ${deps.expiryMs / 1000})`);
  for (const r of stale) await refuseUpload(deps, { tenantId, id: r.id }, 'upload_incomplete');
  return stale.length;
}

async function hashFile(handle: FileHandle, key: Fne1Key, size: number): Promise<string> {
  const h = createHash('sha256');
  const count = Math.max(1, Math.ceil(size / key.segmentBytes));
  for (let i = 0; i < count; i++) h.update(await readSegment(handle, key, size, i));
  return h.digest('hex');
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

function isTusError(e: unknown): e is TusError {
  return typeof e === 'object' && e !== null && 'status_code' in e && 'code' in e;
}

/** @tus/server's StreamLimiter: the body is longer than the upload's announced length. */
function isLimitError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { status_code?: number }).status_code === 413;
}

/**
 * An exclusive lock on an upload across processes: a file created with
 * O_EXCL, refreshed while held; one not refreshed for LOCK_STALE_MS is taken over.
 */
class FileLock {
  private timer: NodeJS.Timeout | undefined;
  private constructor(private readonly file: string) {}

  static async take(file: string): Promise<FileLock | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const h = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
        await h.close();
        const lock = new FileLock(file);
        lock.timer = setInterval(() => {
          const now = new Date();
          utimes(file, now, now).catch(() => undefined);
        }, LOCK_STALE_MS / 3);
        lock.timer.unref();
        return lock;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const st = await stat(file).catch(() => null);
        if (st && Date.now() - st.mtimeMs < LOCK_STALE_MS) return null;
        await unlink(file).catch(() => undefined);
      }
    }
    return null;
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await unlink(this.file).catch(() => undefined);
  }
}
