/**
 * Where the formal procedure of an attention stands, for the agent's console
 * (identity, consent, filing, whether the agent may file) and for the
 * citizen's room (the form, the consent text in their language, the filing).
 */
import { pickText, type Language } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import { findProcedureById, type Procedure } from '../catalogue/catalogue.repository.js';
import { isAuthorisedOfficial } from '../officials/is-authorised-official.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { consentLanguage, consentText } from './consent-text.js';
import { assertStaffOnAttention, type FilingActor } from './filing-access.js';
import { filingOfAttention, findFilingAttention, latestConsent, latestIdentityCheck, type ConsentRow, type FilingAttention } from './filing.repository.js';
import { formalSettings } from './formal-settings.js';
import { storedRequestSchema, type RequestSchema } from './request-schema.js';

export type ConsentView = { id: string; formSha256: string; givenAt: string; otpRequired: boolean; otpVerified: boolean };

export type StaffFilingState = {
  procedure: { id: string; code: string; name: string };
  schema: RequestSchema | null;
  official: boolean;
  identity: { id: string; idKind: 'dni' | 'nie' | 'cif'; checkedAt: string } | null;
  consent: ConsentView | null;
  filing: { id: string; registerCode: string; registeredAt: string; status: 'registered' | 'sealed'; receiptReady: boolean } | null;
};

export type CitizenFilingState = {
  procedure: { name: string };
  schema: RequestSchema | null;
  language: Language;
  consentText: string;
  otpRequired: boolean;
  consent: ConsentView | null;
  filing: { id: string; registerCode: string; receiptReady: boolean } | null;
};

function consentView(c: ConsentRow | undefined): ConsentView | null {
  if (!c) return null;
  return { id: c.id, formSha256: c.form_sha256, givenAt: new Date(c.given_at).toISOString(), otpRequired: c.otp_channel !== null, otpVerified: c.otp_verified_at !== null };
}

async function procedureOf(database: Database, tenantId: string, procedureId: string): Promise<Procedure> {
  const p = await findProcedureById(database.db, tenantId, procedureId);
  if (!p) throw new AppError('procedure_not_found');
  return p;
}

export async function staffFilingState(
  deps: { database: Database },
  o: { tenant: Tenant; attentionId: string; actor: FilingActor; lang: Language },
): Promise<StaffFilingState> {
  const { database } = deps;
  const tenantId = o.tenant.id;
  const att = await findFilingAttention(database, tenantId, o.attentionId);
  assertStaffOnAttention(att, o.actor);
  const [procedure, official, identity, consent, filing] = await Promise.all([
    procedureOf(database, tenantId, att.procedure_id),
    isAuthorisedOfficial(database.db, tenantId, o.actor.id, new Date()),
    latestIdentityCheck(database.db, tenantId, att.id),
    latestConsent(database.db, tenantId, att.id, { effective: false }),
    filingOfAttention(database.db, tenantId, att.id),
  ]);
  return {
    procedure: { id: procedure.id, code: procedure.code, name: pickText(procedure.name, o.lang) },
    schema: storedRequestSchema(procedure.requestSchema),
    official,
    identity: identity ? { id: identity.id, idKind: identity.id_kind, checkedAt: new Date(identity.checked_at).toISOString() } : null,
    consent: consentView(consent),
    filing: filing
      ? { id: filing.id, registerCode: filing.register_code, registeredAt: new Date(filing.registered_at).toISOString(), status: filing.status, receiptReady: filing.status === 'sealed' }
      : null,
  };
}

/** The citizen's view; `attention` is undefined before the citizen reaches the call (then only the procedure and the text). */
export async function citizenFilingState(
  deps: { database: Database },
  o: { tenant: Tenant; attention: Pick<FilingAttention, 'id' | 'procedure_id' | 'language' | 'email'> | undefined; procedureId: string; citizenLanguage: string; lang?: string },
): Promise<CitizenFilingState> {
  const { database } = deps;
  const tenantId = o.tenant.id;
  const procedure = await procedureOf(database, tenantId, o.attention?.procedure_id ?? o.procedureId);
  const language = consentLanguage(o.tenant, o.lang, o.citizenLanguage);
  const [consent, filing] = o.attention
    ? await Promise.all([latestConsent(database.db, tenantId, o.attention.id, { effective: false }), filingOfAttention(database.db, tenantId, o.attention.id)])
    : [undefined, undefined];
  return {
    procedure: { name: pickText(procedure.name, language) },
    schema: storedRequestSchema(procedure.requestSchema),
    language,
    consentText: consentText(o.tenant, procedure.name, language),
    otpRequired: formalSettings(o.tenant).consentOtp === 'email' && !!o.attention?.email,
    consent: consentView(consent),
    filing: filing ? { id: filing.id, registerCode: filing.register_code, receiptReady: filing.status === 'sealed' } : null,
  };
}
