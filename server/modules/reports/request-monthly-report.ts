/** A supervisor asks for a month's report: the month and language are checked, then a job makes it. */
import type { Language } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import type { Tenant } from '../tenants/tenants.repository.js';
import { checkReportMonth } from './report-month.js';
import { queueManualReport } from './reports.repository.js';

/**
 * Throws `period_invalid` (details.fields: month_malformed, month_future,
 * month_too_old) or `validation_failed` (language not one of the tenant's).
 */
export async function requestMonthlyReport(
  deps: { database: Database; jobMaxAttempts: number },
  o: { tenant: Pick<Tenant, 'id' | 'timeZone' | 'languages' | 'defaultLanguage'>; month: unknown; language: unknown; now?: Date },
): Promise<{ jobId: string; month: string; language: Language }> {
  const month = checkReportMonth(o.month, o.tenant.timeZone, o.now);
  const language = o.language === undefined || o.language === '' ? o.tenant.defaultLanguage : o.language;
  if (typeof language !== 'string' || !(o.tenant.languages as string[]).includes(language)) {
    throw new AppError('validation_failed', { fields: [{ path: 'language', code: 'language_not_offered' }] });
  }
  const jobId = await queueManualReport(deps.database, { tenantId: o.tenant.id, month, language: language as Language, maxAttempts: deps.jobMaxAttempts });
  return { jobId, month, language: language as Language };
}
