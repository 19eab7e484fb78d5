/**
 * SQL and shared rules of call recordings: who may touch one (the attention's
 * agent, or a supervisor/admin of the town hall), where its files live, and
 * its chunks. The use cases (upload-chunk, recording-status, finish-recording,
 * sweep-recordings) build on these.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import type { FileStore } from '../../storage/encrypted-files.js';
import type { Staff } from '../staff/staff.repository.js';

/** What recording use cases need; passed explicitly. */
export type RecordingDeps = {
  database: Database;
  files: FileStore;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
};

export type RecordingStatus = 'recording' | 'assembling' | 'complete' | 'failed';

export type RecordingRow = {
  id: string;
  tenant_id: string;
  attention_id: string;
  status: RecordingStatus;
  mime_type: string | null;
  chunks: number;
  bytes: number;
  sha256: string | null;
  storage_key: string | null;
  last_chunk_at: Date | string | null;
  completed_at: Date | string | null;
  /** Of the attention. */
  attention_status: string;
  agent_id: string | null;
};

export type ChunkRow = { seq: number; bytes: number; sha256: string; storage_key: string };

/** Sequence numbers a recording may use: 0 … 99 999 (a database check holds the same). */
export const MAX_SEQ = 99_999;

/** The folder of a recording's files (no personal data: ids only). */
export function recordingFolder(tenantId: string, recordingId: string): string {
  return `${tenantId}/recordings/${recordingId}`;
}

/** A chunk's file; the random suffix keeps two concurrent uploads of one seq from overwriting each other. */
export function chunkKey(tenantId: string, recordingId: string, seq: number): string {
  return `${recordingFolder(tenantId, recordingId)}/chunk-${String(seq).padStart(6, '0')}-${randomBytes(4).toString('hex')}.enc`;
}

/** The assembled file of one assembly run. */
export function assembledKey(tenantId: string, recordingId: string): string {
  return `${recordingFolder(tenantId, recordingId)}/recording-${randomBytes(4).toString('hex')}.enc`;
}

export async function findRecording(database: Database, tenantId: string, attentionId: string, recordingId: string): Promise<RecordingRow | undefined> {
  const [row] = await database.rows<RecordingRow>(sql`
    SELECT r.id, r.tenant_id, r.attention_id, r.status, r.mime_type, r.chunks, r.bytes, r.sha256, r.storage_key,
           r.last_chunk_at, r.completed_at, a.status AS attention_status, a.agent_id
      FROM recordings r JOIN attentions a ON a.id = r.attention_id AND a.tenant_id = r.tenant_id
     WHERE r.tenant_id = ${tenantId} AND r.id = ${recordingId} AND r.attention_id = ${attentionId}`);
  return row;
}

/**
 * The recording, if `actor` may act on it: the attention must exist in the
 * town hall (else attention_not_found), be the actor's own unless they
 * supervise (else forbidden), and have this recording — which exists only once
 * the citizen consented (else recording_consent_missing).
 */
export async function authorizeRecording(
  database: Database,
  o: { tenantId: string; actor: Staff; attentionId: string; recordingId: string },
): Promise<RecordingRow> {
  const [att] = await database.rows<{ agent_id: string | null }>(sql`
    SELECT agent_id FROM attentions WHERE tenant_id = ${o.tenantId} AND id = ${o.attentionId}`);
  if (!att) throw new AppError('attention_not_found');
  if (o.actor.role === 'agent' && att.agent_id !== o.actor.id) throw new AppError('forbidden');
  const rec = await findRecording(database, o.tenantId, o.attentionId, o.recordingId);
  if (!rec) throw new AppError('recording_consent_missing');
  return rec;
}

export async function findChunk(database: Database, recordingId: string, seq: number): Promise<ChunkRow | undefined> {
  const [row] = await database.rows<ChunkRow>(sql`
    SELECT seq, bytes, sha256, storage_key FROM recording_chunks WHERE recording_id = ${recordingId} AND seq = ${seq}`);
  return row;
}

export async function listChunks(database: Database, tenantId: string, recordingId: string): Promise<ChunkRow[]> {
  return database.rows<ChunkRow>(sql`
    SELECT seq, bytes, sha256, storage_key FROM recording_chunks
     WHERE tenant_id = ${tenantId} AND recording_id = ${recordingId} ORDER BY seq`);
}

/** Sequence numbers below `upTo` (exclusive) that are not in `seqs` (sorted ascending). */
export function missingSeqs(seqs: number[], upTo: number): number[] {
  const have = new Set(seqs);
  const missing: number[] = [];
  for (let s = 0; s < Math.min(upTo, MAX_SEQ + 1); s++) if (!have.has(s)) missing.push(s);
  return missing;
}

export function isoOrNull(v: Date | string | null | undefined): string | null {
  return v == null ? null : new Date(v).toISOString();
}
