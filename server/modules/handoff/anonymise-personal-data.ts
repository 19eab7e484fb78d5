/**
 * Retention, part two: personal data is cleared once an attention (or an
 * appointment that never became one) ended more than the town hall's
 * `formalSettings().personalDataRetentionDays` ago — and, when a request was
 * filed in it, only once its package was delivered. Attentions lose name,
 * email, phone and notes; appointments get a fixed placeholder name and lose
 * email, phone and tax id; identity checks lose name and ID number; filings
 * lose their form data; the chat is deleted. Documents and recordings of an
 * attention without a filing (nothing to hand off) are deleted from storage
 * here too; those of a filing go with its package (purge-delivered.ts).
 * The register, the receipt and the audit log stay; times, codes and rollups
 * stay for statistics and hold no personal data.
 *
 * Batches of rows claimed with FOR UPDATE SKIP LOCKED, one transaction each;
 * files are deleted before the rows are marked, so a crash leaves the rows
 * due and the next pass finishes.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { FileStore } from '../../storage/encrypted-files.js';
import { FORMAL_DEFAULTS } from '../filing/formal-settings.js';
import { deleteStoredObject } from './purge-delivered.js';

/** What an anonymised appointment shows instead of the citizen's name. */
export const ANONYMISED_NAME = '—';

const BATCH = 50;
type Rows<T> = { rows: T[] };

/** The tenant's retention in days, from its settings (SQL on `t`). */
const retentionDays = sql`COALESCE((t.settings->'formal'->>'personalDataRetentionDays')::int, ${FORMAL_DEFAULTS.personalDataRetentionDays})`;

export type AnonymiseResult = { attentions: number; appointments: number; documents: number; recordings: number };

export async function anonymisePersonalData(deps: { database: Database; files: () => Promise<FileStore> }, o: { maxBatches?: number } = {}): Promise<AnonymiseResult> {
  const files = await deps.files();
  const total: AnonymiseResult = { attentions: 0, appointments: 0, documents: 0, recordings: 0 };
  for (let b = 0; b < (o.maxBatches ?? 20); b++) {
    const n = await deps.database.db.transaction(async (tx) => {
      const picked = ((await tx.execute(sql`
        SELECT a.id, a.tenant_id, a.appointment_id,
               EXISTS (SELECT 1 FROM filings f WHERE f.attention_id = a.id AND f.tenant_id = a.tenant_id) AS filed
          FROM attentions a JOIN tenants t ON t.id = a.tenant_id
         WHERE a.anonymised_at IS NULL
           AND a.status IN ('closed','no_show','not_reached','abandoned')
           AND GREATEST(a.closed_at, a.ended_at, a.queued_at) < now() - make_interval(days => ${retentionDays})
           AND NOT EXISTS (SELECT 1 FROM filings f LEFT JOIN handoffs h ON h.filing_id = f.id AND h.tenant_id = f.tenant_id
                            WHERE f.attention_id = a.id AND f.tenant_id = a.tenant_id
                              AND (h.status IS NULL OR h.status NOT IN ('delivered','purged')))
         ORDER BY a.id
         LIMIT ${BATCH}
         FOR UPDATE OF a SKIP LOCKED`)) as unknown as Rows<{ id: string; tenant_id: string; appointment_id: string | null; filed: boolean }>).rows;
      if (picked.length === 0) return 0;
      const ids = `{${picked.map((p) => p.id).join(',')}}`;
      // Files of spaces with nothing to hand off.
      for (const p of picked.filter((x) => !x.filed)) {
        const docs = ((await tx.execute(sql`
          SELECT id, storage_key FROM documents
           WHERE tenant_id = ${p.tenant_id} AND status <> 'purged'
             AND (attention_id = ${p.id} OR (${p.appointment_id}::uuid IS NOT NULL AND appointment_id = ${p.appointment_id}::uuid))
           FOR UPDATE`)) as unknown as Rows<{ id: string; storage_key: string | null }>).rows;
        const recs = ((await tx.execute(sql`
          SELECT id, storage_key FROM recordings WHERE tenant_id = ${p.tenant_id} AND attention_id = ${p.id} FOR UPDATE`)) as unknown as Rows<{ id: string; storage_key: string | null }>).rows;
        for (const d of docs) await deleteStoredObject(files, p.tenant_id, 'documents', d.id, d.storage_key);
        for (const r of recs) await deleteStoredObject(files, p.tenant_id, 'recordings', r.id, r.storage_key);
        await tx.execute(sql`UPDATE documents SET status = 'purged', purged_at = now(), storage_key = NULL WHERE tenant_id = ${p.tenant_id} AND id = ANY(${`{${docs.map((d) => d.id).join(',')}}`}::uuid[])`);
        await tx.execute(sql`DELETE FROM recording_chunks WHERE tenant_id = ${p.tenant_id} AND recording_id = ANY(${`{${recs.map((r) => r.id).join(',')}}`}::uuid[])`);
        await tx.execute(sql`UPDATE recordings SET storage_key = NULL WHERE tenant_id = ${p.tenant_id} AND id = ANY(${`{${recs.map((r) => r.id).join(',')}}`}::uuid[])`);
        total.documents += docs.length;
        total.recordings += recs.filter((r) => r.storage_key).length;
      }
      await tx.execute(sql`
        UPDATE attentions SET citizen_name = NULL, email = NULL, phone = NULL, notes = NULL, anonymised_at = now() WHERE id = ANY(${ids}::uuid[])`);
      await tx.execute(sql`
        UPDATE identity_checks SET full_name = NULL, id_number = NULL, anonymised_at = now()
         WHERE attention_id = ANY(${ids}::uuid[]) AND anonymised_at IS NULL`);
      await tx.execute(sql`UPDATE filings SET form_data = NULL, anonymised_at = now() WHERE attention_id = ANY(${ids}::uuid[]) AND anonymised_at IS NULL`);
      await tx.execute(sql`DELETE FROM chat_messages WHERE attention_id = ANY(${ids}::uuid[])`);
      return picked.length;
    });
    total.attentions += n;

    // Appointments whose attention (if any) is anonymised and that ended long enough ago; one without an attention
    // (cancelled, missed) takes its uploaded documents with it.
    const appts = await deps.database.db.transaction(async (tx) => {
      const due = ((await tx.execute(sql`
        SELECT ap.id, ap.tenant_id, NOT EXISTS (SELECT 1 FROM attentions a WHERE a.appointment_id = ap.id) AS alone
          FROM appointments ap JOIN tenants t ON t.id = ap.tenant_id
         WHERE ap.anonymised_at IS NULL
           AND (ap.status <> 'booked' OR ap.ends_at IS NOT NULL)
           AND GREATEST(ap.ends_at, ap.cancelled_at, ap.created_at) < now() - make_interval(days => ${retentionDays})
           AND NOT EXISTS (SELECT 1 FROM attentions a WHERE a.appointment_id = ap.id AND a.anonymised_at IS NULL)
         ORDER BY ap.id LIMIT ${BATCH}
         FOR UPDATE OF ap SKIP LOCKED`)) as unknown as Rows<{ id: string; tenant_id: string; alone: boolean }>).rows;
      for (const ap of due.filter((x) => x.alone)) {
        const docs = ((await tx.execute(sql`
          SELECT id, storage_key FROM documents WHERE tenant_id = ${ap.tenant_id} AND appointment_id = ${ap.id} AND status <> 'purged' FOR UPDATE`)) as unknown as Rows<{
          id: string;
          storage_key: string | null;
        }>).rows;
        for (const d of docs) await deleteStoredObject(files, ap.tenant_id, 'documents', d.id, d.storage_key);
        await tx.execute(sql`UPDATE documents SET status = 'purged', purged_at = now(), storage_key = NULL WHERE tenant_id = ${ap.tenant_id} AND id = ANY(${`{${docs.map((d) => d.id).join(',')}}`}::uuid[])`);
        total.documents += docs.length;
      }
      if (due.length) {
        await tx.execute(sql`
          UPDATE appointments SET citizen_name = ${ANONYMISED_NAME}, email = NULL, phone = NULL, tax_id = NULL, anonymised_at = now()
           WHERE id = ANY(${`{${due.map((d) => d.id).join(',')}}`}::uuid[])`);
      }
      return due;
    });
    total.appointments += appts.length;
    if (n < BATCH && appts.length < BATCH) break;
  }
  return total;
}
