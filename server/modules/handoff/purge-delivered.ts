/**
 * Retention, part one: once a delivered package's `purge_after` has passed,
 * its files are deleted from storage — really deleted (unlinked), not moved:
 * the documents of the space (citizen uploads, handouts, identity images),
 * the recordings and their chunks, and the package's own files (manifest,
 * seal, JSON parts, ENI XMLs). The sealed receipt, the register entry and the
 * audit log stay (docs/HANDOFF.md).
 *
 * Files are deleted outside any transaction: a due hand-off's stored keys
 * are read, its files deleted, then one short transaction locks the hand-off
 * (still `delivered`: another process may have finished it meanwhile), marks
 * the rows and appends `data_purged`. Nothing is lost track of: a crash
 * after the deletions leaves the hand-off `delivered` and due, and the next
 * pass deletes what is left (absent files are fine) and marks it `purged`.
 * A document added meanwhile keeps the hand-off due for the next pass.
 */
import { sql } from 'drizzle-orm';
import { txRows, type Database, type Db } from '../../db/client.js';
import { uuidArray } from '../../db/sql-helpers.js';
import type { FileStore } from '../../storage/encrypted-files.js';
import { appendAudit } from '../audit/append-audit.js';
import { packageFolder } from './package-files.js';

export type PurgeDeps = { database: Database; files: () => Promise<FileStore> };

/** A stored document or recording: its id and the key of its file (null once gone). */
export type StoredObject = { id: string; storage_key: string | null };

/** Deletes a stored file and the folder `<tenant>/<kind>/<id>` it belongs to (both may be absent already). */
async function deleteStoredObject(files: FileStore, tenantId: string, kind: 'documents' | 'recordings', o: StoredObject): Promise<void> {
  if (o.storage_key) await files.delete(tenantId, o.storage_key);
  await files.prune(tenantId, `${tenantId}/${kind}/${o.id}`);
}

/** Deletes the files of these documents and recordings, outside any transaction (absent files are fine). */
export async function deleteStoredFiles(files: FileStore, tenantId: string, docs: StoredObject[], recs: StoredObject[]): Promise<void> {
  for (const d of docs) await deleteStoredObject(files, tenantId, 'documents', d);
  for (const r of recs) await deleteStoredObject(files, tenantId, 'recordings', r);
}

/** In the caller's transaction, once their files are deleted: the documents `purged`, the recordings without file or chunks. */
export async function markFilesPurged(tx: Pick<Db, 'execute'>, tenantId: string, docIds: string[], recIds: string[]): Promise<void> {
  if (docIds.length) {
    await tx.execute(sql`
      UPDATE documents SET status = 'purged', purged_at = now(), storage_key = NULL
       WHERE tenant_id = ${tenantId} AND id = ANY(${uuidArray(docIds)})`);
  }
  if (recIds.length) {
    await tx.execute(sql`DELETE FROM recording_chunks WHERE tenant_id = ${tenantId} AND recording_id = ANY(${uuidArray(recIds)})`);
    await tx.execute(sql`UPDATE recordings SET storage_key = NULL WHERE tenant_id = ${tenantId} AND id = ANY(${uuidArray(recIds)})`);
  }
}

type Due = { filing_id: string; tenant_id: string; attention_id: string; appointment_id: string | null };

/** Purges one due package; returns whether this call marked it purged. */
async function purgeOne(database: Database, files: FileStore, h: Due): Promise<boolean> {
  const t = h.tenant_id;
  const ofSpace = sql`tenant_id = ${t} AND status <> 'purged'
    AND (attention_id = ${h.attention_id} OR (${h.appointment_id}::uuid IS NOT NULL AND appointment_id = ${h.appointment_id}::uuid))`;
  const docs = await database.rows<StoredObject>(sql`SELECT id, storage_key FROM documents WHERE ${ofSpace}`);
  const recs = await database.rows<StoredObject & { chunks: number }>(sql`
    SELECT r.id, r.storage_key, (SELECT count(*)::int FROM recording_chunks c WHERE c.recording_id = r.id AND c.tenant_id = r.tenant_id) AS chunks
      FROM recordings r WHERE r.tenant_id = ${t} AND r.attention_id = ${h.attention_id}`);

  await deleteStoredFiles(files, t, docs, recs);
  await files.prune(t, packageFolder(t, h.filing_id));

  return database.db.transaction(async (tx) => {
    const [still] = await txRows<{ filing_id: string }>(tx, sql`
      SELECT filing_id FROM handoffs WHERE tenant_id = ${t} AND filing_id = ${h.filing_id} AND status = 'delivered' FOR UPDATE SKIP LOCKED`);
    if (!still) return false;
    await markFilesPurged(tx, t, docs.map((d) => d.id), recs.map((r) => r.id));
    const [left] = await txRows<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM documents WHERE ${ofSpace}`);
    if (Number(left?.n ?? 0) > 0) return false; // added meanwhile: the next pass deletes it too
    await tx.execute(sql`UPDATE handoffs SET status = 'purged', purged_at = now() WHERE tenant_id = ${t} AND filing_id = ${h.filing_id}`);
    await appendAudit(tx, {
      tenantId: t,
      event: 'data_purged',
      actor: { kind: 'system' },
      subjects: { filing: h.filing_id, attention: h.attention_id },
      data: {
        documents: docs.length,
        recordings: recs.filter((r) => r.storage_key).length,
        recordingChunks: recs.reduce((n, r) => n + Number(r.chunks), 0),
        packageFiles: true,
      },
    });
    return true;
  });
}

/** Purges due packages, oldest purge date first; returns how many were purged. */
export async function purgeDeliveredPackages(deps: PurgeDeps, o: { limit?: number } = {}): Promise<number> {
  const files = await deps.files();
  const limit = o.limit ?? 100;
  const tried: string[] = [];
  let purged = 0;
  while (tried.length < limit) {
    const due = await deps.database.rows<Due>(sql`
      SELECT h.filing_id, h.tenant_id, f.attention_id, a.appointment_id
        FROM handoffs h
        JOIN filings f ON f.id = h.filing_id AND f.tenant_id = h.tenant_id
        JOIN attentions a ON a.id = f.attention_id AND a.tenant_id = f.tenant_id
       WHERE h.status = 'delivered' AND h.purge_after < now() AND NOT (h.filing_id = ANY(${uuidArray(tried)}))
       ORDER BY h.purge_after
       LIMIT ${Math.min(10, limit - tried.length)}`);
    if (due.length === 0) break;
    for (const h of due) {
      tried.push(h.filing_id);
      if (await purgeOne(deps.database, files, h)) purged++;
    }
  }
  return purged;
}
