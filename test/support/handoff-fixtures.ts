/**
 * For the package, hand-off and retention tests: a filed request whose
 * documents and recording are really stored encrypted (prepareFormalAttention
 * of filings.ts plus a complete recording with a leftover chunk file), a job
 * runner with the real seal_receipt, build_package and deliver_package
 * handlers (a new one = a restarted worker), a local webhook receiver on
 * 127.0.0.1 whose answers the test scripts, and staff sessions.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import type { Database } from '../../server/db/client.js';
import { buildPackageJob } from '../../server/jobs/build-package.job.js';
import { deliverPackageJob } from '../../server/jobs/deliver-package.job.js';
import { JobRunner } from '../../server/jobs/job-runner.js';
import { sealReceiptJob } from '../../server/jobs/seal-receipt.job.js';
import { createStaff } from '../../server/modules/staff/create-staff.js';
import { filedRequest } from './filings.js';
import { apiSession, type TestServer } from './test-server.js';

export const PASSWORD = 'correct horse battery staple';
export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** A worker with the formal procedure's jobs (seal, build, deliver); the webhook timeout is short for the tests. */
export function handoffRunner(server: TestServer, o: { timeoutMs?: number } = {}): JobRunner {
  const { database, ctx } = server;
  const handlers = {
    seal_receipt: sealReceiptJob({ database, files: ctx.files, sealer: ctx.sealer, config: ctx.config }),
    build_package: buildPackageJob({ database, files: ctx.files, sealer: ctx.sealer, deliverMaxAttempts: ctx.config.HANDOFF_MAX_ATTEMPTS }),
    deliver_package: deliverPackageJob({ database, files: ctx.files, config: ctx.config, timeoutMs: o.timeoutMs ?? 2000 }),
  };
  return new JobRunner(database, handlers, { pollMs: 60_000, logger: pino({ level: 'silent' }) });
}

/** Runs due jobs until none is left due now. */
export async function drain(runner: JobRunner): Promise<void> {
  for (let i = 0; i < 50 && (await runner.runOnce()) > 0; i++);
}

/** The package's pending delivery job becomes due now (as if its backoff had passed). */
export async function deliveryDueNow(database: Database, filingId: string): Promise<number> {
  const rows = await database.rows(sql`
    UPDATE jobs SET run_at = now() WHERE type = 'deliver_package' AND status = 'pending' AND payload->>'filingId' = ${filingId} RETURNING id`);
  return rows.length;
}

export async function deliveryJobs(database: Database, filingId: string) {
  return database.rows<{ id: string; status: string; attempts: number; max_attempts: number; last_error: string | null }>(sql`
    SELECT id, status, attempts, max_attempts, last_error FROM jobs WHERE type = 'deliver_package' AND payload->>'filingId' = ${filingId} ORDER BY created_at`);
}

/** A filed request (seal_receipt queued) with its documents and a complete recording stored encrypted. */
export async function packagedFiling(server: TestServer) {
  const files = await server.ctx.files();
  const f = await filedRequest(server.database, { files, status: 'closed' });
  const tenantId = f.tenant.id;
  const recordingId = randomUUID();
  const video = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), randomBytes(150_000)]);
  const recordingKey = `${tenantId}/recordings/${recordingId}/recording-${randomBytes(4).toString('hex')}.enc`;
  const chunkKey = `${tenantId}/recordings/${recordingId}/chunk-000000-${randomBytes(4).toString('hex')}.enc`;
  await files.write(tenantId, recordingKey, video);
  await files.write(tenantId, chunkKey, video.subarray(0, 1000));
  await server.database.rows(sql`
    INSERT INTO recordings (id, tenant_id, attention_id, consent_at, consent_text, status, mime_type, chunks, bytes, sha256, storage_key, started_at, completed_at)
    VALUES (${recordingId}, ${tenantId}, ${f.attentionId}, now() - interval '8 minutes', 'Gravem la trucada?', 'complete', 'video/webm;codecs=vp8,opus', 1,
      ${video.length}, ${sha256(video)}, ${recordingKey}, now() - interval '8 minutes', now() - interval '2 minutes')`);
  await server.database.rows(sql`
    INSERT INTO recording_chunks (recording_id, seq, tenant_id, bytes, sha256, storage_key) VALUES (${recordingId}, 0, ${tenantId}, 1000, ${sha256(video.subarray(0, 1000))}, ${chunkKey})`);
  return { ...f, recording: { id: recordingId, sha256: sha256(video), bytes: video.length, key: recordingKey, chunkKey } };
}

/** Staff of the tenant with a role, signed in through the API. */
export async function staffSession(server: TestServer, tenant: { id: string; slug: string }, role: 'admin' | 'supervisor' | 'agent') {
  const email = `${role}-${randomBytes(3).toString('hex')}@prova.example`;
  await createStaff({ db: server.database.db, tenantId: tenant.id, email, fullName: `${role} de prova`, password: PASSWORD, role });
  return apiSession(server.base, tenant.slug, email, PASSWORD);
}

export type Received = { headers: IncomingHttpHeaders; body: string };

/** A webhook receiver on 127.0.0.1 (random port); `answer(n)` says what to do with the n-th call (0-based). */
export async function webhookReceiver(answer: (n: number) => 'ok' | 'hang' | number) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const n = received.length;
      received.push({ headers: req.headers, body: Buffer.concat(parts).toString('utf8') });
      const a = answer(n);
      if (a === 'hang') return; // never answers: the sender's timeout fires
      res.writeHead(a === 'ok' ? 200 : a, { 'content-type': 'text/plain' });
      res.end(a === 'ok' ? 'thanks' : 'SECRET RECEIVER DETAIL that must not be stored');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/finestreta`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
