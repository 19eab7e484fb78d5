/**
 * Assembles a running Finestreta: database, caches, mailer, job worker and the
 * HTTP app. Used by `main.ts`, the tests and the benchmarks alike.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { openDatabase, type Database } from './db/client.js';
import { buildApp } from './http/app.js';
import type { AppContext } from './http/context.js';
import { JobRunner, type JobHandler } from './jobs/job-runner.js';
import { liveSweep } from './jobs/live-sweep.js';
import { firstFreeSampler } from './jobs/first-free-sampler.js';
import { monthlyReportJob } from './jobs/monthly-report.job.js';
import { reportSchedule } from './jobs/report-schedule.js';
import { recordingSweep as recordingSweepTask } from './jobs/recording-sweep.js';
import { sendEmailJob } from './jobs/send-email.job.js';
import { buildPackageJob } from './jobs/build-package.job.js';
import { deliverPackageJob } from './jobs/deliver-package.job.js';
import { retentionPurge } from './jobs/retention-purge.js';
import { sealReceiptJob } from './jobs/seal-receipt.job.js';
import { createMailer } from './mail/mailer.js';
import { CalendarCache } from './modules/scheduling/calendar-cache.js';
import { EventBus } from './realtime/event-bus.js';
import { RoomRelay } from './realtime/room-relay.js';
import { TenantCache } from './modules/tenants/tenant-cache.js';
import { loadSealer, type Sealer } from './modules/sealing/sealer.js';
import { openFileStore } from './storage/open-file-store.js';

export type Running = {
  app: FastifyInstance;
  ctx: AppContext;
  database: Database;
  jobs: JobRunner | null;
  events: EventBus;
  relay: RoomRelay;
  /** Base URL the server listens on, once listening. */
  url: string;
  close(): Promise<void>;
};

export async function startServer(config: Config, logger: Logger, opts: { database?: Database; listen?: boolean } = {}): Promise<Running> {
  const database =
    opts.database ??
    (await openDatabase({ url: config.DATABASE_URL, dataDir: path.join(config.DATA_DIR, 'pglite'), poolSize: config.DATABASE_POOL_SIZE }));
  const mailer = createMailer(config.SMTP_URL, config.MAIL_FROM);
  const files = () => openFileStore(config, logger);
  // The seal is loaded on first use (a demo seal's RSA key is generated once, when first needed); a failure is retried next time.
  let sealing: Promise<Sealer> | undefined;
  const sealer = () => {
    sealing ??= loadSealer(config, logger).catch((e: unknown) => {
      sealing = undefined;
      throw e;
    });
    return sealing;
  };
  // Without SMTP, email jobs stay pending in the outbox (admins can read them) until a process with SMTP sends them.
  // Monthly reports are made by every worker; their emails go through that outbox.
  const handlers: Record<string, JobHandler> = {
    monthly_report: monthlyReportJob({ database, jobMaxAttempts: config.JOB_MAX_ATTEMPTS, kickJobs: () => jobs?.kick() }),
    seal_receipt: sealReceiptJob({ database, files, sealer, config, kickJobs: () => jobs?.kick() }),
    ...(mailer ? { email: sendEmailJob({ database, mailer, site: config, files }) } : {}),
    build_package: buildPackageJob({ database, files, sealer, deliverMaxAttempts: config.HANDOFF_MAX_ATTEMPTS, kickJobs: () => jobs?.kick() }),
    deliver_package: deliverPackageJob({ database, files, config, timeoutMs: config.HANDOFF_WEBHOOK_TIMEOUT_MS }),
  };
  const jobs: JobRunner | null = config.WORKER ? new JobRunner(database, handlers, { pollMs: config.JOB_POLL_MS, logger }) : null;
  const calendars = new CalendarCache(database);
  // Changes made by any process reach this one: free-slot snapshots are dropped, consoles told.
  const events = new EventBus(logger);
  await events.start(database);
  events.on((e) => {
    if (e.type === 'appointment.changed') calendars.invalidateBusy(e.tenantId);
  });
  const ctx: AppContext = {
    config,
    database,
    tenants: new TenantCache(database.db),
    calendars,
    smtpConfigured: !!mailer,
    files,
    sealer,
    kickJobs: () => jobs?.kick(),
    booking: { database, calendars, jobMaxAttempts: config.JOB_MAX_ATTEMPTS, kickJobs: () => jobs?.kick() },
  };
  // Call rooms span processes: signaling, chat and presence in a room travel through the database.
  const relay = new RoomRelay(database, logger);
  await relay.start();
  const app = await buildApp(ctx, logger, events, relay);
  let url = '';
  if (opts.listen !== false) {
    url = await app.listen({ port: config.PORT, host: config.HOST });
    // An ephemeral port (PORT=0) is only known now; links in emails must use it.
    if (config.PUBLIC_URL.endsWith(':0')) config.PUBLIC_URL = config.PUBLIC_URL.replace(/:0$/, `:${(app.server.address() as { port: number }).port}`);
  } else {
    await app.ready();
  }
  jobs?.start();
  const recordingSweep = recordingSweepTask({ database, config, logger }).start();
  const sweep = liveSweep({ database, jobMaxAttempts: config.JOB_MAX_ATTEMPTS, kickJobs: () => jobs?.kick() }, { intervalMs: config.LIVE_SWEEP_SECONDS * 1000, logger }).start();
  const reports = reportSchedule({ database, config, logger, kickJobs: () => jobs?.kick() }).start();
  const retention = config.RETENTION_SWEEP_SECONDS > 0 ? retentionPurge({ database, files, logger, kickJobs: () => jobs?.kick() }, config.RETENTION_SWEEP_SECONDS * 1000).start() : null;
  const sampler = config.FIRST_FREE_SAMPLE_SECONDS > 0 ? firstFreeSampler({ database, config, logger }, config.FIRST_FREE_SAMPLE_SECONDS * 1000).start() : null;
  let closed = false;
  return {
    app,
    ctx,
    database,
    jobs,
    events,
    relay,
    url,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await recordingSweep.stop();
      await sweep.stop();
      await reports.stop();
      await sampler?.stop();
      await retention?.stop();
      await events.stop();
      await relay.stop();
      await jobs?.stop();
      mailer?.close();
      if (!opts.database) await database.close();
    },
  };
}
