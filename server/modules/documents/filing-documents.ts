/**
 * The documents of a filing: what its receipt lists and its evidence package
 * holds — the citizen's documents accepted and the town hall's handouts of the
 * filing's space (the appointment, else the attention), completed (and, for a
 * citizen's document, accepted) at or before the request was registered.
 * Compared with the register entry's own time in the database, so a receipt
 * rendered again and a package built later list exactly the same documents.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { documentSpaceOf } from './store-document.js';
import { inSpace } from './documents.repository.js';

export type FilingDocument = {
  id: string;
  kind: 'citizen' | 'handout';
  requirement: number | null;
  file_name: string;
  content_type: string;
  bytes: number;
  sha256: string;
  storage_key: string;
  /** ISO 8601 with milliseconds, UTC. */
  completed_at: string | null;
  uploaded_by: string | null;
};

/** At most this many (a space holds at most 50 documents). */
const LIMIT = 500;

export async function filingDocuments(
  database: Pick<Database, 'rows'>,
  f: { tenantId: string; filingId: string; attentionId: string; appointmentId: string | null },
): Promise<FilingDocument[]> {
  const space = documentSpaceOf({ id: f.attentionId, appointment_id: f.appointmentId });
  return database.rows<FilingDocument>(sql`
    SELECT d.id, d.kind, d.requirement, d.file_name, d.content_type, d.bytes::float8 AS bytes, d.sha256, d.storage_key,
           to_char(d.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS completed_at, d.uploaded_by
      FROM documents d
      JOIN filings f ON f.tenant_id = d.tenant_id AND f.id = ${f.filingId}
      JOIN register_entries re ON re.tenant_id = f.tenant_id AND re.id = f.register_entry_id
     WHERE d.tenant_id = ${f.tenantId} AND ${inSpace(space)}
       AND d.storage_key IS NOT NULL AND d.sha256 IS NOT NULL AND d.content_type IS NOT NULL
       AND d.completed_at <= re.registered_at
       AND ((d.kind = 'citizen' AND d.status = 'accepted' AND d.reviewed_at <= re.registered_at)
         OR (d.kind = 'handout' AND d.status IN ('pending', 'accepted')))
     ORDER BY array_position(ARRAY['citizen','handout'], d.kind::text), d.requirement NULLS LAST, d.completed_at, d.id
     LIMIT ${LIMIT}`);
}
