/**
 * Retention, part one: once a delivered package's `purge_after` has passed,
 * its files are deleted from storage — really deleted (unlinked), not moved:
 * the documents of the space (citizen uploads, handouts, identity images),
 * the recordings and their chunks, and the package's own files (manifest,
 * seal, JSON parts, ENI XMLs). The sealed receipt, the register entry and the
 * audit log stay (docs/HANDOFF.md).
 *
 * One filing per transaction, claimed with FOR UPDATE SKIP LOCKED (several
 * processes can run it). The files are deleted while the claim is held and
 * before the rows are marked, so nothing is ever lost track of: a crash
 * leaves the hand-off `delivered` and due, and the next pass deletes what is
 * left (absent files are fine) and marks it `purged` with `data_purged`.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { FileStore } from '../../storage/encrypted-files.js';
import { appendAudit } from '../audit/append-audit.js';
import { packageFolder } from './package-files.js';

export type PurgeDeps = { database: Database; files: () => Promise<FileStore> };

type Rows<T> = { rows: T[] };

/** Deletes a stored file and the folder `<tenant>/<kind>/<id>` it belongs to (both may be absent already). */
export async function deleteStoredObject(files: FileStore, tenantId: string, kind: 'documents' | 'recordings', id: string, key: string | null): Promise<void> {
  if (key) await files.delete(tenantId, key);
  await files.prune(tenantId, `${tenantId}/${kind}/${id}`);
}

/** Purges due packages, one filing per transaction; returns how many were purged. */
export async function purgeDeliveredPackages(deps: PurgeDeps, o: { limit?: number } = {}): Promise<number> {
  const files = await deps.files();
  let purged = 0;
  for (let i = 0; i < (o.limit ?? 100); i++) {
    const done = await deps.database.db.transaction(async (tx) => {
      const claim = (await tx.execute(sql`
        SELECT h.filing_id, h.tenant_id, f.attention_id, a.appointment_id
          FROM handoffs h
          JOIN filings f ON f.id = h.filing_id AND f.tenant_id = h.tenant_id
          JOIN attentions a ON a.id = f.attention_id AND a.tenant_id = f.tenant_id
         WHERE h.status = 'delivered' AND h.purge_after < now()
         ORDER BY h.purge_after
         LIMIT 1
         FOR UPDATE OF h SKIP LOCKED`)) as unknown as Rows<{ filing_id: string; tenant_id: string; attention_id: string; appointment_id: string | null }>;
      const h = claim.rows[0];
      if (!h) return false;
      const t = h.tenant_id;
      const docs = ((await tx.execute(sql`
        SELECT id, storage_key FROM documents
         WHERE tenant_id = ${t} AND status <> 'purged'
           AND (attention_id = ${h.attention_id} OR (${h.appointment_id}::uuid IS NOT NULL AND appointment_id = ${h.appointment_id}::uuid))
         FOR UPDATE`)) as unknown as Rows<{ id: string; storage_key: string | null }>).rows;
      const recs = ((await tx.execute(sql`
        SELECT r.id, r.storage_key, (SELECT count(*)::int FROM recording_chunks c WHERE c.recording_id = r.id) AS chunks
          FROM recordings r WHERE r.tenant_id = ${t} AND r.attention_id = ${h.attention_id}
         FOR UPDATE OF r`)) as unknown as Rows<{ id: string; storage_key: string | null; chunks: number }>).rows;

      for (const d of docs) await deleteStoredObject(files, t, 'documents', d.id, d.storage_key);
      for (const r of recs) await deleteStoredObject(files, t, 'recordings', r.id, r.storage_key);
      await files.prune(t, packageFolder(t, h.filing_id));

      const docIds = `{${docs.map((d) => d.id).join(',')}}`;
      const recIds = `{${recs.map((r) => r.id).join(',')}}`;
      await tx.execute(sql`
        UPDATE documents SET status = 'purged', purged_at = now(), storage_key = NULL
         WHERE tenant_id = ${t} AND id = ANY(${docIds}::uuid[])`);
      await tx.execute(sql`DELETE FROM recording_chunks WHERE tenant_id = ${t} AND recording_id = ANY(${recIds}::uuid[])`);
      await tx.execute(sql`UPDATE recordings SET storage_key = NULL WHERE tenant_id = ${t} AND id = ANY(${recIds}::uuid[])`);
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
    if (!done) break;
    purged++;
  }
  return purged;
}
