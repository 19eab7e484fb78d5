/**
 * Makes a filing's receipt and seals it — the work of the `seal_receipt` job,
 * safe to run any number of times and to resume after a crash at any point:
 *
 * 1. A filing already sealed: nothing to do (the code is dropped from the job).
 * 2. Otherwise the receipt is rendered in the citizen's language and sealed
 *    (PAdES B-B) — unless a sealed receipt is already stored from an attempt
 *    that crashed before committing, which is then used as it is (the plain
 *    verification code may be gone by then; it is never needed twice).
 * 3. One transaction, under the filing row's lock: the PDF is stored
 *    encrypted (atomic write) if not there yet; the filing becomes `sealed`
 *    with the receipt's key and SHA-256; the receipt email (when the citizen
 *    gave an address) and `build_package` are queued and the pending
 *    `handoffs` row (no manifest yet) is made; the plain code is
 *    removed from the job's payload; `receipt_sealed` is appended to the
 *    audit chain. All or nothing: a number never stays without its receipt
 *    for longer than the job's next attempt.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { pickText } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import { enqueueJob } from '../../jobs/outbox.repository.js';
import { translator } from '../../i18n/i18n.js';
import type { FileStore } from '../../storage/encrypted-files.js';
import { appendAudit } from '../audit/append-audit.js';
import { csvLookupKey, formatCsvCode } from '../evidence/csv-code.js';
import type { Sealer } from '../sealing/sealer.js';
import { findTenantById, type Tenant } from '../tenants/tenants.repository.js';
import { receiptStorageKey, verifyUrl } from './receipt-file.js';
import { formRows } from './receipt-form.js';
import { findReceiptFiling, forgetJobCsv, listReceiptDocuments, lockFiling, markFilingSealed, type ReceiptFiling } from './receipt.repository.js';
import { renderReceipt, type ReceiptInput } from './render-receipt.js';

export type SealReceiptDeps = {
  database: Database;
  files: () => Promise<FileStore>;
  sealer: () => Promise<Sealer>;
  /** Read when the job runs (the public URL may be known only once the server listens). */
  config: { PUBLIC_URL: string; JOB_MAX_ATTEMPTS: number };
  kickJobs?: () => void;
};

export type SealReceiptResult = { outcome: 'sealed' | 'already_sealed'; receiptSha256: string; rendered: boolean };

/** The receipt's content for a filing (everything but the seal). */
export async function receiptInput(
  database: Database,
  o: { tenant: Tenant; filing: ReceiptFiling; csv: string; publicUrl: string; demoSeal: boolean; now?: Date },
): Promise<ReceiptInput> {
  const { tenant, filing } = o;
  const lang = filing.language;
  const csv = formatCsvCode(o.csv);
  return {
    tenant,
    lang,
    registerCode: filing.registerCode,
    registeredAt: filing.registeredAt,
    procedure: { code: filing.procedureCode, name: pickText(filing.procedureName, lang, tenant.defaultLanguage) },
    citizen: { name: filing.citizenName, idKind: filing.idKind, idNumber: filing.idNumber, email: filing.email, phone: filing.phone },
    form: formRows(filing.requestSchema, filing.formData, lang, translator(lang)),
    documents: await listReceiptDocuments(database, filing),
    official: { name: filing.officialName, act: filing.officialAct },
    csv,
    verifyUrl: verifyUrl(o.publicUrl, tenant.slug, csv),
    demoSeal: o.demoSeal,
    generatedAt: o.now ?? new Date(),
  };
}

/** Renders and seals a filing's receipt (PAdES B-B with the organisation seal). */
export async function makeSealedReceipt(deps: Pick<SealReceiptDeps, 'database' | 'sealer' | 'config'>, tenant: Tenant, filing: ReceiptFiling, csv: string): Promise<Buffer> {
  const sealer = await deps.sealer();
  const input = await receiptInput(deps.database, { tenant, filing, csv, publicUrl: deps.config.PUBLIC_URL, demoSeal: sealer.source === 'demo' });
  const pdf = await renderReceipt(input);
  return sealer.sealPdf(pdf, {
    reason: translator(filing.language)('receipt.seal_reason', { code: filing.registerCode }),
    location: tenant.name,
    name: tenant.name,
    contactInfo: tenant.contactEmail ?? undefined,
  });
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export async function sealReceipt(deps: SealReceiptDeps, o: { tenantId: string; filingId: string; csv?: string; jobId?: string }): Promise<SealReceiptResult> {
  const { database } = deps;
  const filing = await findReceiptFiling(database, o.tenantId, o.filingId);
  if (!filing) throw new AppError('filing_not_found');
  if (filing.status === 'sealed') {
    if (o.jobId) await forgetJobCsv(database.db, o.jobId);
    return { outcome: 'already_sealed', receiptSha256: filing.receiptSha256!, rendered: false };
  }
  const tenant = await findTenantById(database.db, o.tenantId);
  if (!tenant) throw new AppError('tenant_not_found');
  const files = await deps.files();
  const key = receiptStorageKey(tenant.id, filing.id);

  // An attempt that crashed after storing its receipt left a whole, sealed file (writes are atomic): use it.
  let pdf: Buffer | null = null;
  if (!(await files.exists(tenant.id, key))) {
    if (!o.csv) throw new Error('seal_receipt: the job has no verification code and no receipt is stored; the receipt cannot be made');
    if (csvLookupKey(o.csv) !== filing.csvHash) throw new Error('seal_receipt: the verification code does not belong to this filing');
    pdf = await makeSealedReceipt(deps, tenant, filing, o.csv);
  }

  const result = await database.db.transaction(async (tx): Promise<SealReceiptResult> => {
    const locked = await lockFiling(tx, tenant.id, filing.id);
    if (!locked) throw new AppError('filing_not_found');
    if (locked.status === 'sealed') {
      // another run finished meanwhile
      if (o.jobId) await forgetJobCsv(tx, o.jobId);
      return { outcome: 'already_sealed', receiptSha256: locked.receiptSha256!, rendered: false };
    }
    // Under the row lock, so two runs cannot each store their own receipt.
    let receiptSha256: string;
    let rendered = false;
    if (await files.exists(tenant.id, key)) {
      receiptSha256 = sha256(await files.readAll(tenant.id, key));
    } else {
      if (!pdf) throw new Error('seal_receipt: the stored receipt disappeared');
      receiptSha256 = (await files.write(tenant.id, key, pdf)).sha256;
      rendered = true;
    }
    await markFilingSealed(tx, { tenantId: tenant.id, filingId: filing.id, receiptKey: key, receiptSha256 });
    const maxAttempts = deps.config.JOB_MAX_ATTEMPTS;
    if (filing.email) {
      // The code travels as `accessCode`, which the job runner removes once the email is sent (or fails for good).
      const payload: Record<string, unknown> = { template: 'receipt', filingId: filing.id };
      if (o.csv) payload.accessCode = formatCsvCode(o.csv);
      await enqueueJob(tx, { tenantId: tenant.id, type: 'email', payload, maxAttempts });
    }
    await enqueueJob(tx, { tenantId: tenant.id, type: 'build_package', payload: { filingId: filing.id }, maxAttempts, unique: true });
    // The hand-off exists from now on (pending, not built yet): a build that fails for good shows to supervisors as failed.
    await tx.execute(sql`
      INSERT INTO handoffs (filing_id, tenant_id, status) VALUES (${filing.id}, ${tenant.id}, 'pending')
      ON CONFLICT (filing_id) DO NOTHING`);
    if (o.jobId) await forgetJobCsv(tx, o.jobId);
    await appendAudit(tx, {
      tenantId: tenant.id,
      event: 'receipt_sealed',
      actor: { kind: 'system' },
      subjects: { filing: filing.id, attention: filing.attentionId, registerEntry: filing.registerEntryId },
      data: { receiptSha256, csvHash: filing.csvHash },
    });
    return { outcome: 'sealed', receiptSha256, rendered };
  });
  deps.kickJobs?.();
  return result;
}
