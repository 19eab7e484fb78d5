/**
 * The identity step of a formal attention: the agent captured the ID's front
 * and back from the video (documents id_front / id_back of this attention),
 * confirmed that the face matches, and typed the full name and the ID number
 * the citizen states (DNI/NIE/NIF or CIF, checked by its control character).
 * One transaction writes the check and its audit event `identity_checked`
 * (no name or number in the audit data). A later check replaces the earlier:
 * the filing uses the latest.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import { normalizeTaxId, taxIdKind, type TaxIdKind } from '../../../shared/tax-id.js';
import type { Database } from '../../db/client.js';
import { appendAudit } from '../audit/append-audit.js';
import { inSpace } from '../documents/documents.repository.js';
import { documentSpaceOf } from '../documents/store-document.js';
import { assertInProgress, assertStaffOnAttention, type FilingActor } from './filing-access.js';
import { lockFilingAttention, txRows } from './filing.repository.js';

export const NAME_MIN = 2;
export const NAME_MAX = 200;

/** The body as the API takes it; the checks with their own codes are in `checkIdentityInput`. */
export const identityInput = z.object({
  fullName: z.string().max(1000),
  idNumber: z.string().max(100),
  faceConfirmed: z.boolean(),
  frontDocumentId: z.string().max(100),
  backDocumentId: z.string().max(100),
});
export type IdentityInput = z.infer<typeof identityInput>;

const uuid = z.uuid();

/** Name, number and face, each with its code (identity_name_required, invalid_tax_id, face_not_confirmed). */
export function checkIdentityInput(i: IdentityInput): { fullName: string; idNumber: string; idKind: TaxIdKind } {
  const fullName = i.fullName.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (fullName.length < NAME_MIN || fullName.length > NAME_MAX || /[\u0000-\u001f\u007f]/.test(fullName)) throw new AppError('identity_name_required');
  const idNumber = normalizeTaxId(i.idNumber);
  const idKind = taxIdKind(idNumber);
  if (!idKind) throw new AppError('invalid_tax_id');
  if (i.faceConfirmed !== true) throw new AppError('face_not_confirmed');
  return { fullName, idNumber, idKind };
}

export async function checkIdentity(
  deps: { database: Database },
  o: { tenantId: string; attentionId: string; actor: FilingActor; input: IdentityInput },
): Promise<{ identityCheckId: string; idKind: TaxIdKind; checkedAt: Date }> {
  const checked = checkIdentityInput(o.input);
  const { frontDocumentId, backDocumentId } = o.input;
  if (!uuid.safeParse(frontDocumentId).success || !uuid.safeParse(backDocumentId).success || frontDocumentId === backDocumentId) {
    throw new AppError('identity_images_missing');
  }
  return deps.database.db.transaction(async (tx) => {
    const att = await lockFilingAttention(tx, o.tenantId, o.attentionId);
    assertStaffOnAttention(att, o.actor);
    assertInProgress(att);
    // both images must be this attention's own evidence images, stored and kept
    const images = await txRows<{ id: string; kind: string }>(tx, sql`
      SELECT d.id, d.kind FROM documents d
       WHERE d.tenant_id = ${o.tenantId} AND d.id IN (${frontDocumentId}, ${backDocumentId})
         AND d.status = 'accepted' AND d.storage_key IS NOT NULL
         AND ${inSpace(documentSpaceOf(att))}`);
    const kindOf = new Map(images.map((d) => [d.id, d.kind]));
    if (kindOf.get(frontDocumentId) !== 'id_front' || kindOf.get(backDocumentId) !== 'id_back') throw new AppError('identity_images_missing');
    const [row] = await txRows<{ id: string; checked_at: Date }>(tx, sql`
      INSERT INTO identity_checks (tenant_id, attention_id, full_name, id_kind, id_number, face_confirmed, front_document_id, back_document_id, checked_by, checked_at)
      VALUES (${o.tenantId}, ${att.id}, ${checked.fullName}, ${checked.idKind}, ${checked.idNumber}, true, ${frontDocumentId}, ${backDocumentId}, ${o.actor.id},
              date_trunc('milliseconds', clock_timestamp()))
      RETURNING id, checked_at`);
    await appendAudit(tx, {
      tenantId: o.tenantId,
      event: 'identity_checked',
      actor: { kind: 'staff', staffId: o.actor.id },
      subjects: { attention: att.id, identityCheck: row.id, frontDocument: frontDocumentId, backDocument: backDocumentId },
      data: { idKind: checked.idKind, faceConfirmed: true },
    });
    return { identityCheckId: row.id, idKind: checked.idKind, checkedAt: new Date(row.checked_at) };
  });
}
