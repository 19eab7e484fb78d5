/**
 * The register (registre d'entrada) on both databases: concurrent filings get
 * 1..N per tenant and year without gap or repeat, a rolled-back filing gives
 * its number back, the year is the tenant's local year, each entry refers only
 * to its own town hall, the database keeps the register append-only, and every
 * entry has its `entry_registered` audit event in a chain that verifies.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from '../server/db/client.js';
import { joinQueue } from '../server/modules/attention/join-queue.js';
import { appendAudit } from '../server/modules/audit/append-audit.js';
import { entriesAfter, entriesOfAttention } from '../server/modules/audit/audit.repository.js';
import { verifyAuditChain } from '../server/modules/audit/verify-audit-chain.js';
import { registerEntry, type RegisterEntry } from '../server/modules/register/register-entry.js';
import { findRegisterEntry } from '../server/modules/register/register.repository.js';
import { DATABASE_KINDS } from './support/databases.js';
import { useDatabase } from './support/use-database.js';
import { inParallel } from './support/in-parallel.js';
import { smallTenant } from './support/test-server.js';

type Fixture = Awaited<ReturnType<typeof smallTenant>>;

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const hashOf = (data: unknown) => createHash('sha256').update(JSON.stringify(data)).digest('hex');
const localYear = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).year;

/** One filing in its own transaction; `fail` throws after the number was taken, rolling the filing back. */
function file(
  database: Database,
  f: Fixture,
  o: { n?: number; at?: Date; timeZone?: string; attentionId?: string; procedureId?: string; fail?: boolean } = {},
): Promise<RegisterEntry> {
  return database.db.transaction(async (tx) => {
    const entry = await registerEntry(tx, {
      tenantId: f.tenant.id,
      timeZone: o.timeZone ?? f.tenant.timeZone,
      at: o.at,
      attentionId: o.attentionId,
      procedureId: o.procedureId ?? f.procedure.id,
      officialId: f.agents[0].id,
      requestSha256: hashOf({ n: o.n ?? 0 }),
    });
    if (o.fail) throw new Error('filing failed after registering');
    return entry;
  });
}

/** An attention of the tenant (a virtual-queue entry) to file in. */
async function queueAttention(database: Database, f: Fixture): Promise<string> {
  const { attention } = await joinQueue(
    { database },
    {
      tenant: f.tenant,
      input: { procedure: 'tramit', channel: 'video', name: 'Núria Prats', email: 'nuria@example.com', language: 'ca', privacyAccepted: true, priority: [], accessibility: { needs: [] } },
    },
  );
  return attention.id;
}

/** A tenant's entries in number order (one year, or all). */
async function entries(database: Database, tenantId: string, year?: number) {
  return database.rows<{ id: string; year: number; number: number; code: string; registered_at_ms: number; request_sha256: string }>(sql`
    SELECT id, year, number, code, (extract(epoch FROM registered_at) * 1000)::float8 AS registered_at_ms, request_sha256
      FROM register_entries
     WHERE tenant_id = ${tenantId} ${year === undefined ? sql`` : sql`AND year = ${year}`}
     ORDER BY year, number`);
}

async function counter(database: Database, tenantId: string, year: number): Promise<number | null> {
  const [row] = await database.rows<{ last_number: number }>(sql`SELECT last_number FROM register_counters WHERE tenant_id = ${tenantId} AND year = ${year}`);
  return row ? Number(row.last_number) : null;
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

describe.each(DATABASE_KINDS)('register on %s', (kind) => {
  // PostgreSQL with a pool of 20 connections: 20 filings at a time really run side by side (PGlite serialises them)
  const POOL = 20;
  const state = useDatabase(kind, POOL);

  it('500 filings of one tenant, 20 at a time on a pool of 20, get exactly 1..500, with codes, times in number order and one audit event each', async (t) => {
    if (state.skip) return t.skip();
    const f = await smallTenant(state.db);
    const before = Date.now();
    const results = await inParallel(POOL, range(500).map((n) => () => file(state.db, f, { n })));
    const after = Date.now();

    expect(results.map((r) => r.number).sort((a, b) => a - b)).toEqual(range(500));
    for (const r of results) {
      expect(r.year).toBe(localYear(r.registeredAt, 'Europe/Madrid'));
      expect(r.code).toBe(`E/${r.year}/${String(r.number).padStart(6, '0')}`);
      expect(+r.registeredAt).toBeGreaterThanOrEqual(before - 1000);
      expect(+r.registeredAt).toBeLessThanOrEqual(after + 1000);
    }
    expect(new Set(results.map((r) => r.code)).size).toBe(500);

    const rows = await entries(state.db, f.tenant.id);
    expect(rows.map((r) => r.number)).toEqual(range(500));
    // each filing's data sits under the number it was given
    const byId = new Map(results.map((r) => [r.id, r]));
    for (const row of rows) expect(row.request_sha256).toBe(byId.get(row.id)!.requestSha256);
    // the time is read once it is the filing's turn: times never go down as numbers go up
    for (let i = 1; i < rows.length; i++) expect(rows[i].registered_at_ms).toBeGreaterThanOrEqual(rows[i - 1].registered_at_ms);
    expect(await counter(state.db, f.tenant.id, results[0].year)).toBe(500);

    expect(await verifyAuditChain(state.db, f.tenant.id)).toMatchObject({ ok: true, entries: 500 });
    const audit = await entriesAfter(state.db.db, f.tenant.id, 0, 10_000);
    expect(audit).toHaveLength(500);
    for (const a of audit) {
      const entry = byId.get(a.subjects.registerEntry)!;
      expect(a).toMatchObject({
        event: 'entry_registered',
        actor_kind: 'staff',
        actor_staff_id: f.agents[0].id,
        subjects: { registerEntry: entry.id, procedure: f.procedure.id },
        data: { code: entry.code },
      });
    }
    expect(new Set(audit.map((a) => a.subjects.registerEntry)).size).toBe(500);
  });

  it('filings that roll back after taking a number leave no gap', async (t) => {
    if (state.skip) return t.skip();
    const f = await smallTenant(state.db);
    const at = new Date('2026-05-04T10:00:00Z');
    // one after the other: the failed filing's number goes to the next one
    expect((await file(state.db, f, { at })).code).toBe('E/2026/000001');
    await expect(file(state.db, f, { at, fail: true })).rejects.toThrow('filing failed after registering');
    expect((await file(state.db, f, { at })).code).toBe('E/2026/000002');

    // side by side: every third of 120 filings fails
    const settled = await Promise.allSettled(range(120).map((n) => file(state.db, f, { at, n, fail: n % 3 === 0 })));
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(40);
    const rows = await entries(state.db, f.tenant.id, 2026);
    expect(rows.map((r) => r.number)).toEqual(range(82));
    expect(rows.map((r) => r.code)).toEqual(range(82).map((n) => `E/2026/${String(n).padStart(6, '0')}`));
    expect(await counter(state.db, f.tenant.id, 2026)).toBe(82);
    // no audit event of a rolled-back filing survives
    expect(await verifyAuditChain(state.db, f.tenant.id)).toMatchObject({ ok: true, entries: 82 });
    const audit = await entriesAfter(state.db.db, f.tenant.id, 0, 1000);
    expect(audit.map((a) => a.subjects.registerEntry).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it('filings that log another legal event first do not deadlock with those that do not', async (t) => {
    if (state.skip) return t.skip();
    const f = await smallTenant(state.db);
    const at = new Date('2026-07-01T10:00:00Z');
    const results = await Promise.all(
      range(60).map((n) =>
        state.db.db.transaction(async (tx) => {
          if (n % 2) await appendAudit(tx, { tenantId: f.tenant.id, event: 'consent_given', actor: { kind: 'citizen' }, data: { n } });
          return registerEntry(tx, { tenantId: f.tenant.id, timeZone: f.tenant.timeZone, at, procedureId: f.procedure.id, officialId: f.agents[0].id, requestSha256: hashOf({ n }) });
        }),
      ),
    );
    expect(results.map((r) => r.number).sort((x, y) => x - y)).toEqual(range(60));
    expect(await verifyAuditChain(state.db, f.tenant.id)).toMatchObject({ ok: true, entries: 90 });
    // a transaction's events sit together in the chain: each consent right before its entry
    const audit = await entriesAfter(state.db.db, f.tenant.id, 0, 1000);
    audit.forEach((a, i) => {
      if (a.event === 'consent_given') expect(audit[i + 1].event).toBe('entry_registered');
    });
    expect(audit.filter((a) => a.event === 'consent_given')).toHaveLength(30);
  });

  it('two tenants and two years number independently, even side by side', async (t) => {
    if (state.skip) return t.skip();
    const [a, b] = [await smallTenant(state.db), await smallTenant(state.db)];
    const y2026 = new Date('2026-03-02T09:00:00Z');
    const y2027 = new Date('2027-02-01T09:00:00Z');
    await Promise.all([
      ...range(3).map((n) => file(state.db, a, { n, at: y2026 })),
      ...range(2).map((n) => file(state.db, b, { n, at: y2026 })),
      ...range(4).map((n) => file(state.db, a, { n, at: y2027 })),
    ]);
    expect((await entries(state.db, a.tenant.id, 2026)).map((r) => r.code)).toEqual(['E/2026/000001', 'E/2026/000002', 'E/2026/000003']);
    expect((await entries(state.db, a.tenant.id, 2027)).map((r) => r.code)).toEqual(['E/2027/000001', 'E/2027/000002', 'E/2027/000003', 'E/2027/000004']);
    expect((await entries(state.db, b.tenant.id)).map((r) => r.code)).toEqual(['E/2026/000001', 'E/2026/000002']);
    expect(await counter(state.db, a.tenant.id, 2026)).toBe(3);
    expect(await counter(state.db, a.tenant.id, 2027)).toBe(4);
    expect(await counter(state.db, b.tenant.id, 2026)).toBe(2);
    expect(await counter(state.db, b.tenant.id, 2027)).toBeNull();
    expect(await verifyAuditChain(state.db, a.tenant.id)).toMatchObject({ ok: true, entries: 7 });
    expect(await verifyAuditChain(state.db, b.tenant.id)).toMatchObject({ ok: true, entries: 2 });
    // a tenant reads only its own entries
    const [bFirst] = await entries(state.db, b.tenant.id);
    expect(await findRegisterEntry(state.db.db, a.tenant.id, bFirst.id)).toBeNull();
    expect(await findRegisterEntry(state.db.db, b.tenant.id, bFirst.id)).toMatchObject({ code: 'E/2026/000001', tenantId: b.tenant.id });
  });

  it('the year is the tenant’s local year: 31 Dec 23:30 in Madrid is still that year, 1 Jan 00:10 the next', async (t) => {
    if (state.skip) return t.skip();
    const f = await smallTenant(state.db);
    const lastEvening = await file(state.db, f, { at: new Date('2026-12-31T22:30:00Z') }); // 23:30 CET
    const newYear = await file(state.db, f, { at: new Date('2026-12-31T23:10:00Z') }); // 00:10 CET, still 2026 in UTC
    const later = await file(state.db, f, { at: new Date('2027-01-01T08:00:00Z') });
    expect([lastEvening.code, newYear.code, later.code]).toEqual(['E/2026/000001', 'E/2027/000001', 'E/2027/000002']);
    expect(newYear.registeredAt.toISOString()).toBe('2026-12-31T23:10:00.000Z');
    expect(await counter(state.db, f.tenant.id, 2026)).toBe(1);
    expect(await counter(state.db, f.tenant.id, 2027)).toBe(2);
    // the same instant in the Canaries (UTC+0 in winter) is still 2026
    const canary = await smallTenant(state.db);
    expect((await file(state.db, canary, { at: new Date('2026-12-31T23:10:00Z'), timeZone: 'Atlantic/Canary' })).code).toBe('E/2026/000001');
  });

  it('an entry refers only to its own town hall’s procedure and attention; a refused filing keeps no number', async (t) => {
    if (state.skip) return t.skip();
    const [a, b] = [await smallTenant(state.db), await smallTenant(state.db)];
    const attention = { id: await queueAttention(state.db, a) };
    const at = new Date('2026-06-01T10:00:00Z');
    expect(await refusal(file(state.db, b, { at, procedureId: a.procedure.id }))).toMatch(/register_entries_same_tenant_procedure/);
    expect(await refusal(file(state.db, b, { at, attentionId: attention.id }))).toMatch(/register_entries_same_tenant_attention/);
    expect(await counter(state.db, b.tenant.id, 2026)).toBeNull();
    expect(await verifyAuditChain(state.db, b.tenant.id)).toMatchObject({ ok: true, entries: 0 });

    const filed = await file(state.db, a, { at, attentionId: attention.id });
    expect(filed).toMatchObject({ code: 'E/2026/000001', attentionId: attention.id, procedureId: a.procedure.id, officialId: a.agents[0].id });
    const trail = await entriesOfAttention(state.db.db, a.tenant.id, attention.id);
    expect(trail.map((e) => [e.event, e.subjects.registerEntry, e.data.code])).toEqual([['entry_registered', filed.id, 'E/2026/000001']]);
    expect((await file(state.db, b, { at })).code).toBe('E/2026/000001');
  });

  it('refuses a malformed call before taking a number, naming fields and not values', async (t) => {
    if (state.skip) return t.skip();
    const f = await smallTenant(state.db);
    const base = { tenantId: f.tenant.id, timeZone: 'Europe/Madrid', procedureId: f.procedure.id, officialId: f.agents[0].id, requestSha256: hashOf({}) };
    const attempt = (over: Record<string, unknown>) => state.db.db.transaction((tx) => registerEntry(tx, { ...base, ...over } as typeof base));
    await expect(attempt({ requestSha256: 'ABC' })).rejects.toThrow(/^invalid register entry: requestSha256 /);
    await expect(attempt({ timeZone: 'Mars/Olympus' })).rejects.toThrow(/^invalid register entry: timeZone /);
    await expect(attempt({ attentionId: 'Núria Prats' })).rejects.toThrow(/^invalid register entry: attentionId must be a uuid$/);
    await expect(attempt({ at: new Date(Number.NaN) })).rejects.toThrow(/^invalid register entry: at /);
    expect(await counter(state.db, f.tenant.id, DateTime.now().setZone('Europe/Madrid').year)).toBeNull();
    expect((await attempt({ at: new Date('2026-02-02T10:00:00Z') })).code).toBe('E/2026/000001');
  });

  it('grows past 999999 without cutting digits', async (t) => {
    if (state.skip) return t.skip();
    const f = await smallTenant(state.db);
    await state.db.rows(sql`INSERT INTO register_counters (tenant_id, year, last_number) VALUES (${f.tenant.id}, 2026, 999998)`);
    const at = new Date('2026-09-09T09:00:00Z');
    expect((await file(state.db, f, { at })).code).toBe('E/2026/999999');
    expect((await file(state.db, f, { at })).code).toBe('E/2026/1000000');
    // the database holds the format too
    expect(
      await refusal(
        state.db.rows(sql`INSERT INTO register_entries (tenant_id, year, number, code, registered_at, procedure_id, official_id, request_sha256)
          VALUES (${f.tenant.id}, 2026, 1000001, 'E/2026/000001', now(), ${f.procedure.id}, ${f.agents[0].id}, ${hashOf({})})`),
      ),
    ).toMatch(/register_entries_code_format/);
  });

  it('keeps the register append-only; only deleting the tenant takes its entries and counters', async (t) => {
    if (state.skip) return t.skip();
    const [gone, kept] = [await smallTenant(state.db), await smallTenant(state.db)];
    const at = new Date('2026-04-01T10:00:00Z');
    const attentionId = await queueAttention(state.db, gone);
    for (let n = 1; n <= 3; n++) await file(state.db, gone, { n, at, attentionId: n === 1 ? attentionId : undefined });
    // a filed attention stays: its entry refers to it
    expect(await refusal(state.db.rows(sql`DELETE FROM attentions WHERE tenant_id = ${gone.tenant.id} AND id = ${attentionId}`))).toMatch(/register_entries/);
    await file(state.db, kept, { at });
    const before = await entries(state.db, gone.tenant.id);
    const id = gone.tenant.id;
    expect(await refusal(state.db.rows(sql`UPDATE register_entries SET request_sha256 = ${hashOf('other')} WHERE tenant_id = ${id} AND number = 2`))).toMatch(
      /register_entries is append-only: UPDATE refused/,
    );
    expect(await refusal(state.db.rows(sql`DELETE FROM register_entries WHERE tenant_id = ${id} AND number = 3`))).toMatch(/register_entries is append-only: DELETE refused/);
    // CASCADE: filings refer to the entries, so a plain TRUNCATE stops at the foreign key before the trigger
    expect(await refusal(state.db.rows(sql`TRUNCATE register_entries CASCADE`))).toMatch(/append-only: TRUNCATE refused/);
    // a counter is never reset, never jumps, never removed
    expect(await refusal(state.db.rows(sql`UPDATE register_counters SET last_number = 1 WHERE tenant_id = ${id}`))).toMatch(/only grow by one/);
    expect(await refusal(state.db.rows(sql`UPDATE register_counters SET last_number = last_number + 2 WHERE tenant_id = ${id}`))).toMatch(/only grow by one/);
    expect(await refusal(state.db.rows(sql`DELETE FROM register_counters WHERE tenant_id = ${id}`))).toMatch(/register_counters is append-only: DELETE refused/);
    expect(await entries(state.db, id)).toEqual(before);
    expect(await counter(state.db, id, 2026)).toBe(3);

    await state.db.rows(sql`DELETE FROM tenants WHERE id = ${id}`);
    expect(await entries(state.db, id)).toEqual([]);
    expect(await counter(state.db, id, 2026)).toBeNull();
    expect((await entries(state.db, kept.tenant.id)).map((r) => r.code)).toEqual(['E/2026/000001']);
    expect(await counter(state.db, kept.tenant.id, 2026)).toBe(1);
  });
});
