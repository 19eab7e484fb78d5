/**
 * The `monthly_report` job: makes a month's report and stores it; the
 * scheduled one also queues its emails (in the same transaction). Runs in
 * every worker process, with or without SMTP: the emails wait in the outbox
 * for a process that can send them. Running it again replaces the stored PDF
 * and queues no email twice.
 */
import { generateMonthlyReport } from '../modules/reports/generate-monthly-report.js';
import type { JobHandler } from './job-runner.js';
import { monthlyReportJobPayload } from './job-types.js';

export function monthlyReportJob(deps: Parameters<typeof generateMonthlyReport>[0] & { /** Wakes the worker for the emails just queued. */ kickJobs: () => void }): JobHandler {
  return async (job) => {
    const payload = monthlyReportJobPayload.parse(job.payload);
    if (job.tenant_id !== payload.tenantId) throw new Error('monthly_report job of another tenant');
    const { emails } = await generateMonthlyReport(deps, { ...payload, sourceJob: job.id });
    if (emails > 0) deps.kickJobs();
  };
}
