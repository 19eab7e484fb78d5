/**
 * Makes a month's report: computes the month's and the previous month's
 * indicators, renders the PDF, and in one transaction stores it (replacing
 * the one of the same month and language) and, for the scheduled report,
 * queues the email to each configured recipient (outbox).
 */
import { z } from 'zod';
import { LANGUAGES, type Language } from '../../../shared/domain.js';
import { AppError } from '../../../shared/errors.js';
import type { Database } from '../../db/client.js';
import { computeIndicators } from '../indicators/compute-indicators.js';
import { indicatorSettings } from '../indicators/indicator-settings.js';
import { findTenantById } from '../tenants/tenants.repository.js';
import { renderMonthlyReport } from './render-monthly-report.js';
import { comparisonPeriod, localToday, reportPeriod } from './report-month.js';
import { queueReportEmails, upsertReport, type ReportTrigger } from './reports.repository.js';

const emailAddress = z.email().max(254);

/** The configured recipients that are email addresses, each once. */
export function reportRecipients(list: readonly string[]): string[] {
  const seen = new Set<string>();
  return list
    .map((a) => a.trim())
    .filter((a) => emailAddress.safeParse(a).success && !seen.has(a.toLowerCase()) && seen.add(a.toLowerCase()));
}

export async function generateMonthlyReport(
  deps: { database: Database; jobMaxAttempts: number },
  o: { tenantId: string; month: string; trigger: ReportTrigger; language?: Language; /** The job making it: its emails are queued once. */ sourceJob: string; now?: Date },
): Promise<{ reportId: string; language: Language; emails: number }> {
  const tenant = await findTenantById(deps.database.db, o.tenantId);
  if (!tenant) throw new AppError('tenant_not_found');
  const settings = indicatorSettings(tenant);
  const language = [o.language, settings.reportLanguage, tenant.defaultLanguage].find((l): l is Language => !!l && LANGUAGES.includes(l))!;
  const now = o.now ?? new Date();
  const period = reportPeriod(o.month, localToday(tenant.timeZone, now));
  const previous = comparisonPeriod(o.month, period);
  const [currentIndicators, previousIndicators] = await Promise.all([
    computeIndicators(deps.database, tenant, { from: period.from, to: period.to }, language),
    computeIndicators(deps.database, tenant, previous, language),
  ]);
  const pdf = await renderMonthlyReport({ tenant, lang: language, month: o.month, period, current: currentIndicators, previous: previousIndicators, generatedAt: now });
  return deps.database.db.transaction(async (tx) => {
    const reportId = await upsertReport(tx, { tenantId: tenant.id, month: o.month, language, pdf, trigger: o.trigger });
    const emails =
      o.trigger === 'schedule'
        ? await queueReportEmails(tx, { tenantId: tenant.id, reportId, recipients: reportRecipients(settings.reportRecipients), sourceJob: o.sourceJob, maxAttempts: deps.jobMaxAttempts })
        : 0;
    return { reportId, language, emails };
  });
}
