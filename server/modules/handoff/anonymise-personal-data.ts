/**
 * Retention, part two: personal data is cleared once an attention (or an
 * appointment that never became one) ended more than the town hall's
 * `formalSettings().personalDataRetentionDays` ago — and, when a request was
 * filed in it, only once its package was delivered. Attentions lose name,
 * email, phone and notes; appointments get a fixed placeholder name and lose
 * email, phone and tax id; identity checks lose name and ID number; filings
 * lose their form data; documents lose their file name (now "document") and
 * rejection reason; the chat is deleted. Documents and recordings of an
 * attention without a filing (nothing to hand off) are deleted from storage
 * here too; those of a filing go with its package (purge-delivered.ts).
 * The register, the receipt and the audit log stay; times, codes and rollups
 * stay for statistics and hold no personal data. Each transaction appends one
 * `data_purged` per town hall with the counts only.
 *
 * Per batch: the due rows and their files are read, the files deleted outside
 * any transaction, then one short transaction locks the rows still due (SKIP
 * LOCKED: several processes may run it) and marks them. A crash between the
 * two leaves the rows due; the next pass deletes again (absent files are
 * fine) and marks. Every statement names the tenant.
 */
import { sql } from 'drizzle-orm';
import { txRows, type Database } from '../../db/client.js';
import { uuidArray } from '../../db/sql-helpers.js';
import type { FileStore } from '../../storage/encrypted-files.js';
import { appendAudit } from '../audit/append-audit.js';
import { FORMAL_DEFAULTS } from '../filing/formal-settings.js';
import { deleteStoredFiles, markFilesPurged, type StoredObject } from './purge-delivered.js';

/** What an anonymised appointment shows instead of the citizen's name. */
export const ANONYMISED_NAME = '—';
/** What an anonymised document is called instead of the name the citizen gave it. */
export const ANONYMISED_FILE_NAME = 'document';

const BATCH = 50;

/** The tenant's retention in days, from its settings (SQL on `t`): a value that is not a number counts as the default, and it is kept within 1–3650. */
const retentionDays = sql`LEAST(GREATEST(CASE WHEN jsonb_typeof(t.settings->'formal'->'personalDataRetentionDays') = 'number'
  THEN round((t.settings->'formal'->>'personalDataRetentionDays')::numeric) ELSE ${FORMAL_DEFAULTS.personalDataRetentionDays} END, 1), 3650)::int`;

export type AnonymiseResult = { attentions: number; appointments: number; documents: number; recordings: number };

/** A stored object and the attention or appointment it belongs to. */
type Stored = StoredObject & { owner: string };

function byTenant<T extends { tenant_id: string }>(rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) out.set(r.tenant_id, [...(out.get(r.tenant_id) ?? []), r]);
  return out;
}

/** One batch of attentions; returns the counts. */
async function attentionBatch(database: Database, files: FileStore): Promise<AnonymiseResult & { seen: number }> {
  const due = await database.rows<{ id: string; tenant_id: string; appointment_id: string | null; filed: boolean }>(sql`
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
     LIMIT ${BATCH}`);
  const total = { attentions: 0, appointments: 0, documents: 0, recordings: 0, seen: due.length };
  if (due.length === 0) return total;
  const groups = byTenant(due);

  // Files of spaces with nothing to hand off, read and deleted before any transaction.
  const deleted = new Map<string, { docs: Stored[]; recs: Stored[] }>();
  for (const [tenantId, rows] of groups) {
    const bare = rows.filter((r) => !r.filed);
    const ids = uuidArray(bare.map((r) => r.id));
    const appts = uuidArray(bare.flatMap((r) => (r.appointment_id ? [r.appointment_id] : [])));
    const docs = await database.rows<Stored>(sql`
      SELECT d.id, CASE WHEN d.attention_id = ANY(${ids}) THEN d.attention_id ELSE a.id END AS owner, d.storage_key FROM documents d
        LEFT JOIN attentions a ON a.tenant_id = d.tenant_id AND a.appointment_id = d.appointment_id AND a.id = ANY(${ids})
       WHERE d.tenant_id = ${tenantId} AND d.status <> 'purged'
         AND (d.attention_id = ANY(${ids}) OR d.appointment_id = ANY(${appts}))`);
    const recs = await database.rows<Stored>(sql`
      SELECT id, attention_id AS owner, storage_key FROM recordings WHERE tenant_id = ${tenantId} AND attention_id = ANY(${ids})`);
    await deleteStoredFiles(files, tenantId, docs, recs);
    deleted.set(tenantId, { docs, recs });
  }

  await database.db.transaction(async (tx) => {
    for (const [tenantId, rows] of groups) {
      const locked = (await txRows<{ id: string; appointment_id: string | null }>(tx, sql`
        SELECT id, appointment_id FROM attentions
         WHERE tenant_id = ${tenantId} AND id = ANY(${uuidArray(rows.map((r) => r.id))}) AND anonymised_at IS NULL
         FOR UPDATE SKIP LOCKED`));
      if (locked.length === 0) continue;
      const ids = uuidArray(locked.map((l) => l.id));
      const mine = new Set(locked.map((l) => l.id));
      const appts = uuidArray(locked.flatMap((l) => (l.appointment_id ? [l.appointment_id] : [])));
      const gone = deleted.get(tenantId)!;
      const docs = gone.docs.filter((d) => mine.has(d.owner));
      const recs = gone.recs.filter((r) => mine.has(r.owner));
      await markFilesPurged(tx, tenantId, docs.map((d) => d.id), recs.map((r) => r.id));
      await tx.execute(sql`
        UPDATE documents SET file_name = ${ANONYMISED_FILE_NAME}, reject_reason = NULL
         WHERE tenant_id = ${tenantId} AND (attention_id = ANY(${ids}) OR appointment_id = ANY(${appts}))`);
      await tx.execute(sql`
        UPDATE attentions SET citizen_name = NULL, email = NULL, phone = NULL, notes = NULL, anonymised_at = now()
         WHERE tenant_id = ${tenantId} AND id = ANY(${ids})`);
      await tx.execute(sql`
        UPDATE identity_checks SET full_name = NULL, id_number = NULL, anonymised_at = now()
         WHERE tenant_id = ${tenantId} AND attention_id = ANY(${ids}) AND anonymised_at IS NULL`);
      await tx.execute(sql`
        UPDATE filings SET form_data = NULL, anonymised_at = now()
         WHERE tenant_id = ${tenantId} AND attention_id = ANY(${ids}) AND anonymised_at IS NULL`);
      await tx.execute(sql`DELETE FROM chat_messages WHERE tenant_id = ${tenantId} AND attention_id = ANY(${ids})`);
      const counts = { attentions: locked.length, appointments: 0, documents: docs.length, recordings: recs.filter((r) => r.storage_key).length };
      await appendAudit(tx, { tenantId, event: 'data_purged', actor: { kind: 'system' }, data: { scope: 'personal_data', ...counts } });
      total.attentions += counts.attentions;
      total.documents += counts.documents;
      total.recordings += counts.recordings;
    }
  });
  return total;
}

/**
 * One batch of appointments whose attention (if any) is anonymised and that
 * ended long enough ago; one without an attention (cancelled, missed) takes
 * its uploaded documents with it.
 */
async function appointmentBatch(database: Database, files: FileStore): Promise<AnonymiseResult & { seen: number }> {
  const due = await database.rows<{ id: string; tenant_id: string; alone: boolean }>(sql`
    SELECT ap.id, ap.tenant_id, NOT EXISTS (SELECT 1 FROM attentions a WHERE a.appointment_id = ap.id AND a.tenant_id = ap.tenant_id) AS alone
      FROM appointments ap JOIN tenants t ON t.id = ap.tenant_id
     WHERE ap.anonymised_at IS NULL
       AND (ap.status <> 'booked' OR ap.ends_at IS NOT NULL)
       AND GREATEST(ap.ends_at, ap.cancelled_at, ap.created_at) < now() - make_interval(days => ${retentionDays})
       AND NOT EXISTS (SELECT 1 FROM attentions a WHERE a.appointment_id = ap.id AND a.tenant_id = ap.tenant_id AND a.anonymised_at IS NULL)
     ORDER BY ap.id
     LIMIT ${BATCH}`);
  const total = { attentions: 0, appointments: 0, documents: 0, recordings: 0, seen: due.length };
  if (due.length === 0) return total;
  const groups = byTenant(due);
  const deleted = new Map<string, Stored[]>();
  for (const [tenantId, rows] of groups) {
    const alone = uuidArray(rows.filter((r) => r.alone).map((r) => r.id));
    const docs = await database.rows<Stored>(sql`
      SELECT id, appointment_id AS owner, storage_key FROM documents
       WHERE tenant_id = ${tenantId} AND appointment_id = ANY(${alone}) AND status <> 'purged'`);
    await deleteStoredFiles(files, tenantId, docs, []);
    deleted.set(tenantId, docs);
  }

  await database.db.transaction(async (tx) => {
    for (const [tenantId, rows] of groups) {
      const locked = await txRows<{ id: string }>(tx, sql`
        SELECT id FROM appointments
         WHERE tenant_id = ${tenantId} AND id = ANY(${uuidArray(rows.map((r) => r.id))}) AND anonymised_at IS NULL
         FOR UPDATE SKIP LOCKED`);
      if (locked.length === 0) continue;
      const ids = uuidArray(locked.map((l) => l.id));
      const mine = new Set(locked.map((l) => l.id));
      const docs = deleted.get(tenantId)!.filter((d) => mine.has(d.owner));
      await markFilesPurged(tx, tenantId, docs.map((d) => d.id), []);
      await tx.execute(sql`
        UPDATE documents SET file_name = ${ANONYMISED_FILE_NAME}, reject_reason = NULL WHERE tenant_id = ${tenantId} AND appointment_id = ANY(${ids})`);
      await tx.execute(sql`
        UPDATE appointments SET citizen_name = ${ANONYMISED_NAME}, email = NULL, phone = NULL, tax_id = NULL, anonymised_at = now()
         WHERE tenant_id = ${tenantId} AND id = ANY(${ids})`);
      const counts = { attentions: 0, appointments: locked.length, documents: docs.length, recordings: 0 };
      await appendAudit(tx, { tenantId, event: 'data_purged', actor: { kind: 'system' }, data: { scope: 'personal_data', ...counts } });
      total.appointments += counts.appointments;
      total.documents += counts.documents;
    }
  });
  return total;
}

export async function anonymisePersonalData(deps: { database: Database; files: () => Promise<FileStore> }, o: { maxBatches?: number } = {}): Promise<AnonymiseResult> {
  const files = await deps.files();
  const total: AnonymiseResult = { attentions: 0, appointments: 0, documents: 0, recordings: 0 };
  const add = (r: AnonymiseResult) => {
    total.attentions += r.attentions;
    total.appointments += r.appointments;
    total.documents += r.documents;
    total.recordings += r.recordings;
  };
  for (let b = 0; b < (o.maxBatches ?? 20); b++) {
    const a = await attentionBatch(deps.database, files);
    add(a);
    const ap = await appointmentBatch(deps.database, files);
    add(ap);
    // Nothing more due, or only rows another process holds: the next pass goes on.
    if ((a.seen < BATCH && ap.seen < BATCH) || a.attentions + ap.appointments === 0) break;
  }
  return total;
}
