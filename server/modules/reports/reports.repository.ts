/**
 * The SQL of monthly reports: stored PDFs (one per tenant, month and language;
 * a new one replaces the old) and the `monthly_report` jobs that make them.
 * Every query names its tenant.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Language } from '../../../shared/domain.js';
import type { Database, Db } from '../../db/client.js';
import { monthlyReports } from '../../db/schema.js';
import { monthStartDate } from './report-month.js';

export type ReportTrigger = 'schedule' | 'manual';

/** A stored report without its bytes. */
export type ReportSummary = { id: string; month: string; language: Language; trigger: ReportTrigger; generatedAt: Date; bytes: number };

/** A report job not finished yet, or finished lately (so a page can tell how its request went). */
export type ReportJob = { id: string; month: string; language: Language | null; trigger: ReportTrigger; status: 'pending' | 'running' | 'done' | 'failed' | 'held' };

/** A transaction or the database itself. */
type Executor = Pick<Db, 'execute' | 'insert'>;

export async function listReports(database: Database, tenantId: string): Promise<ReportSummary[]> {
  const rows = await database.rows<{ id: string; month: string; language: Language; trigger: ReportTrigger; generated_at: string | Date; bytes: number }>(sql`
    SELECT id, to_char(month, 'YYYY-MM') AS month, language, trigger, generated_at, octet_length(pdf) AS bytes
      FROM monthly_reports WHERE tenant_id = ${tenantId}
     ORDER BY month DESC, language`);
  return rows.map((r) => ({ id: r.id, month: r.month, language: r.language, trigger: r.trigger, generatedAt: new Date(r.generated_at), bytes: Number(r.bytes) }));
}

/** One stored report with its PDF; undefined when it is not this tenant's. */
export async function findReport(db: Db, tenantId: string, id: string) {
  const [row] = await db
    .select()
    .from(monthlyReports)
    .where(and(eq(monthlyReports.tenantId, tenantId), eq(monthlyReports.id, id)))
    .limit(1);
  return row && { ...row, month: row.month.slice(0, 7) };
}

/** Stores a report, replacing the one of the same month and language; returns its id (kept across replacements). */
export async function upsertReport(ex: Executor, r: { tenantId: string; month: string; language: Language; pdf: Buffer; trigger: ReportTrigger }): Promise<string> {
  const [row] = await ex
    .insert(monthlyReports)
    .values({ tenantId: r.tenantId, month: monthStartDate(r.month), language: r.language, pdf: r.pdf, trigger: r.trigger })
    .onConflictDoUpdate({
      target: [monthlyReports.tenantId, monthlyReports.month, monthlyReports.language],
      // a month once reported by the schedule stays so, whoever regenerates it later
      set: { pdf: r.pdf, trigger: sql`CASE WHEN ${monthlyReports.trigger} = 'schedule' THEN 'schedule' ELSE excluded.trigger END`, generatedAt: sql`now()` },
    })
    .returning({ id: monthlyReports.id });
  return row.id;
}

/**
 * Queues the report email to each recipient, once per generating job: a job
 * that runs again (a lost lease) finds its emails already queued, and one
 * running at the same time waits on the job's lock until the first commits.
 */
export async function queueReportEmails(ex: Executor, o: { tenantId: string; reportId: string; recipients: string[]; sourceJob: string; maxAttempts: number }): Promise<number> {
  let queued = 0;
  // Two runs of one job (a lease lost mid-run) take turns here until the first commits, so the second sees its emails.
  await ex.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`monthly_report:${o.sourceJob}`}))`);
  for (const to of o.recipients) {
    const payload = JSON.stringify({ template: 'monthly_report', reportId: o.reportId, to, sourceJob: o.sourceJob });
    const res = (await ex.execute(sql`
      INSERT INTO jobs (tenant_id, type, payload, max_attempts)
      SELECT ${o.tenantId}, 'email', ${payload}::jsonb, ${o.maxAttempts}
       WHERE NOT EXISTS (
         SELECT 1 FROM jobs WHERE tenant_id = ${o.tenantId} AND type = 'email'
            AND payload->>'template' = 'monthly_report' AND payload->>'sourceJob' = ${o.sourceJob} AND payload->>'to' = ${to})
      RETURNING id`)) as unknown as { rows: unknown[] };
    queued += res.rows.length;
  }
  return queued;
}

/**
 * Queues the scheduled report of a month unless one was ever queued or stored:
 * under a transaction-level advisory lock on (tenant, month), so any number of
 * processes passing at once queue it once. True when this call queued it.
 */
export async function queueScheduledReport(database: Database, o: { tenantId: string; month: string; maxAttempts: number }): Promise<boolean> {
  const payload = JSON.stringify({ tenantId: o.tenantId, month: o.month, trigger: 'schedule' });
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`monthly_report:${o.tenantId}:${o.month}`}, 0))`);
    const res = (await tx.execute(sql`
      INSERT INTO jobs (tenant_id, type, payload, max_attempts)
      SELECT ${o.tenantId}, 'monthly_report', ${payload}::jsonb, ${o.maxAttempts}
       WHERE NOT EXISTS (
               SELECT 1 FROM jobs WHERE tenant_id = ${o.tenantId} AND type = 'monthly_report'
                  AND payload->>'month' = ${o.month} AND payload->>'trigger' = 'schedule')
         AND NOT EXISTS (
               SELECT 1 FROM monthly_reports WHERE tenant_id = ${o.tenantId} AND month = ${monthStartDate(o.month)}::date AND trigger = 'schedule')
      RETURNING id`)) as unknown as { rows: unknown[] };
    return res.rows.length > 0;
  });
}

/**
 * Queues a report asked for by a supervisor; the same month and language
 * already waiting is not queued twice (a double click). Returns the job's id.
 */
export async function queueManualReport(database: Database, o: { tenantId: string; month: string; language: Language; maxAttempts: number }): Promise<string> {
  const payload = JSON.stringify({ tenantId: o.tenantId, month: o.month, trigger: 'manual', language: o.language });
  const [waiting] = await database.rows<{ id: string }>(sql`
    SELECT id FROM jobs
     WHERE tenant_id = ${o.tenantId} AND type = 'monthly_report' AND status IN ('pending','running')
       AND payload->>'month' = ${o.month} AND payload->>'language' = ${o.language}
     LIMIT 1`);
  if (waiting) return waiting.id;
  const [row] = await database.rows<{ id: string }>(sql`
    INSERT INTO jobs (tenant_id, type, payload, max_attempts) VALUES (${o.tenantId}, 'monthly_report', ${payload}::jsonb, ${o.maxAttempts})
    RETURNING id`);
  return row.id;
}

/** The report jobs of a tenant still to run, and any one job asked about by id. */
export async function listReportJobs(database: Database, tenantId: string, alsoId?: string): Promise<ReportJob[]> {
  const rows = await database.rows<{ id: string; month: string; language: Language | null; trigger: ReportTrigger; status: ReportJob['status'] }>(sql`
    SELECT id, payload->>'month' AS month, payload->>'language' AS language, payload->>'trigger' AS trigger, status
      FROM jobs
     WHERE tenant_id = ${tenantId} AND type = 'monthly_report'
       AND (status IN ('pending','running') OR id = ${alsoId ?? null}::uuid)
     ORDER BY created_at DESC
     LIMIT 50`);
  return rows;
}

/** The stored report of a month in a language (the page links to it once the job that makes it is done). */
export async function findReportId(db: Db, tenantId: string, month: string, language: Language): Promise<string | undefined> {
  const [row] = await db
    .select({ id: monthlyReports.id })
    .from(monthlyReports)
    .where(and(eq(monthlyReports.tenantId, tenantId), eq(monthlyReports.month, monthStartDate(month)), eq(monthlyReports.language, language)))
    .orderBy(desc(monthlyReports.generatedAt))
    .limit(1);
  return row?.id;
}
