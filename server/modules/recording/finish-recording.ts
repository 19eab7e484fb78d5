/**
 * The end of a recording: its chunks, decrypted in order and checked against
 * the SHA-256 each had on arrival, are streamed into one encrypted file while
 * the SHA-256 of the whole is computed; then the recording is complete and the
 * chunk files go. Gaps are allowed (a chunk that never arrived, or one found
 * damaged) and reported.
 *
 * Crash-safe and idempotent: the recording is first claimed ('recording' →
 * 'assembling'; `completed_at` holds when the claim was made, a lease, until
 * the real completion time replaces it). An assembly that died is claimed
 * again once its lease is old (the sweep does it). Two runs of one recording
 * cannot both win: each writes its own file and only the one whose update
 * still finds 'assembling' completes it; the other removes its file.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Staff } from '../staff/staff.repository.js';
import {
  assembledKey,
  authorizeRecording,
  findRecording,
  listChunks,
  missingSeqs,
  recordingFolder,
  type ChunkRow,
  type RecordingDeps,
  type RecordingStatus,
} from './recordings.repository.js';
import type { Database } from '../../db/client.js';

/** An assembly whose claim is older than this is presumed dead and may be run again. */
export const STALE_ASSEMBLY_MINUTES = 15;

export const finishRecordingInput = z.object({
  /** How many chunks the browser produced (seq 0 … chunks-1); the ones never received are reported. */
  chunks: z.number().int().min(0).max(100_000),
  mimeType: z.string().regex(/^(video|audio)\/(webm|mp4)(;\s*codecs="?[A-Za-z0-9.,\s]{1,60}"?)?$/).optional(),
});
export type FinishRecordingInput = z.infer<typeof finishRecordingInput>;

export type FinishResult = {
  status: RecordingStatus;
  bytes: number;
  sha256: string | null;
  /** Chunks in the file. */
  chunks: number;
  /** Sequence numbers not in the file (never received, or found damaged). */
  missing: number[];
};

/**
 * Finishes and assemblies under way in this process, by recording: a retried
 * finish, or the sweep, waits for the one under way. Entries are registered
 * before the first await, so two calls in one process never race to claim.
 */
const running = new Map<string, Promise<void>>();

function track(recordingId: string, work: Promise<void>): Promise<void> {
  const p = work.finally(() => {
    if (running.get(recordingId) === p) running.delete(recordingId);
  });
  running.set(recordingId, p);
  return p;
}

/**
 * Claims a recording for assembly: a recording still receiving chunks, or an
 * assembly whose claim went stale. True when this caller now holds it.
 */
export async function claimRecording(database: Database, o: { tenantId: string; recordingId: string; mimeType?: string }): Promise<boolean> {
  const rows = await database.rows(sql`
    UPDATE recordings SET status = 'assembling', completed_at = now(), mime_type = COALESCE(${o.mimeType ?? null}::text, mime_type)
     WHERE tenant_id = ${o.tenantId} AND id = ${o.recordingId}
       AND (status = 'recording' OR (status = 'assembling' AND completed_at < now() - make_interval(mins => ${STALE_ASSEMBLY_MINUTES})))
    RETURNING id`);
  return rows.length === 1;
}

/**
 * Assembles recordings already claimed (by the sweep), one after the other;
 * each is registered at once, so a finish arriving meanwhile waits for it.
 */
export function assembleClaimed(deps: RecordingDeps, claimed: Array<{ tenantId: string; recordingId: string }>): Promise<PromiseSettledResult<void>[]> {
  let previous: Promise<unknown> = Promise.resolve();
  const runs = claimed.map((o) => {
    const under = running.get(o.recordingId);
    if (under) return under;
    const run = previous.catch(() => undefined).then(() => assemble(deps, o));
    previous = run;
    return track(o.recordingId, run);
  });
  return Promise.allSettled(runs);
}

async function assemble(deps: RecordingDeps, o: { tenantId: string; recordingId: string }): Promise<void> {
  const chunks = await listChunks(deps.database, o.tenantId, o.recordingId);
  const folder = recordingFolder(o.tenantId, o.recordingId);
  if (chunks.length === 0) {
    // Nothing was ever received: there is no recording to keep.
    await deps.database.rows(sql`
      UPDATE recordings SET status = 'failed', completed_at = now(), bytes = 0, chunks = 0
       WHERE tenant_id = ${o.tenantId} AND id = ${o.recordingId} AND status = 'assembling'`);
    await deps.files.prune(o.tenantId, folder);
    return;
  }
  const skipped: number[] = [];
  const files = deps.files;
  async function* plain(): AsyncIterable<Buffer> {
    for (const c of chunks) {
      const data = await readChunk(deps, o.tenantId, c);
      if (data) yield data;
      else skipped.push(c.seq);
    }
  }
  const key = assembledKey(o.tenantId, o.recordingId);
  try {
    const out = await files.write(o.tenantId, key, plain());
    const kept = chunks.length - skipped.length;
    const done = await deps.database.rows(sql`
      WITH done AS (
        UPDATE recordings
           SET status = ${kept > 0 ? 'complete' : 'failed'}, sha256 = ${kept > 0 ? out.sha256 : null}::text,
               storage_key = ${kept > 0 ? key : null}::text, bytes = ${out.bytes}, chunks = ${kept}, completed_at = now()
         WHERE tenant_id = ${o.tenantId} AND id = ${o.recordingId} AND status = 'assembling'
        RETURNING id
      ), dropped AS (
        DELETE FROM recording_chunks c USING done WHERE c.recording_id = done.id AND c.seq = ANY(${`{${skipped.join(',')}}`}::int[])
      )
      SELECT id FROM done`);
    if (done.length === 0 || kept === 0) {
      await files.delete(o.tenantId, key);
      if (done.length === 0) return; // another run completed it first
    }
    if (skipped.length) deps.logger?.warn({ recordingId: o.recordingId, skipped }, 'recording assembled without unreadable chunks');
    // The chunks are in the assembled file now (or unreadable): remove them and anything a crash left.
    await files.prune(o.tenantId, folder, kept > 0 ? [key] : []).catch((e) => {
      deps.logger?.warn({ recordingId: o.recordingId, err: (e as Error).name }, 'could not remove recording chunks');
    });
  } catch (e) {
    await files.delete(o.tenantId, key).catch(() => undefined);
    // A concurrent run may have completed it (and removed the chunks under our feet): that is success.
    const [row] = await deps.database.rows<{ status: string }>(sql`SELECT status FROM recordings WHERE tenant_id = ${o.tenantId} AND id = ${o.recordingId}`);
    if (row?.status === 'complete' || row?.status === 'failed') return;
    throw e;
  }
}

/** A chunk's plain bytes, or undefined when its file is missing or damaged (it is then left out). */
async function readChunk(deps: RecordingDeps, tenantId: string, c: ChunkRow): Promise<Buffer | undefined> {
  try {
    const data = await deps.files.readAll(tenantId, c.storage_key);
    if (createHash('sha256').update(data).digest('hex') === c.sha256) return data;
    deps.logger?.warn({ seq: c.seq, reason: 'sha256_mismatch' }, 'recording chunk damaged');
  } catch (e) {
    const reason = (e as { reason?: string; code?: string }).reason ?? (e as { code?: string }).code ?? 'unreadable';
    deps.logger?.warn({ seq: c.seq, reason }, 'recording chunk unreadable');
  }
  return undefined;
}

/**
 * The agent stopped recording: assemble what arrived. Safe to call again
 * (answers the finished result). When another process is assembling it right
 * now, answers status 'assembling' (ask the status again shortly).
 */
export async function finishRecording(
  deps: RecordingDeps,
  o: { tenantId: string; actor: Staff; attentionId: string; recordingId: string; input: FinishRecordingInput },
): Promise<FinishResult> {
  const rec = await authorizeRecording(deps.database, o);
  if (rec.status === 'recording' || rec.status === 'assembling') {
    await (running.get(rec.id) ??
      track(
        rec.id,
        (async () => {
          if (await claimRecording(deps.database, { tenantId: o.tenantId, recordingId: rec.id, mimeType: o.input.mimeType })) {
            await assemble(deps, { tenantId: o.tenantId, recordingId: rec.id });
          }
        })(),
      ));
  }
  const now = (await findRecording(deps.database, o.tenantId, o.attentionId, o.recordingId))!;
  if (now.status === 'complete' && rec.status === 'complete') {
    // Finished before: make sure no chunk file outlived a crash between completion and clean-up.
    await deps.files.prune(o.tenantId, recordingFolder(o.tenantId, now.id), [now.storage_key!]).catch(() => undefined);
  }
  const seqs = (await listChunks(deps.database, o.tenantId, now.id)).map((c) => c.seq);
  const upTo = Math.max(o.input.chunks, seqs.length ? seqs[seqs.length - 1] + 1 : 0);
  return {
    status: now.status,
    bytes: Number(now.bytes),
    sha256: now.status === 'complete' ? now.sha256 : null,
    chunks: seqs.length,
    missing: missingSeqs(seqs, upTo),
  };
}
