/**
 * Retention: a delivered package past its purge date loses its files — the
 * documents, identity images, recording and its chunks, the package's own
 * files — really deleted from disk, while the receipt stays; rows are marked
 * and `data_purged` appended; personal data past the town hall's retention
 * is anonymised (only once a filing's package was delivered), document
 * names and rejection reasons included, with one `data_purged` per town hall;
 * a bad retention setting does not stop the pass; a purge that crashed after
 * deleting its files is finished by the next pass; a seal job that failed for
 * good is queued again; the audit chain stays valid.
 */
import { randomUUID } from 'node:crypto';
import { access, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retentionPass } from '../server/jobs/retention-purge.js';
import { verifyAuditChain } from '../server/modules/audit/verify-audit-chain.js';
import { ANONYMISED_NAME } from '../server/modules/handoff/anonymise-personal-data.js';
import { DATABASE_KINDS } from './support/databases.js';
import { drain, handoffRunner, packagedFiling, staffSession } from './support/handoff-fixtures.js';
import { api, startTestServer, type TestServer } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

const exists = (p: string) => access(p).then(() => true, () => false);

describe.each(DATABASE_KINDS)('retention on %s', (kind) => {
  const state = useDatabase(kind);
  let server: TestServer;
  let dataDir: string;

  beforeAll(async () => {
    if (state.skip) return;
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'fin-retention-'));
    server = await startTestServer(state.db, { DATA_DIR: dataDir, WORKER: 'false', RETENTION_SWEEP_SECONDS: '0' });
  });
  afterAll(async () => {
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const pass = () => retentionPass({ database: state.db, files: server.ctx.files });

  /** A filing packaged and acknowledged through the pull API. */
  async function delivered() {
    const f = await packagedFiling(server);
    const admin = await staffSession(server, f.tenant, 'admin');
    const token = (await api(server.base, 'POST', `/api/v1/tenants/${f.tenant.slug}/integration/pull-token`, {}, admin)).json.pullToken as string;
    await drain(handoffRunner(server));
    const ack = await api(server.base, 'POST', `/api/v1/handoff/${f.tenant.slug}/packages/${f.filingId}/ack`, undefined, { authorization: `Bearer ${token}` });
    expect(ack.json.status).toBe('delivered');
    return { ...f, token };
  }

  async function storedPaths(f: Awaited<ReturnType<typeof delivered>>) {
    const store = await server.ctx.files();
    const docs = await state.db.rows<{ id: string; storage_key: string }>(sql`SELECT id, storage_key FROM documents WHERE appointment_id = ${f.appointmentId}`);
    const [filing] = await state.db.rows<{ receipt_key: string }>(sql`SELECT receipt_key FROM filings WHERE id = ${f.filingId}`);
    const packageDir = path.join(dataDir, 'files', f.tenant.id, 'packages', f.filingId);
    return {
      documents: docs.map((d) => store.pathOf(f.tenant.id, d.storage_key)),
      recording: [store.pathOf(f.tenant.id, f.recording.key), store.pathOf(f.tenant.id, f.recording.chunkKey)],
      recordingDir: path.join(dataDir, 'files', f.tenant.id, 'recordings', f.recording.id),
      packageFiles: (await readdir(packageDir)).map((n) => path.join(packageDir, n)),
      packageDir,
      receipt: store.pathOf(f.tenant.id, filing.receipt_key),
    };
  }

  it('deletes the files of a delivered package past its purge date, keeps the receipt, and records it', async (t) => {
    if (state.skip) return t.skip();
    const due = await delivered();
    const later = await delivered();
    await state.db.rows(sql`UPDATE handoffs SET purge_after = now() - interval '1 minute' WHERE filing_id = ${due.filingId}`);
    const paths = await storedPaths(due);
    const laterPaths = await storedPaths(later);
    expect(paths.documents).toHaveLength(5);
    for (const p of [...paths.documents, ...paths.recording, ...paths.packageFiles, paths.receipt]) expect(await exists(p), p).toBe(true);

    const first = await pass();
    expect(first.purged).toBeGreaterThanOrEqual(1);

    // really gone from disk: the files, and their folders
    for (const p of [...paths.documents, ...paths.recording, ...paths.packageFiles]) expect(await exists(p), p).toBe(false);
    for (const p of paths.documents) expect(await exists(path.dirname(p))).toBe(false);
    expect(await exists(paths.recordingDir)).toBe(false);
    expect(await exists(paths.packageDir)).toBe(false);
    expect(await exists(paths.receipt)).toBe(true);
    // the package not yet due keeps everything
    for (const p of [...laterPaths.documents, ...laterPaths.recording, ...laterPaths.packageFiles]) expect(await exists(p)).toBe(true);

    const docs = await state.db.rows<{ status: string; storage_key: string | null; purged_at: string | null; sha256: string }>(sql`
      SELECT status, storage_key, purged_at::text, sha256 FROM documents WHERE appointment_id = ${due.appointmentId}`);
    expect(docs.every((d) => d.status === 'purged' && d.storage_key === null && d.purged_at !== null && d.sha256)).toBe(true);
    const [rec] = await state.db.rows<{ storage_key: string | null; chunks: number }>(sql`
      SELECT storage_key, (SELECT count(*)::int FROM recording_chunks WHERE recording_id = r.id) AS chunks FROM recordings r WHERE id = ${due.recording.id}`);
    expect(rec).toEqual({ storage_key: null, chunks: 0 });
    const [h] = await state.db.rows<{ status: string; purged_at: string | null }>(sql`SELECT status, purged_at::text FROM handoffs WHERE filing_id = ${due.filingId}`);
    expect(h.status).toBe('purged');
    expect(h.purged_at).not.toBeNull();
    const audit = await state.db.rows<{ subjects: Record<string, string>; data: Record<string, unknown> }>(sql`
      SELECT subjects, data FROM audit_log WHERE tenant_id = ${due.tenant.id} AND event = 'data_purged'`);
    expect(audit).toEqual([{ subjects: { filing: due.filingId, attention: due.attentionId }, data: { documents: 5, recordings: 1, recordingChunks: 1, packageFiles: true } }]);
    expect(await verifyAuditChain(state.db, due.tenant.id)).toMatchObject({ ok: true });

    // the pull API no longer serves it; listed as purged
    const auth = { authorization: `Bearer ${due.token}` };
    expect((await api(server.base, 'GET', `/api/v1/handoff/${due.tenant.slug}/packages/${due.filingId}`, undefined, auth)).status).toBe(404);
    const purged = await api(server.base, 'GET', `/api/v1/handoff/${due.tenant.slug}/packages?status=purged`, undefined, auth);
    expect(purged.json.packages.map((p: { filingId: string }) => p.filingId)).toEqual([due.filingId]);

    // a second pass finds nothing to do
    await pass();
    expect(await state.db.rows(sql`SELECT 1 FROM audit_log WHERE tenant_id = ${due.tenant.id} AND event = 'data_purged'`)).toHaveLength(1);
  });

  it('anonymises personal data past the retention period, once the package was delivered', async (t) => {
    if (state.skip) return t.skip();
    const old = (f: { attentionId: string; appointmentId: string }, days: number) =>
      state.db.rows(sql`
        WITH a AS (UPDATE attentions SET queued_at = queued_at - make_interval(days => ${days}), due_at = due_at - make_interval(days => ${days}),
                     taken_at = taken_at - make_interval(days => ${days}), connected_at = connected_at - make_interval(days => ${days}),
                     ended_at = ended_at - make_interval(days => ${days}), closed_at = closed_at - make_interval(days => ${days})
                    WHERE id = ${f.attentionId} RETURNING id)
        UPDATE appointments SET starts_at = starts_at - make_interval(days => ${days}), ends_at = ends_at - make_interval(days => ${days}),
               blocked_until = blocked_until - make_interval(days => ${days}), created_at = created_at - make_interval(days => ${days})
         WHERE id = ${f.appointmentId}`);

    const done = await delivered(); // delivered, 100 days old
    await state.db.rows(sql`INSERT INTO chat_messages (tenant_id, attention_id, author_role, body) VALUES (${done.tenant.id}, ${done.attentionId}, 'citizen', 'El meu DNI és 12345678Z')`);
    await old(done, 100);
    const waiting = await packagedFiling(server); // its package never delivered
    await drain(handoffRunner(server));
    await old(waiting, 100);
    const recent = await delivered(); // delivered, but recent
    const keeps = await delivered(); // a town hall that keeps personal data 200 days
    await old(keeps, 100);
    await state.db.rows(sql`UPDATE tenants SET settings = jsonb_set(settings, '{formal}', '{"personalDataRetentionDays": 200}') WHERE id = ${keeps.tenant.id}`);
    const garbled = await delivered(); // a town hall whose stored setting is not a number: the default (90 days) applies, the pass goes on
    await old(garbled, 100);
    await state.db.rows(sql`UPDATE tenants SET settings = jsonb_set(settings, '{formal}', '{"personalDataRetentionDays": "many"}') WHERE id = ${garbled.tenant.id}`);
    await state.db.rows(sql`UPDATE documents SET reject_reason = 'La foto del DNI de Joan és borrosa' WHERE id = ${done.documents[0].id}`);

    // a virtual-queue attention without a filing, abandoned long ago, with a document and a recording of its own
    const store = await server.ctx.files();
    const tenantId = recent.tenant.id;
    const queueId = randomUUID();
    await state.db.rows(sql`
      INSERT INTO attentions (id, tenant_id, procedure_id, channel, status, citizen_name, email, phone, language, queued_at, due_at, notes)
      VALUES (${queueId}, ${tenantId}, ${recent.procedure.id}, 'video', 'abandoned', 'Pere Vila', 'pere@example.com', '+34600000000', 'ca',
        now() - interval '120 days', now() - interval '120 days', 'Parla del seu germà')`);
    const docId = randomUUID();
    const docKey = `${tenantId}/documents/${docId}/content.enc`;
    const written = await store.write(tenantId, docKey, Buffer.from('%PDF-1.4\n% nòmina\n%%EOF\n'));
    await state.db.rows(sql`
      INSERT INTO documents (id, tenant_id, attention_id, kind, file_name, declared_bytes, content_type, bytes, sha256, storage_key, status, completed_at)
      VALUES (${docId}, ${tenantId}, ${queueId}, 'citizen', 'nomina.pdf', ${written.bytes}, 'application/pdf', ${written.bytes}, ${written.sha256}, ${docKey}, 'pending', now() - interval '120 days')`);
    const recId = randomUUID();
    const recKey = `${tenantId}/recordings/${recId}/recording-aa.enc`;
    await store.write(tenantId, recKey, Buffer.from('webm bytes'));
    await state.db.rows(sql`
      INSERT INTO recordings (id, tenant_id, attention_id, consent_at, consent_text, status, storage_key, sha256, bytes)
      VALUES (${recId}, ${tenantId}, ${queueId}, now() - interval '120 days', 'Gravem?', 'complete', ${recKey}, 'x', 10)`);

    await pass();

    const appointment = async (id: string) =>
      (await state.db.rows<{ citizen_name: string; email: string | null; phone: string | null; tax_id: string | null; anonymised_at: string | null }>(sql`
        SELECT citizen_name, email, phone, tax_id, anonymised_at::text FROM appointments WHERE id = ${id}`))[0];
    const attention = async (id: string) =>
      (await state.db.rows<{ citizen_name: string | null; email: string | null; phone: string | null; notes: string | null; anonymised_at: string | null; status: string; closed_at: string | null }>(sql`
        SELECT citizen_name, email, phone, notes, anonymised_at::text, status, closed_at::text FROM attentions WHERE id = ${id}`))[0];
    const identity = async (attentionId: string) =>
      (await state.db.rows<{ full_name: string | null; id_number: string | null; anonymised_at: string | null }>(sql`
        SELECT full_name, id_number, anonymised_at::text FROM identity_checks WHERE attention_id = ${attentionId}`))[0];
    const filing = async (id: string) =>
      (await state.db.rows<{ form_data: unknown; anonymised_at: string | null; receipt_key: string | null }>(sql`SELECT form_data, anonymised_at::text, receipt_key FROM filings WHERE id = ${id}`))[0];

    // delivered and old: anonymised everywhere; the receipt, the register entry and the times stay
    expect(await appointment(done.appointmentId)).toMatchObject({ citizen_name: ANONYMISED_NAME, email: null, phone: null, tax_id: null });
    expect((await appointment(done.appointmentId)).anonymised_at).not.toBeNull();
    expect(await attention(done.attentionId)).toMatchObject({ citizen_name: null, email: null, phone: null, notes: null, status: 'closed' });
    expect((await attention(done.attentionId)).closed_at).not.toBeNull();
    expect(await identity(done.attentionId)).toMatchObject({ full_name: null, id_number: null });
    expect(await filing(done.filingId)).toMatchObject({ form_data: null });
    expect((await filing(done.filingId)).receipt_key).not.toBeNull();
    expect(await state.db.rows(sql`SELECT 1 FROM chat_messages WHERE attention_id = ${done.attentionId}`)).toEqual([]);
    expect(await state.db.rows(sql`SELECT 1 FROM register_entries WHERE attention_id = ${done.attentionId}`)).toHaveLength(1);
    // the documents keep their hash, not their name or rejection reason
    const names = await state.db.rows<{ file_name: string; reject_reason: string | null; sha256: string }>(sql`
      SELECT file_name, reject_reason, sha256 FROM documents WHERE tenant_id = ${done.tenant.id} AND (appointment_id = ${done.appointmentId} OR attention_id = ${done.attentionId})`);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((d) => d.file_name === 'document' && d.reject_reason === null && d.sha256)).toBe(true);
    // recorded: counts only, per town hall
    const purges = await state.db.rows<{ data: Record<string, unknown> }>(sql`
      SELECT data FROM audit_log WHERE tenant_id = ${done.tenant.id} AND event = 'data_purged' AND data->>'scope' = 'personal_data' ORDER BY seq`);
    expect(purges.reduce((n, p) => n + Number(p.data.attentions), 0)).toBe(1);
    expect(purges.reduce((n, p) => n + Number(p.data.appointments), 0)).toBe(1);
    expect(JSON.stringify(purges)).not.toContain(done.citizen.name);
    expect((await appointment(garbled.appointmentId)).citizen_name).toBe(ANONYMISED_NAME);
    expect((await identity(garbled.attentionId)).id_number).toBeNull();

    // not delivered, recent, or kept longer by its town hall: untouched
    for (const f of [waiting, recent, keeps]) {
      expect((await appointment(f.appointmentId)).citizen_name).toBe(f.citizen.name);
      expect((await identity(f.attentionId)).id_number).toBe(f.citizen.idNumber);
      expect((await filing(f.filingId)).form_data).not.toBeNull();
    }

    // the queue attention: anonymised, its document and recording deleted from disk
    expect(await attention(queueId)).toMatchObject({ citizen_name: null, email: null, phone: null, notes: null });
    expect(await exists(store.pathOf(tenantId, docKey))).toBe(false);
    expect(await exists(store.pathOf(tenantId, recKey))).toBe(false);
    const [doc] = await state.db.rows<{ status: string; storage_key: string | null }>(sql`SELECT status, storage_key FROM documents WHERE id = ${docId}`);
    expect(doc).toEqual({ status: 'purged', storage_key: null });

    const [queuePurge] = await state.db.rows<{ data: Record<string, unknown> }>(sql`
      SELECT data FROM audit_log WHERE tenant_id = ${tenantId} AND event = 'data_purged' AND data->>'scope' = 'personal_data' AND (data->>'attentions')::int > 0`);
    expect(queuePurge.data).toMatchObject({ scope: 'personal_data', attentions: 1, documents: 1, recordings: 1 });

    for (const f of [done, waiting, recent, keeps, garbled]) expect(await verifyAuditChain(state.db, f.tenant.id)).toMatchObject({ ok: true });
  });

  it('a purge that crashed after deleting the files is finished by the next pass', async (t) => {
    if (state.skip) return t.skip();
    const due = await delivered();
    await state.db.rows(sql`UPDATE handoffs SET purge_after = now() - interval '1 minute' WHERE filing_id = ${due.filingId}`);
    const paths = await storedPaths(due);
    // the files went, the rows were not marked yet
    for (const p of [...paths.documents, ...paths.recording, ...paths.packageFiles]) await rm(p, { force: true });
    await rm(paths.packageDir, { recursive: true, force: true });
    expect((await state.db.rows<{ status: string }>(sql`SELECT status FROM handoffs WHERE filing_id = ${due.filingId}`))[0].status).toBe('delivered');
    expect((await pass()).purged).toBeGreaterThanOrEqual(1);
    const [h] = await state.db.rows<{ status: string }>(sql`SELECT status FROM handoffs WHERE filing_id = ${due.filingId}`);
    expect(h.status).toBe('purged');
    const docs = await state.db.rows<{ status: string }>(sql`SELECT status FROM documents WHERE appointment_id = ${due.appointmentId}`);
    expect(docs.every((d) => d.status === 'purged')).toBe(true);
    expect(await state.db.rows(sql`SELECT 1 FROM audit_log WHERE tenant_id = ${due.tenant.id} AND event = 'data_purged' AND subjects->>'filing' = ${due.filingId}`)).toHaveLength(1);
    expect(await exists(paths.receipt)).toBe(true);
  });

  it('a seal job that failed for good more than 15 minutes ago is queued again, and the receipt is sealed', async (t) => {
    if (state.skip) return t.skip();
    const stuck = await packagedFiling(server);
    const fresh = await packagedFiling(server);
    const fail = (filingId: string, minutes: number) =>
      state.db.rows(sql`
        UPDATE jobs SET status = 'failed', attempts = max_attempts, last_error = 'sealer unavailable', finished_at = now() - make_interval(mins => ${minutes})
         WHERE type = 'seal_receipt' AND payload->>'filingId' = ${filingId}`);
    await fail(stuck.filingId, 20);
    await fail(fresh.filingId, 5);
    const r = await pass();
    expect(r.sealsRequeued).toBe(1);
    const seal = async (filingId: string) =>
      (await state.db.rows<{ status: string; attempts: number }>(sql`SELECT status, attempts FROM jobs WHERE type = 'seal_receipt' AND payload->>'filingId' = ${filingId}`))[0];
    expect(await seal(stuck.filingId)).toEqual({ status: 'pending', attempts: 0 });
    expect(await seal(fresh.filingId)).toMatchObject({ status: 'failed' });
    // a second pass while it is queued does nothing more
    expect((await pass()).sealsRequeued).toBe(0);
    await drain(handoffRunner(server));
    const [filing] = await state.db.rows<{ status: string }>(sql`SELECT status FROM filings WHERE id = ${stuck.filingId}`);
    expect(filing.status).toBe('sealed');
    expect((await state.db.rows<{ status: string }>(sql`SELECT status FROM filings WHERE id = ${fresh.filingId}`))[0].status).toBe('registered');
  });
});
