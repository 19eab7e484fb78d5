/**
 * The ID's front and back captured from the citizen's video by the agent (a
 * canvas snapshot): stored encrypted as documents of kind id_front / id_back
 * in the attention's document space, already accepted (the agent made them),
 * through the one document store (modules/documents/store-document.ts).
 * Only the attention's agent (or a supervisor/admin) while it is in progress.
 */
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import type { FileStore } from '../../storage/encrypted-files.js';
import { documentSpaceOf, storeDocument } from '../documents/store-document.js';
import { assertInProgress, assertStaffOnAttention, type FilingActor } from './filing-access.js';
import { findFilingAttention } from './filing.repository.js';

export const ID_IMAGE_MAX_BYTES = 10 * 1024 * 1024;
export const ID_IMAGE_TYPES = ['image/jpeg', 'image/png'] as const;
export type IdSide = 'front' | 'back';

export async function storeIdentityImage(
  deps: { database: Database; files: FileStore },
  o: { tenantId: string; attentionId: string; actor: FilingActor; side: IdSide; bytes: Uint8Array },
): Promise<{ documentId: string }> {
  const att = await findFilingAttention(deps.database, o.tenantId, o.attentionId);
  assertStaffOnAttention(att, o.actor);
  assertInProgress(att);
  if (o.bytes.byteLength === 0) throw new AppError('file_empty');
  if (o.bytes.byteLength > ID_IMAGE_MAX_BYTES) throw new AppError('file_too_large');
  const doc = await storeDocument(
    { database: deps.database, files: deps.files },
    {
      tenantId: o.tenantId,
      space: documentSpaceOf({ id: att.id, appointment_id: att.appointment_id }),
      kind: o.side === 'front' ? 'id_front' : 'id_back',
      // no personal data in the name: it says which side, nothing else
      fileName: o.side === 'front' ? 'id-front' : 'id-back',
      source: o.bytes,
      uploadedBy: o.actor.id,
      maxBytes: ID_IMAGE_MAX_BYTES,
      allowedTypes: ID_IMAGE_TYPES,
      status: 'accepted',
    },
  );
  return { documentId: doc.id };
}
