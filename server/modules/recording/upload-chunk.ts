/**
 * One piece of a call recording, uploaded by the agent's browser every few
 * seconds while the call goes on, so that a crash or a network cut loses at
 * most the last seconds. Idempotent per (recording, seq): the same bytes again
 * are fine (a retry whose answer was lost), different bytes are a conflict.
 * The chunk is encrypted into its own file first; its row is inserted only once
 * that file is safely in place, so a row always has its data.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { AppError } from '../../../shared/errors.js';
import type { Staff } from '../staff/staff.repository.js';
import { authorizeRecording, chunkKey, findChunk, MAX_SEQ, type ChunkRow, type RecordingDeps, type RecordingRow } from './recordings.repository.js';

/** Largest chunk accepted (a few seconds of video are far less). */
export const CHUNK_MAX_BYTES = 16 * 1024 * 1024;
/** Chunks still in flight are accepted this long after the attention ended; the sweep waits as long. */
export const LATE_CHUNK_MINUTES = 2;
/** A recording stops growing here (about 9 hours at the recorder's bitrate): a runaway or hostile client cannot fill the disk. */
export const RECORDING_MAX_BYTES = 4 * 1024 ** 3;

/** Media types a chunk may be sent as; the first chunk's type is kept as the recording's type until finish says otherwise. */
const MIME = /^(video|audio)\/webm(;\s*codecs="?[A-Za-z0-9.,\s]{1,60}"?)?$/;

export type UploadChunkResult = { seq: number; bytes: number; sha256: string; duplicate: boolean };

function accepting(rec: RecordingRow): boolean {
  return rec.status === 'recording';
}

function sameOrConflict(existing: ChunkRow, sha256: string): UploadChunkResult {
  if (existing.sha256 !== sha256) throw new AppError('chunk_conflict', { seq: existing.seq });
  return { seq: existing.seq, bytes: existing.bytes, sha256, duplicate: true };
}

export async function uploadChunk(
  deps: RecordingDeps,
  o: { tenantId: string; actor: Staff; attentionId: string; recordingId: string; seq: number; data: Buffer; mimeType?: string },
): Promise<UploadChunkResult> {
  if (!Number.isInteger(o.seq) || o.seq < 0 || o.seq > MAX_SEQ) throw new AppError('validation_failed', { fields: [{ path: 'params.seq', code: 'range' }] });
  if (o.data.length > CHUNK_MAX_BYTES) throw new AppError('payload_too_large');
  if (o.data.length === 0) throw new AppError('validation_failed', { fields: [{ path: 'body', code: 'empty' }] });
  const rec = await authorizeRecording(deps.database, o);
  const sha256 = createHash('sha256').update(o.data).digest('hex');
  const existing = await findChunk(deps.database, rec.id, o.seq);
  if (existing) return sameOrConflict(existing, sha256);
  if (!accepting(rec)) throw new AppError('recording_not_active');
  if (Number(rec.bytes) + o.data.length > RECORDING_MAX_BYTES) throw new AppError('payload_too_large', { maxBytes: RECORDING_MAX_BYTES });

  const key = chunkKey(o.tenantId, rec.id, o.seq);
  await deps.files.write(o.tenantId, key, o.data);
  const mime = o.mimeType && MIME.test(o.mimeType) ? o.mimeType : null;
  let inserted: unknown[];
  try {
    // The recording row is locked while the chunk goes in, so an assembly that claims it
    // either sees this chunk or makes this statement find the recording no longer 'recording'.
    inserted = await deps.database.rows(sql`
      WITH rec AS (
        SELECT r.id FROM recordings r JOIN attentions a ON a.id = r.attention_id AND a.tenant_id = r.tenant_id
         WHERE r.tenant_id = ${o.tenantId} AND r.id = ${rec.id} AND r.status = 'recording'
           AND r.bytes + ${o.data.length} <= ${RECORDING_MAX_BYTES}
           AND (a.status = 'in_progress' OR COALESCE(a.ended_at, a.closed_at) > now() - make_interval(mins => ${LATE_CHUNK_MINUTES}))
         FOR UPDATE OF r
      ), ins AS (
        INSERT INTO recording_chunks (recording_id, seq, tenant_id, bytes, sha256, storage_key)
        SELECT rec.id, ${o.seq}, ${o.tenantId}, ${o.data.length}, ${sha256}, ${key} FROM rec
        ON CONFLICT (recording_id, seq) DO NOTHING
        RETURNING recording_id, bytes
      )
      UPDATE recordings r
         SET chunks = r.chunks + 1, bytes = r.bytes + ins.bytes, last_chunk_at = now(),
             started_at = COALESCE(r.started_at, now()), mime_type = COALESCE(r.mime_type, ${mime}::text)
        FROM ins WHERE r.id = ins.recording_id
      RETURNING r.id`);
  } catch (e) {
    await deps.files.delete(o.tenantId, key).catch(() => undefined);
    throw e;
  }
  if (inserted.length === 1) return { seq: o.seq, bytes: o.data.length, sha256, duplicate: false };
  // Not inserted: the same seq arrived at the same time, or the recording stopped accepting.
  await deps.files.delete(o.tenantId, key).catch(() => undefined);
  const raced = await findChunk(deps.database, rec.id, o.seq);
  if (raced) return sameOrConflict(raced, sha256);
  throw new AppError('recording_not_active');
}
