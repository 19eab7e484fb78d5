/**
 * The agent's decision on a document the citizen uploaded: accept, or reject
 * with a reason the citizen reads. One transaction holds the decision, its
 * audit event (document_accepted / document_rejected: the document's SHA-256,
 * no names) and, for a rejection, the email job that tells the citizen which
 * document and why (outbox; rendered in their language when sent). Only
 * pending documents are reviewed, once; the citizen answers a rejection by
 * uploading again (the rejected one stays listed as rejected).
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import { enqueueJob } from '../../jobs/outbox.repository.js';
import { appendAudit } from '../audit/append-audit.js';
import type { Staff } from '../staff/staff.repository.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { spaceOfDocument, type SpaceInfo } from './document-space.js';
import { findDocument, type DocumentRow } from './documents.repository.js';

export const REJECT_REASON_MAX = 500;

export const reviewInput = z.object({
  decision: z.enum(['accept', 'reject']),
  reason: z.string().max(REJECT_REASON_MAX).optional(),
});
export type ReviewInput = z.infer<typeof reviewInput>;

/** Payload of the rejection email (job `email`, told apart by `template`). */
export const documentEmailPayload = z.object({ template: z.literal('document_rejected'), documentId: z.uuid() });
export type DocumentEmailPayload = z.infer<typeof documentEmailPayload>;

type Actor = Pick<Staff, 'id' | 'role'>;

/** A staff member's access to a document: of the tenant, and for an agent only in their own appointment or attention. */
export async function documentForStaff(database: Database, tenant: Pick<Tenant, 'id' | 'settings'>, documentId: string, actor: Actor): Promise<{ doc: DocumentRow; space: SpaceInfo }> {
  const doc = await findDocument(database, tenant.id, documentId);
  if (!doc) throw new AppError('document_not_found');
  const space = await spaceOfDocument(database, tenant, doc);
  if (actor.role === 'agent' && space.agentId !== actor.id) throw new AppError('forbidden');
  return { doc, space };
}

export async function reviewDocument(
  deps: { database: Database; kickJobs?: () => void; emailMaxAttempts?: number },
  o: { tenant: Pick<Tenant, 'id' | 'settings'>; actor: Actor; documentId: string; input: ReviewInput },
): Promise<DocumentRow> {
  const { doc, space } = await documentForStaff(deps.database, o.tenant, o.documentId, o.actor);
  if (doc.kind !== 'citizen' || doc.status !== 'pending') throw new AppError('document_not_reviewable');
  const reject = o.input.decision === 'reject';
  const reason = (o.input.reason ?? '').replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g, '').trim();
  if (reject && !reason) throw new AppError('reject_reason_required');
  const emailed = reject && !!space.contact.email && !space.contact.anonymised;

  await deps.database.db.transaction(async (tx) => {
    const res = (await tx.execute(sql`
      UPDATE documents SET status = ${reject ? 'rejected' : 'accepted'}, reject_reason = ${reject ? reason : null},
                           reviewed_by = ${o.actor.id}, reviewed_at = now()
       WHERE tenant_id = ${o.tenant.id} AND id = ${doc.id} AND status = 'pending'
      RETURNING id`)) as unknown as { rows: unknown[] };
    if (res.rows.length !== 1) throw new AppError('document_not_reviewable');
    if (emailed) {
      const payload: DocumentEmailPayload = { template: 'document_rejected', documentId: doc.id };
      await enqueueJob(tx, { tenantId: o.tenant.id, type: 'email', payload, maxAttempts: deps.emailMaxAttempts ?? 8 });
    }
    await appendAudit(tx, {
      tenantId: o.tenant.id,
      event: reject ? 'document_rejected' : 'document_accepted',
      actor: { kind: 'staff', staffId: o.actor.id },
      subjects: {
        document: doc.id,
        ...(space.appointmentId ? { appointment: space.appointmentId } : {}),
        ...(space.attentionId ? { attention: space.attentionId } : {}),
      },
      data: { sha256: doc.sha256, contentType: doc.contentType, bytes: doc.bytes, requirement: doc.requirement, emailed },
    });
  });
  if (emailed) deps.kickJobs?.();
  const fresh = await findDocument(deps.database, o.tenant.id, doc.id);
  return fresh!;
}
