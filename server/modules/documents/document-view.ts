/**
 * What the staff console and the citizen's panel see of a space's documents:
 * the procedure's required documents (in the reader's language) and each
 * document's state, without storage keys or upload ids.
 */
import { z } from 'zod';
import { pickText, type Language } from '../../../shared/domain.js';
import { DOCUMENT_KINDS, DOCUMENT_STATES } from '../../db/schema.js';
import type { SpaceInfo } from './document-space.js';
import type { DocumentRow } from './documents.repository.js';

export const documentView = z.object({
  id: z.uuid(),
  kind: z.enum(DOCUMENT_KINDS),
  requirement: z.number().int().nullable(),
  fileName: z.string(),
  contentType: z.string().nullable(),
  bytes: z.number().int().nullable(),
  declaredBytes: z.number().int(),
  sha256: z.string().nullable(),
  status: z.enum(DOCUMENT_STATES),
  refusedCode: z.string().nullable(),
  rejectReason: z.string().nullable(),
  completedAt: z.string().nullable(),
  reviewedAt: z.string().nullable(),
});
export type DocumentView = z.infer<typeof documentView>;

export const spaceView = z.object({
  requirements: z.array(z.object({ index: z.number().int(), description: z.string() })),
  documents: z.array(documentView),
  uploadsOpenUntil: z.string().nullable(),
  open: z.boolean(),
});
export type SpaceView = z.infer<typeof spaceView>;

export function toDocumentView(d: DocumentRow): DocumentView {
  return {
    id: d.id,
    kind: d.kind,
    requirement: d.requirement,
    fileName: d.fileName,
    contentType: d.contentType,
    bytes: d.status === 'uploading' ? Number(d.bytes ?? 0) : d.bytes,
    declaredBytes: d.declaredBytes,
    sha256: d.sha256,
    status: d.status,
    refusedCode: d.refusedCode,
    rejectReason: d.rejectReason,
    completedAt: d.completedAt?.toISOString() ?? null,
    reviewedAt: d.reviewedAt?.toISOString() ?? null,
  };
}

/** The space as shown; `kinds` limits which documents appear (the citizen sees theirs and the handouts, not identity images). */
export function toSpaceView(info: SpaceInfo, docs: DocumentRow[], lang: Language, kinds?: readonly string[]): SpaceView {
  return {
    requirements: info.requirements.map((r) => ({ index: r.index, description: pickText(r.description, lang) })),
    documents: docs.filter((d) => !kinds || kinds.includes(d.kind)).map(toDocumentView),
    uploadsOpenUntil: info.uploadsOpenUntil?.toISOString() ?? null,
    open: info.open,
  };
}
