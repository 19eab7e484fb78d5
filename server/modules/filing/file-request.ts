/**
 * Files a request on the citizen's behalf (Llei 39/2015 art. 12.2), all in
 * one transaction: the checks (an authorised official now; the attention in
 * progress and theirs; identity checked; the form valid; the latest consent
 * — effective (its one-time code verified when it has one), given for exactly
 * this form data and not before the latest identity check; not filed yet),
 * then the register
 * number (registerEntry, with its audit event), the filing row (only the
 * SHA-256 of its secure verification code) and the `seal_receipt` job that
 * makes the receipt. Any failure leaves nothing written: no number without
 * its filing and its job. The unique index on filings.attention_id holds
 * "one filing per attention" even past these checks.
 */
import { sql } from 'drizzle-orm';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import { pgConstraint, pgErrorCode } from '../../db/client.js';
import { findProcedureById } from '../catalogue/catalogue.repository.js';
import { csvLookupKey, newCsvCode } from '../evidence/csv-code.js';
import { isAuthorisedOfficial } from '../officials/is-authorised-official.js';
import { registerEntry } from '../register/register-entry.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { consentLanguage } from './consent-text.js';
import { enqueueJob } from '../../jobs/outbox.repository.js';
import { assertInProgress, assertStaffOnAttention, type FilingActor } from './filing-access.js';
import { filingOfAttention, isEffectiveConsent, latestConsent, latestIdentityCheck, lockFilingAttention, txRows } from './filing.repository.js';
import { formSha256, storedRequestSchema, validateForm } from './request-schema.js';

export { formSha256 } from './request-schema.js';

const DEFAULT_MAX_ATTEMPTS = 8;

export type FiledRequest = { filingId: string; registerCode: string; registeredAt: string; csv: string };

export async function fileRequest(
  deps: { database: Database; kickJobs?: () => void; now?: () => number; maxAttempts?: number },
  o: { tenant: Tenant; attentionId: string; official: FilingActor; formData: unknown },
): Promise<FiledRequest> {
  const tenantId = o.tenant.id;
  const now = new Date(deps.now ? deps.now() : Date.now());
  let filed: FiledRequest;
  try {
    filed = await deps.database.db.transaction(async (tx) => {
      const att = await lockFilingAttention(tx, tenantId, o.attentionId);
      assertStaffOnAttention(att, o.official);
      if (!(await isAuthorisedOfficial(tx, tenantId, o.official.id, now))) throw new AppError('not_authorised_official');
      assertInProgress(att);
      if (await filingOfAttention(tx, tenantId, att.id)) throw new AppError('already_filed');
      const identity = await latestIdentityCheck(tx, tenantId, att.id);
      if (!identity) throw new AppError('identity_not_checked');
      const procedure = await findProcedureById(tx, tenantId, att.procedure_id);
      if (!procedure) throw new AppError('procedure_not_found');
      const formData = validateForm(storedRequestSchema(procedure.requestSchema), o.formData);
      const hash = formSha256(formData);
      // the latest consent, whatever its state: a newer one still waiting for its code replaces a verified older one
      const consent = await latestConsent(tx, tenantId, att.id, { effective: false });
      if (!consent || !isEffectiveConsent(consent)) throw new AppError('consent_missing');
      if (consent.form_sha256 !== hash) throw new AppError('consent_stale');
      // a consent given before the latest identity check was given by someone not (yet) identified as this citizen
      if (new Date(consent.given_at).getTime() < new Date(identity.checked_at).getTime()) throw new AppError('consent_stale');

      const entry = await registerEntry(tx, {
        tenantId,
        timeZone: o.tenant.timeZone,
        attentionId: att.id,
        procedureId: procedure.id,
        officialId: o.official.id,
        requestSha256: hash,
      });
      const csv = newCsvCode();
      const [filing] = await txRows<{ id: string }>(tx, sql`
        INSERT INTO filings (tenant_id, attention_id, procedure_id, identity_check_id, consent_id, official_id, register_entry_id,
                             form_data, form_sha256, language, csv_hash, status)
        VALUES (${tenantId}, ${att.id}, ${procedure.id}, ${identity.id}, ${consent.id}, ${o.official.id}, ${entry.id},
                ${JSON.stringify(formData)}::jsonb, ${hash}, ${consentLanguage(o.tenant, consent.language, att.language)}, ${csvLookupKey(csv)}, 'registered')
        RETURNING id`);
      await enqueueJob(tx, { tenantId, type: 'seal_receipt', payload: { filingId: filing.id, csv }, maxAttempts: deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, unique: true });
      return { filingId: filing.id, registerCode: entry.code, registeredAt: entry.registeredAt.toISOString(), csv };
    });
  } catch (e) {
    // a concurrent filing of the same attention that passed the checks first
    if (pgErrorCode(e) === '23505' && pgConstraint(e) === 'filings_attention') throw new AppError('already_filed');
    throw e;
  }
  deps.kickJobs?.();
  return filed;
}
