/**
 * Where a recording stands: which chunks the server holds, so that the
 * browser can resend what is missing after a network cut or a page reload,
 * and, once assembled, the file's size and SHA-256.
 */
import type { Staff } from '../staff/staff.repository.js';
import { authorizeRecording, isoOrNull, listChunks, missingSeqs, type RecordingDeps, type RecordingStatus } from './recordings.repository.js';

export type RecordingView = {
  id: string;
  status: RecordingStatus;
  /** Sequence numbers received (ascending). */
  chunks: number[];
  /** Sequence numbers below the highest received that never arrived (gaps in the file). */
  missing: number[];
  /** Plain bytes: received so far, or of the assembled file. */
  bytes: number;
  mimeType: string | null;
  sha256: string | null;
  completedAt: string | null;
};

export async function recordingStatus(
  deps: Pick<RecordingDeps, 'database'>,
  o: { tenantId: string; actor: Staff; attentionId: string; recordingId: string },
): Promise<RecordingView> {
  const rec = await authorizeRecording(deps.database, o);
  const seqs = (await listChunks(deps.database, o.tenantId, rec.id)).map((c) => c.seq);
  const upTo = seqs.length ? seqs[seqs.length - 1] + 1 : 0;
  return {
    id: rec.id,
    status: rec.status,
    chunks: seqs,
    missing: missingSeqs(seqs, upTo),
    bytes: Number(rec.bytes),
    mimeType: rec.mime_type,
    sha256: rec.status === 'complete' ? rec.sha256 : null,
    completedAt: rec.status === 'complete' || rec.status === 'failed' ? isoOrNull(rec.completed_at) : null,
  };
}
