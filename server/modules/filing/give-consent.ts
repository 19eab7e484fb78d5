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
 * only an HMAC of it is kept, keyed by a server secret (the town hall's
 * 'consent-otp' key, derived from the storage master key) and bound to the
 * consent id, so a database read alone does not give the code away; the
 * consent counts only once the code is verified (10 minutes, 5 attempts). At
 * most 3 codes per attention in 10 minutes (otp_attempts): asking again does
 * not buy fresh attempts without end, nor floods the citizen's inbox. `consent_given` is
 * appended to the audit chain when the consent becomes effective, in the
 * transaction that makes it so.
 */
import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Language } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import { enqueueJob } from '../../jobs/outbox.repository.js';
import { appendAudit } from '../audit/append-audit.js';
import { sha256 } from '../booking/secrets.js';
import { findProcedureById } from '../catalogue/catalogue.repository.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { consentLanguage, consentText } from './consent-text.js';
import { assertInProgress } from './filing-access.js';
import { lockConsent, lockFilingAttention, txRows, type FilingTx } from './filing.repository.js';
import { formalSettings } from './formal-settings.js';
import { formSha256, storedRequestSchema, validateForm } from './request-schema.js';

export const OTP_MINUTES = 10;
export const OTP_MAX_ATTEMPTS = 5;
/** Codes an attention may ask for within OTP_MINUTES (verified ones do not count). */
export const OTP_MAX_PENDING = 3;
const DEFAULT_MAX_ATTEMPTS = 8;

/** The town hall's secret key for one-time codes (storage/keys.ts derivePurposeKey(…, 'consent-otp')). */
export type OtpKey = (tenantId: string) => Promise<Buffer>;

/**
 * HMAC-SHA256 of the code with the server's key, bound to the consent id: a
 * code is worth nothing for another consent, and without the key the six
 * digits cannot be found from the stored hash.
 */
export function otpHash(key: Buffer, consentId: string, code: string): string {
  return createHmac('sha256', key).update(`${consentId}:${code}`, 'utf8').digest('hex');
}

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
  deps: { database: Database; otpKey: OtpKey; maxAttempts?: number; kickJobs?: () => void },
  o: { tenant: Tenant; attentionId: string; formData: unknown; language?: string },
): Promise<GivenConsent> {
  const tenantId = o.tenant.id;
  const key = formalSettings(o.tenant).consentOtp === 'email' ? await deps.otpKey(tenantId) : null;
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
    const withOtp = key !== null && !!att.email;
    if (withOtp) {
      const [recent] = await txRows<{ n: number }>(tx, sql`
        SELECT count(*)::int AS n FROM filing_consents
         WHERE tenant_id = ${tenantId} AND attention_id = ${att.id} AND otp_channel IS NOT NULL AND otp_verified_at IS NULL
           AND given_at > clock_timestamp() - make_interval(mins => ${OTP_MINUTES})`);
      if (recent.n >= OTP_MAX_PENDING) throw new AppError('otp_attempts');
    }
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
             ${withOtp ? 'email' : null}, ${code && key ? otpHash(key, consentId, code) : null},
             CASE WHEN ${withOtp} THEN t.at + make_interval(mins => ${OTP_MINUTES}) ELSE NULL END
        FROM t LEFT JOIN r ON true
      RETURNING given_at, recording_id, recording_offset_ms`);
    if (code) {
      // the code travels in the job until the email is sent, then the runner removes it (`accessCode`)
      await enqueueJob(tx, { tenantId, type: 'email', payload: { template: 'filing_otp', consentId, accessCode: code }, maxAttempts: deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS });
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
  deps: { database: Database; otpKey: OtpKey },
  o: { tenantId: string; attentionId: string; consentId: string; code: unknown },
): Promise<{ verified: true }> {
  const key = await deps.otpKey(o.tenantId);
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
    const good = /^\d{6}$/.test(code) && timingSafeEqual(Buffer.from(otpHash(key, consent.id, code), 'hex'), Buffer.from(consent.otp_hash, 'hex'));
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
