/**
 * The citizen's express consent to file the request (Llei 39/2015 art.
 * 12.2), given from the call room while the attention is in progress, for
 * exactly the form data on screen (its formSha256). Stored with the text
 * shown, its language, the time and, when the call is being recorded, the
 * recording and the offset from its start, so the spoken "yes" can be found.
 *
 * With the town hall's `consentOtp` = email and an email address, a six-digit
 * code (crypto random) goes to the citizen by email (an `email` job in the same
 * transaction; the runner removes the code from the payload once sent) and
 * only an HMAC of it, keyed by the consent id, is kept; the consent counts
 * only once the code is verified (10 minutes, 5 attempts). `consent_given` is
 * appended to the audit chain when the consent becomes effective, in the
 * transaction that makes it so.
 */
import { createHash, createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Language } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import { appendAudit } from '../audit/append-audit.js';
import { findProcedureById } from '../catalogue/catalogue.repository.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { consentLanguage, consentText } from './consent-text.js';
import { assertInProgress } from './filing-access.js';
import { lockConsent, lockFilingAttention, queueJob, txRows, type FilingTx } from './filing.repository.js';
import { formalSettings } from './formal-settings.js';
import { formSha256, storedRequestSchema, validateForm } from './request-schema.js';

export const OTP_MINUTES = 10;
export const OTP_MAX_ATTEMPTS = 5;
const DEFAULT_MAX_ATTEMPTS = 8;

/** HMAC-SHA256 of the code keyed by the consent id: a code is worth nothing for another consent. */
export function otpHash(consentId: string, code: string): string {
  return createHmac('sha256', consentId).update(code, 'utf8').digest('hex');
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

async function appendConsentGiven(tx: FilingTx, o: { tenantId: string; attentionId: string; consentId: string; formSha256: string; otp: boolean; language: Language; textShown: string; recordingId: string | null }) {
  await appendAudit(tx, {
    tenantId: o.tenantId,
    event: 'consent_given',
    actor: { kind: 'citizen' },
    subjects: { attention: o.attentionId, consent: o.consentId, ...(o.recordingId ? { recording: o.recordingId } : {}) },
    data: { formSha256: o.formSha256, otp: o.otp, language: o.language, textSha256: sha256(o.textShown) },
  });
}

export type GivenConsent = { consentId: string; formSha256: string; otpRequired: boolean; givenAt: Date; recordingId: string | null; recordingOffsetMs: number | null };

export async function giveConsent(
  deps: { database: Database; maxAttempts?: number; kickJobs?: () => void },
  o: { tenant: Tenant; attentionId: string; formData: unknown; language?: string },
): Promise<GivenConsent> {
  const tenantId = o.tenant.id;
  const result = await deps.database.db.transaction(async (tx) => {
    const att = await lockFilingAttention(tx, tenantId, o.attentionId);
    if (!att) throw new AppError('attention_not_found');
    assertInProgress(att);
    const procedure = await findProcedureById(tx, tenantId, att.procedure_id);
    if (!procedure) throw new AppError('procedure_not_found');
    const formData = validateForm(storedRequestSchema(procedure.requestSchema), o.formData);
    const hash = formSha256(formData);
    const language = consentLanguage(o.tenant, o.language, att.language);
    const textShown = consentText(o.tenant, procedure.name, language);
    const withOtp = formalSettings(o.tenant).consentOtp === 'email' && !!att.email;
    const consentId = randomUUID();
    const code = withOtp ? String(randomInt(0, 1_000_000)).padStart(6, '0') : null;
    const [row] = await txRows<{ given_at: Date; recording_id: string | null; recording_offset_ms: string | number | null }>(tx, sql`
      WITH t AS (SELECT date_trunc('milliseconds', clock_timestamp()) AS at),
      r AS (SELECT id, started_at FROM recordings
             WHERE tenant_id = ${tenantId} AND attention_id = ${att.id} AND status = 'recording'
             ORDER BY created_at DESC LIMIT 1)
      INSERT INTO filing_consents (id, tenant_id, attention_id, form_sha256, language, text_shown, given_at,
                                   recording_id, recording_offset_ms, otp_channel, otp_hash, otp_expires_at)
      SELECT ${consentId}, ${tenantId}, ${att.id}, ${hash}, ${language}, ${textShown}, t.at,
             r.id, CASE WHEN r.started_at IS NULL THEN NULL ELSE greatest(0, round(extract(epoch FROM t.at - r.started_at) * 1000))::bigint END,
             ${withOtp ? 'email' : null}, ${code ? otpHash(consentId, code) : null},
             CASE WHEN ${withOtp} THEN t.at + make_interval(mins => ${OTP_MINUTES}) ELSE NULL END
        FROM t LEFT JOIN r ON true
      RETURNING given_at, recording_id, recording_offset_ms`);
    if (code) {
      // the code travels in the job until the email is sent, then the runner removes it (`accessCode`)
      await queueJob(tx, { tenantId, type: 'email', payload: { template: 'filing_otp', consentId, accessCode: code }, maxAttempts: deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS });
    } else {
      await appendConsentGiven(tx, { tenantId, attentionId: att.id, consentId, formSha256: hash, otp: false, language, textShown, recordingId: row.recording_id });
    }
    return {
      consentId,
      formSha256: hash,
      otpRequired: withOtp,
      givenAt: new Date(row.given_at),
      recordingId: row.recording_id,
      recordingOffsetMs: row.recording_offset_ms === null ? null : Number(row.recording_offset_ms),
    };
  });
  if (result.otpRequired) deps.kickJobs?.();
  return result;
}

/**
 * Checks the one-time code of a consent. A wrong code counts an attempt
 * (committed even though the answer is an error); the fifth wrong one ends
 * the code (otp_attempts); past ten minutes, otp_expired. A consent verified
 * already, or given without a code, answers verified again.
 */
export async function verifyConsentOtp(
  deps: { database: Database },
  o: { tenantId: string; attentionId: string; consentId: string; code: unknown },
): Promise<{ verified: true }> {
  const outcome = await deps.database.db.transaction(async (tx) => {
    const att = await lockFilingAttention(tx, o.tenantId, o.attentionId);
    if (!att) throw new AppError('not_found');
    const consent = await lockConsent(tx, o.tenantId, att.id, o.consentId);
    if (!consent) throw new AppError('not_found');
    if (!consent.otp_channel || consent.otp_verified_at) return 'verified' as const;
    assertInProgress(att);
    if (consent.otp_attempts >= OTP_MAX_ATTEMPTS) return 'otp_attempts' as const;
    if (consent.otp_expired || !consent.otp_hash) return 'otp_expired' as const;
    const code = typeof o.code === 'string' ? o.code.replace(/\s/g, '') : '';
    const good = /^\d{6}$/.test(code) && timingSafeEqual(Buffer.from(otpHash(consent.id, code), 'hex'), Buffer.from(consent.otp_hash, 'hex'));
    if (!good) {
      await tx.execute(sql`UPDATE filing_consents SET otp_attempts = otp_attempts + 1 WHERE tenant_id = ${o.tenantId} AND id = ${consent.id}`);
      return 'otp_invalid' as const;
    }
    await tx.execute(sql`
      UPDATE filing_consents SET otp_verified_at = date_trunc('milliseconds', clock_timestamp()), otp_hash = NULL
       WHERE tenant_id = ${o.tenantId} AND id = ${consent.id}`);
    const [shown] = await txRows<{ text_shown: string; recording_id: string | null }>(tx, sql`
      SELECT text_shown, recording_id FROM filing_consents WHERE tenant_id = ${o.tenantId} AND id = ${consent.id}`);
    await appendConsentGiven(tx, {
      tenantId: o.tenantId,
      attentionId: att.id,
      consentId: consent.id,
      formSha256: consent.form_sha256,
      otp: true,
      language: consent.language,
      textShown: shown.text_shown,
      recordingId: shown.recording_id,
    });
    return 'verified' as const;
  });
  if (outcome !== 'verified') throw new AppError(outcome);
  return { verified: true };
}
