/**
 * The SQL of documents: every read and write names the tenant. A document
 * lives in a "space" — the appointment, or the attention when there is none
 * (virtual queue) — and its files under `<tenantId>/documents/<documentId>/`.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { documents } from '../../db/schema.js';

export type DocumentRow = typeof documents.$inferSelect;

export type DocumentSpace = { appointmentId: string | null; attentionId: string | null };

/** Documents a space may hold (all kinds, refused ones excluded); one more is too_many_documents. */
export const MAX_DOCUMENTS_PER_SPACE = 50;

/** The folder of a document's files (a storage key without a file name). */
export function documentFolder(tenantId: string, documentId: string): string {
  return `${tenantId}/documents/${documentId}`;
}

/** The storage key of a complete document (the FileStore's encrypted format, readable with `files.read`). */
export function documentContentKey(tenantId: string, documentId: string): string {
  return `${documentFolder(tenantId, documentId)}/content.enc`;
}

export async function findDocument(database: Database, tenantId: string, documentId: string): Promise<DocumentRow | null> {
  const [row] = await database.db
    .select()
    .from(documents)
    .where(and(eq(documents.tenantId, tenantId), eq(documents.id, documentId)));
  return row ?? null;
}

export async function findDocumentByUpload(database: Database, uploadId: string): Promise<DocumentRow | null> {
  const [row] = await database.db.select().from(documents).where(eq(documents.uploadId, uploadId));
  return row ?? null;
}

/** The documents of a space, oldest first (refused and purged ones included: the caller filters). */
export async function listSpaceDocuments(database: Database, tenantId: string, space: DocumentSpace): Promise<DocumentRow[]> {
  const where = space.appointmentId
    ? and(eq(documents.tenantId, tenantId), eq(documents.appointmentId, space.appointmentId))
    : and(eq(documents.tenantId, tenantId), eq(documents.attentionId, space.attentionId ?? '00000000-0000-0000-0000-000000000000'));
  return database.db.select().from(documents).where(where).orderBy(asc(documents.createdAt), asc(documents.id));
}

/** SQL condition: the row belongs to this space. */
export function inSpace(space: DocumentSpace) {
  return space.appointmentId ? sql`d.appointment_id = ${space.appointmentId}` : sql`d.attention_id = ${space.attentionId}`;
}

/** Counts the space's documents that take a place (everything but refused and purged). */
export function spaceCountSql(tenantId: string, space: DocumentSpace) {
  return sql`(SELECT count(*) FROM documents d WHERE d.tenant_id = ${tenantId} AND ${inSpace(space)} AND d.status NOT IN ('refused','purged'))`;
}
