/**
 * The audit log on both databases: concurrent appends make one gapless chain
 * per tenant, the database refuses to rewrite it, verification names the first
 * tampered entry (also through `npm run audit:verify`), and the recording
 * consent is logged with the consent row, in one transaction.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../server/db/client.js';
import { joinQueue } from '../server/modules/attention/join-queue.js';
import { takeAttention } from '../server/modules/attention/take-attention.js';
import { appendAudit } from '../server/modules/audit/append-audit.js';
import { GENESIS_HASH } from '../server/modules/audit/audit-hash.js';
import { entriesAfter, entriesOfAttention } from '../server/modules/audit/audit.repository.js';
import { EXIT_BROKEN, EXIT_INTACT, EXIT_UNVERIFIED, runAuditVerify } from '../server/modules/audit/audit-verify-cli.js';
import { verifyAuditChain } from '../server/modules/audit/verify-audit-chain.js';
import { recordConsent } from '../server/modules/recording/record-consent.js';
import { createTenant } from '../server/modules/tenants/create-tenant.js';
import { DATABASE_KINDS } from './support/databases.js';
import { useDatabase } from './support/use-database.js';
import { smallTenant, uniqueSlug } from './support/test-server.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const SUBJECT = '33333333-3333-4333-8333-333333333333';

async function newTenant(database: Database) {
  return createTenant({ db: database.db, input: { slug: uniqueSlug('au'), name: 'Ajuntament de Prova', dir3Code: 'L01080001', cancelCutoffMinutes: 60, holidays: [] } });
}

/** One append in its own transaction. */
function append(database: Database, tenantId: string, n = 0) {
  return database.db.transaction((tx) =>
    appendAudit(tx, { tenantId, event: 'document_accepted', actor: { kind: 'system' }, subjects: { document: SUBJECT }, data: { n } }),
  );
}

async function chain(database: Database, tenantId: string) {
  return entriesAfter(database.db, tenantId, 0, 100_000);
}

/** Changes stored entries behind the triggers' back, as a superuser could (session_replication_role = replica). */
async function tamper(database: Database, statement: ReturnType<typeof sql>) {
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL session_replication_role = replica`);
    await tx.execute(statement);
  });
}

/** The database's own message for a refused statement (drizzle wraps it as the cause). */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const messages: string[] = [];
    for (let cur: unknown = e; cur instanceof Error; cur = cur.cause) messages.push(cur.message);
    return messages.join(' | ');
  }
  throw new Error('the statement was not refused');
}

/** `npm run audit:verify -- <slug>` as a child process with the given environment. */
async function cli(slug: string, env: Record<string, string | undefined>) {
  const clean = { ...process.env };
  delete clean.DATABASE_URL;
  delete clean.DATA_DIR;
  try {
    const r = await run('npx', ['tsx', 'scripts/audit-verify.ts', slug], { cwd: ROOT, env: { ...clean, ...env }, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

describe.each(DATABASE_KINDS)('audit log on %s', (kind) => {
  const state = useDatabase(kind);

  it('50 concurrent appends for one tenant make the chain 1..50, each linked to the one before', async (t) => {
    if (state.skip) return t.skip();
    const tenant = await newTenant(state.db);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => append(state.db, tenant.id, i)));
    expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const rows = await chain(state.db, tenant.id);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(rows[0].prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
    for (let i = 1; i < rows.length; i++) expect(rows[i].at >= rows[i - 1].at).toBe(true);
    expect(new Set(rows.map((r) => r.data.n)).size).toBe(50);
    expect(await verifyAuditChain(state.db, tenant.id)).toEqual({ ok: true, entries: 50, head: rows[49].hash });
    // streamed in small batches, the answer is the same
    expect(await verifyAuditChain(state.db, tenant.id, { batchSize: 7 })).toEqual({ ok: true, entries: 50, head: rows[49].hash });
  });

  it('an empty chain is intact', async (t) => {
    if (state.skip) return t.skip();
    const tenant = await newTenant(state.db);
    expect(await verifyAuditChain(state.db, tenant.id)).toEqual({ ok: true, entries: 0, head: GENESIS_HASH });
  });

  it('an entry rolls back with its transaction, leaving no gap', async (t) => {
    if (state.skip) return t.skip();
    const tenant = await newTenant(state.db);
    await append(state.db, tenant.id);
    await expect(
      state.db.db.transaction(async (tx) => {
        await appendAudit(tx, { tenantId: tenant.id, event: 'data_purged', actor: { kind: 'system' } });
        throw new Error('the event failed');
      }),
    ).rejects.toThrow('the event failed');
    const second = await append(state.db, tenant.id);
    expect(second.seq).toBe(2);
    expect((await chain(state.db, tenant.id)).map((r) => r.event)).toEqual(['document_accepted', 'document_accepted']);
    expect(await verifyAuditChain(state.db, tenant.id)).toMatchObject({ ok: true, entries: 2 });
  });

  it('keeps the tenants’ chains apart, even when they append at the same time', async (t) => {
    if (state.skip) return t.skip();
    const [a, b] = [await newTenant(state.db), await newTenant(state.db)];
    await Promise.all(Array.from({ length: 20 }, (_, i) => append(state.db, i % 2 ? a.id : b.id, i)));
    const [ra, rb] = [await chain(state.db, a.id), await chain(state.db, b.id)];
    expect(ra.map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(rb.map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(ra[0].prev_hash).toBe(GENESIS_HASH);
    expect(rb[0].prev_hash).toBe(GENESIS_HASH);
    await tamper(state.db, sql`UPDATE audit_log SET data = '{"n":99}' WHERE tenant_id = ${a.id} AND seq = 3`);
    expect(await verifyAuditChain(state.db, a.id)).toMatchObject({ ok: false, firstBroken: { seq: 3, reason: 'hash_mismatch' } });
    expect(await verifyAuditChain(state.db, b.id)).toMatchObject({ ok: true, entries: 10 });
  });

  it('stores a staff actor with its id and refuses an entry carrying personal data', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, agents } = await smallTenant(state.db);
    await state.db.db.transaction((tx) =>
      appendAudit(tx, { tenantId: tenant.id, event: 'identity_checked', actor: { kind: 'staff', staffId: agents[0].id }, subjects: { attention: SUBJECT } }),
    );
    const [row] = await chain(state.db, tenant.id);
    expect(row).toMatchObject({ actor_kind: 'staff', actor_staff_id: agents[0].id, subjects: { attention: SUBJECT }, data: {} });
    await expect(
      state.db.db.transaction((tx) => appendAudit(tx, { tenantId: tenant.id, event: 'identity_checked', actor: { kind: 'citizen' }, data: { email: 'nuria@example.com' } })),
    ).rejects.toThrow(/invalid audit entry: data\.email/);
    expect(await chain(state.db, tenant.id)).toHaveLength(1);
  });

  it('refuses UPDATE, DELETE and TRUNCATE through the application’s connection', async (t) => {
    if (state.skip) return t.skip();
    const tenant = await newTenant(state.db);
    for (let i = 0; i < 3; i++) await append(state.db, tenant.id, i);
    const before = await chain(state.db, tenant.id);
    expect(await refusal(state.db.rows(sql`UPDATE audit_log SET data = '{"n":7}' WHERE tenant_id = ${tenant.id} AND seq = 2`))).toMatch(/append-only: UPDATE refused/);
    expect(await refusal(state.db.rows(sql`UPDATE audit_log SET hash = hash WHERE tenant_id = ${tenant.id}`))).toMatch(/append-only: UPDATE refused/);
    expect(await refusal(state.db.rows(sql`DELETE FROM audit_log WHERE tenant_id = ${tenant.id} AND seq = 3`))).toMatch(/append-only: DELETE refused/);
    expect(await refusal(state.db.rows(sql`TRUNCATE audit_log`))).toMatch(/append-only: TRUNCATE refused/);
    expect(await refusal(state.db.rows(sql`TRUNCATE tenants CASCADE`))).toMatch(/append-only: TRUNCATE refused/);
    // inside a transaction too: the whole transaction fails, the entries stay
    expect(
      await refusal(
        state.db.db.transaction(async (tx) => {
          await appendAudit(tx, { tenantId: tenant.id, event: 'data_purged', actor: { kind: 'system' } });
          await tx.execute(sql`DELETE FROM audit_log WHERE tenant_id = ${tenant.id} AND seq = 1`);
        }),
      ),
    ).toMatch(/append-only: DELETE refused/);
    expect(await chain(state.db, tenant.id)).toEqual(before);
    expect(await verifyAuditChain(state.db, tenant.id)).toMatchObject({ ok: true, entries: 3 });
  });

  it('a deleted tenant takes its chain with it, and only its own', async (t) => {
    if (state.skip) return t.skip();
    const [gone, kept] = [await newTenant(state.db), await newTenant(state.db)];
    for (let i = 0; i < 3; i++) await append(state.db, gone.id, i);
    await append(state.db, kept.id);
    await state.db.rows(sql`DELETE FROM tenants WHERE id = ${gone.id}`);
    expect(await chain(state.db, gone.id)).toEqual([]);
    expect(await verifyAuditChain(state.db, kept.id)).toMatchObject({ ok: true, entries: 1 });
  });

  it('names the first tampered entry: changed data, a rewritten hash, a removed entry', async (t) => {
    if (state.skip) return t.skip();
    const tenant = await newTenant(state.db);
    for (let i = 0; i < 12; i++) await append(state.db, tenant.id, i);
    const rows = await chain(state.db, tenant.id);

    // data changed at seq 9 (beyond the first batch of 4)
    await tamper(state.db, sql`UPDATE audit_log SET data = '{"n":100}' WHERE tenant_id = ${tenant.id} AND seq = 9`);
    expect(await verifyAuditChain(state.db, tenant.id, { batchSize: 4 })).toEqual({ ok: false, firstBroken: { seq: 9, id: rows[8].id, reason: 'hash_mismatch' } });

    // the forger also rewrites that entry's hash: the next one no longer links to it
    await tamper(state.db, sql`UPDATE audit_log SET hash = ${'e'.repeat(64)} WHERE tenant_id = ${tenant.id} AND seq = 9`);
    // (seq 9 still fails its own hash; seq 5 is tampered earlier to show the first break is named)
    await tamper(state.db, sql`UPDATE audit_log SET event = 'data_purged' WHERE tenant_id = ${tenant.id} AND seq = 5`);
    expect(await verifyAuditChain(state.db, tenant.id)).toEqual({ ok: false, firstBroken: { seq: 5, id: rows[4].id, reason: 'hash_mismatch' } });

    // a removed entry is a gap at the entry after it
    const other = await newTenant(state.db);
    for (let i = 0; i < 5; i++) await append(state.db, other.id, i);
    const others = await chain(state.db, other.id);
    await tamper(state.db, sql`DELETE FROM audit_log WHERE tenant_id = ${other.id} AND seq = 3`);
    expect(await verifyAuditChain(state.db, other.id)).toEqual({ ok: false, firstBroken: { seq: 4, id: others[3].id, reason: 'seq_gap' } });
  });

  it('names an entry whose prev_hash was rewritten to link to a forged predecessor', async (t) => {
    if (state.skip) return t.skip();
    const tenant = await newTenant(state.db);
    for (let i = 0; i < 4; i++) await append(state.db, tenant.id, i);
    const rows = await chain(state.db, tenant.id);
    await tamper(state.db, sql`UPDATE audit_log SET prev_hash = ${'d'.repeat(64)} WHERE tenant_id = ${tenant.id} AND seq = 3`);
    expect(await verifyAuditChain(state.db, tenant.id)).toEqual({ ok: false, firstBroken: { seq: 3, id: rows[2].id, reason: 'prev_hash_mismatch' } });
  });

  it('audit:verify answers 0 when intact, 1 naming the first broken entry, 2 for an unknown tenant', async (t) => {
    if (state.skip) return t.skip();
    const tenant = await newTenant(state.db);
    for (let i = 0; i < 3; i++) await append(state.db, tenant.id, i);
    const rows = await chain(state.db, tenant.id);
    const lines: string[] = [];
    const io = { database: state.db, out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };

    expect(await runAuditVerify({ ...io, argv: ['--', tenant.slug] })).toBe(EXIT_INTACT);
    expect(lines.pop()).toBe(`audit chain of ${tenant.slug}: intact, 3 entries, head ${rows[2].hash}`);
    expect(await runAuditVerify({ ...io, argv: ['no-such-town'] })).toBe(EXIT_UNVERIFIED);
    expect(await runAuditVerify({ ...io, argv: ['Bad Slug!'] })).toBe(EXIT_UNVERIFIED);
    expect(await runAuditVerify({ ...io, argv: [] })).toBe(EXIT_UNVERIFIED);

    await tamper(state.db, sql`UPDATE audit_log SET data = '{"n":5}' WHERE tenant_id = ${tenant.id} AND seq = 2`);
    lines.length = 0;
    expect(await runAuditVerify({ ...io, argv: [tenant.slug] })).toBe(EXIT_BROKEN);
    expect(lines).toEqual([`audit chain of ${tenant.slug}: BROKEN at seq 2 (entry ${rows[1].id}): hash mismatch`]);
  });

  it('npm run audit:verify reads the server’s configuration (DATABASE_URL or the PGlite folder in DATA_DIR)', async (t) => {
    if (state.skip) return t.skip();
    let database: Database = state.db;
    let env: Record<string, string | undefined>;
    let dataDir: string | undefined;
    if (kind === 'postgres') {
      env = { DATABASE_URL: state.db.url };
    } else {
      // PGlite admits one process: a folder database, closed before the command opens it
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'fin-audit-'));
      database = await openDatabase({ dataDir: path.join(dataDir, 'pglite') });
      env = { DATA_DIR: dataDir };
    }
    try {
      const tenant = await newTenant(database);
      for (let i = 0; i < 3; i++) await append(database, tenant.id, i);
      const rows = await chain(database, tenant.id);
      await tamper(database, sql`UPDATE audit_log SET data = '{"n":8}' WHERE tenant_id = ${tenant.id} AND seq = 3`);
      if (dataDir) await database.close();
      const r = await cli(tenant.slug, env);
      expect(r.code).toBe(1);
      expect(r.stdout.trim()).toBe(`audit chain of ${tenant.slug}: BROKEN at seq 3 (entry ${rows[2].id}): hash mismatch`);
      if (kind === 'postgres') {
        // (on PGlite each run reopens the folder: once is enough there)
        const unknown = await cli('no-such-town', env);
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toContain('no town hall with slug "no-such-town"');
      }
    } finally {
      if (dataDir) {
        await database.close().catch(() => undefined);
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  });

  describe('recording consent', () => {
    async function attentionInCourse() {
      const { tenant, agents } = await smallTenant(state.db);
      const deps = { database: state.db };
      const { attention } = await joinQueue(deps, {
        tenant,
        input: { procedure: 'tramit', channel: 'video', name: 'Núria Prats', email: 'nuria@example.com', language: 'es', privacyAccepted: true, priority: [], accessibility: { needs: [] } },
      });
      return { tenant, agents, attention, deps, take: () => takeAttention(deps, { tenantId: tenant.id, agent: agents[0], attentionId: attention.id }) };
    }

    it('writes one entry with the consent: citizen, the attention, the SHA-256 of the text shown and its language', async (t) => {
      if (state.skip) return t.skip();
      const { tenant, attention, deps, take } = await attentionInCourse();
      await take();
      const text = '¿Podemos grabar la llamada?';
      const { recordingId } = await recordConsent(deps, { tenantId: tenant.id, attentionId: attention.id, text });
      const rows = await chain(state.db, tenant.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        seq: 1,
        event: 'recording_consent_given',
        actor_kind: 'citizen',
        actor_staff_id: null,
        subjects: { attention: attention.id, recording: recordingId },
        data: { consentTextSha256: createHash('sha256').update(text).digest('hex'), language: 'es' },
        prev_hash: GENESIS_HASH,
      });
      // nothing personal in the entry
      expect(JSON.stringify(rows[0])).not.toMatch(/Núria|nuria@|Podemos/);
      expect((await entriesOfAttention(state.db.db, tenant.id, attention.id)).map((r) => r.id)).toEqual([rows[0].id]);
      expect(await verifyAuditChain(state.db, tenant.id)).toMatchObject({ ok: true, entries: 1 });
    });

    it('writes none when the consent is refused (attention not in course)', async (t) => {
      if (state.skip) return t.skip();
      const { tenant, attention, deps } = await attentionInCourse();
      await expect(recordConsent(deps, { tenantId: tenant.id, attentionId: attention.id, text: 'Gravem?' })).rejects.toMatchObject({ code: 'attention_not_active' });
      const other = await smallTenant(state.db);
      await expect(recordConsent(deps, { tenantId: other.tenant.id, attentionId: attention.id, text: 'Gravem?' })).rejects.toMatchObject({ code: 'attention_not_active' });
      expect(await chain(state.db, tenant.id)).toEqual([]);
      expect(await chain(state.db, other.tenant.id)).toEqual([]);
    });

    it('keeps no consent row when its audit entry cannot be written (one transaction)', async (t) => {
      if (state.skip) return t.skip();
      const { tenant, attention, deps, take } = await attentionInCourse();
      await take();
      await state.db.rows(sql`CREATE FUNCTION test_audit_fails() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit down'; END $$`);
      await state.db.rows(sql`CREATE TRIGGER test_audit_fails BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_audit_fails()`);
      try {
        await expect(recordConsent(deps, { tenantId: tenant.id, attentionId: attention.id, text: 'Gravem?' })).rejects.toThrow();
      } finally {
        await state.db.rows(sql`DROP TRIGGER test_audit_fails ON audit_log`);
        await state.db.rows(sql`DROP FUNCTION test_audit_fails()`);
      }
      expect(await state.db.rows(sql`SELECT id FROM recordings WHERE tenant_id = ${tenant.id}`)).toEqual([]);
      expect(await chain(state.db, tenant.id)).toEqual([]);
      // and once the log works again, the consent goes through with its entry
      await recordConsent(deps, { tenantId: tenant.id, attentionId: attention.id, text: 'Gravem?' });
      expect(await chain(state.db, tenant.id)).toHaveLength(1);
    });
  });
});
