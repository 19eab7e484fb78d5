/**
 * Durable background work from the `jobs` table: at-least-once, safe with
 * several processes (FOR UPDATE SKIP LOCKED), retried with exponential backoff,
 * and picked up again after a crash once its lease expires.
 */
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { safeError } from '../logger.js';

export type JobRow = { id: string; tenant_id: string | null; type: string; payload: unknown; attempts: number; max_attempts: number };

export type JobHandler = (job: JobRow) => Promise<void>;

const LEASE_SECONDS = 300;
const BATCH = 10;

export class JobRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly database: Database,
    private readonly handlers: Record<string, JobHandler>,
    private readonly opts: { pollMs: number; logger: Logger },
  ) {
    this.types = `{${Object.keys(handlers).join(',')}}`;
  }

  /** Only the job types this process can run are claimed (e.g. no `email` without SMTP: those wait). */
  private readonly types: string;

  start(): void {
    if (Object.keys(this.handlers).length === 0) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Runs due jobs soon, without waiting for the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick() {
    if (this.running || this.stopped) return;
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while (!this.stopped && (await this.runOnce()) === BATCH);
        } while (this.again && !this.stopped);
      } catch (e) {
        this.opts.logger.error({ err: safeError(e) }, 'job runner failed');
      }
    })();
    await this.running;
    this.running = undefined;
    if (!this.stopped) this.schedule(this.opts.pollMs);
  }

  /** Claims and runs one batch of due jobs; returns how many were claimed. */
  async runOnce(): Promise<number> {
    // A job whose lease expired on its last allowed attempt (its worker died each time) is given up.
    await this.database.rows(sql`
      UPDATE jobs SET status = 'failed', locked_until = NULL, finished_at = now(), last_error = 'lease expired on the last attempt'
       WHERE type = ANY(${this.types}::text[]) AND status = 'running' AND locked_until < now() AND attempts >= max_attempts`);
    const jobs = await this.database.rows<JobRow>(sql`
      UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = now() + make_interval(secs => ${LEASE_SECONDS})
       WHERE id IN (
         SELECT id FROM jobs
          WHERE type = ANY(${this.types}::text[])
            AND ((status = 'pending' AND run_at <= now()) OR (status = 'running' AND locked_until < now() AND attempts < max_attempts))
          ORDER BY run_at
          LIMIT ${BATCH}
          FOR UPDATE SKIP LOCKED)
      RETURNING id, tenant_id, type, payload, attempts, max_attempts`);
    await Promise.all(jobs.map((job) => this.runJob(job)));
    return jobs.length;
  }

  private async runJob(job: JobRow) {
    const handler = this.handlers[job.type];
    try {
      if (!handler) throw new Error(`no handler for job type ${job.type}`);
      await handler(job);
      // Fenced: only the worker holding this attempt may finish it. Secrets are dropped from the payload once it is done.
      await this.database.rows(sql`
        UPDATE jobs SET status = 'done', finished_at = now(), locked_until = NULL, last_error = NULL,
               payload = payload - 'accessCode' - 'manageToken' - 'surveyToken'
         WHERE id = ${job.id} AND status = 'running' AND attempts = ${job.attempts}`);
      this.opts.logger.info({ jobId: job.id, type: job.type, attempt: job.attempts }, 'job done');
    } catch (e) {
      const safe = safeError(e);
      const message = [safe.name, safe.pgCode, safe.message].filter(Boolean).join(': ');
      const final = job.attempts >= job.max_attempts;
      const backoff = Math.min(2 ** job.attempts * 5, 3600);
      await this.database.rows(sql`
        UPDATE jobs SET status = ${final ? 'failed' : 'pending'}, locked_until = NULL, last_error = ${message},
               run_at = now() + make_interval(secs => ${backoff}), finished_at = ${final ? sql`now()` : sql`NULL`},
               payload = CASE WHEN ${final} THEN payload - 'accessCode' - 'manageToken' - 'surveyToken' ELSE payload END
         WHERE id = ${job.id} AND status = 'running' AND attempts = ${job.attempts}`);
      this.opts.logger.warn({ jobId: job.id, type: job.type, attempt: job.attempts, final, error: message }, 'job failed');
    }
  }
}
