/**
 * 500 filings across 500 attentions of one town hall, 20 at a time on a pool
 * of 20 (PostgreSQL really runs them side by side; PGlite serialises them),
 * on both databases: register numbers exactly 1..500 with no gap or repeat,
 * each number with its own attention's data, one filing and one seal_receipt
 * job each, and an audit chain that verifies. The whole filing path runs
 * (fileRequest), each attention with its identity check and consent.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { GENERIC_REQUEST_SCHEMA } from '../server/db/demo-seed.js';
import { verifyAuditChain } from '../server/modules/audit/verify-audit-chain.js';
import { fileRequest, formSha256 } from '../server/modules/filing/file-request.js';
import { giveConsent } from '../server/modules/filing/give-consent.js';
import { DATABASE_KINDS } from './support/databases.js';
import { GENERIC_FORM } from './support/filing-fixtures.js';
import { inParallel } from './support/in-parallel.js';
import { smallTenant } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe.each(DATABASE_KINDS)('concurrent filings on %s', (kind) => {
  const POOL = 20;
  const state = useDatabase(kind, POOL);

  it('500 filings across 500 attentions, 20 at a time on a pool of 20, get exactly 1..500 with one filing and one job each', async (t) => {
    if (state.skip) return t.skip();
    const db = state.db;
    const f = await smallTenant(db);
    const tenantId = f.tenant.id;
    await db.rows(sql`UPDATE procedures SET request_schema = ${JSON.stringify(GENERIC_REQUEST_SCHEMA)}::jsonb WHERE tenant_id = ${tenantId} AND id = ${f.procedure.id}`);
    // 500 authorised officials, each attending one citizen whose identity was checked
    const officials = await db.rows<{ id: string }>(sql`
      INSERT INTO staff (tenant_id, email, full_name, password_hash, role, channels)
      SELECT ${tenantId}, 'official' || g || '@prova.example', 'Official ' || g, 'not-a-hash', 'agent', '{video}' FROM generate_series(1, 500) g
      RETURNING id`);
    await db.rows(sql`
      INSERT INTO authorised_officials (tenant_id, staff_id, appointment_act, valid_from)
      SELECT ${tenantId}, id, 'Decret 1/2026', '2020-01-01' FROM staff WHERE tenant_id = ${tenantId} AND email LIKE 'official%'`);
    const attentions = await db.rows<{ id: string; agent_id: string }>(sql`
      INSERT INTO attentions (tenant_id, procedure_id, channel, status, citizen_name, email, language, agent_id, taken_at)
      SELECT ${tenantId}, ${f.procedure.id}, 'video', 'in_progress', 'Citizen', 'citizen@example.com', 'ca', id, now()
        FROM staff WHERE tenant_id = ${tenantId} AND email LIKE 'official%'
      RETURNING id, agent_id`);
    expect(attentions).toHaveLength(500);
    await db.rows(sql`
      INSERT INTO identity_checks (tenant_id, attention_id, full_name, id_kind, id_number, face_confirmed, checked_by)
      SELECT tenant_id, id, 'Citizen', 'dni', '12345678Z', true, agent_id FROM attentions WHERE tenant_id = ${tenantId}`);
    const forms = attentions.map((_, i) => ({ ...GENERIC_FORM, subject: `Sol·licitud ${i + 1}` }));
    await inParallel(POOL, attentions.map((att, i) => () => giveConsent({ database: db, otpKey: async () => Buffer.alloc(32, 1) }, { tenant: f.tenant, attentionId: att.id, formData: forms[i] })));

    const started = Date.now();
    const results = await inParallel(
      POOL,
      attentions.map((att, i) => () => fileRequest({ database: db }, { tenant: f.tenant, attentionId: att.id, official: { id: att.agent_id, role: 'agent' }, formData: forms[i] })),
    );
    console.info(`[${kind}] 500 filings in ${Date.now() - started} ms`);
    const numbers = results.map((r) => Number(r.registerCode.split('/')[2])).sort((x, y) => x - y);
    expect(numbers).toEqual(range(500));
    expect(new Set(results.map((r) => r.filingId)).size).toBe(500);
    expect(new Set(results.map((r) => r.csv)).size).toBe(500);
    const entries = await db.rows<{ number: number; attention_id: string; request_sha256: string }>(sql`
      SELECT number, attention_id, request_sha256 FROM register_entries WHERE tenant_id = ${tenantId} ORDER BY number`);
    expect(entries.map((e) => Number(e.number))).toEqual(range(500));
    // each number sits with its own attention's data
    const byAttention = new Map(attentions.map((att, i) => [att.id, formSha256(forms[i])]));
    for (const e of entries) expect(e.request_sha256).toBe(byAttention.get(e.attention_id));
    const [counts] = await db.rows<{ filings: number; jobs: number }>(sql`
      SELECT (SELECT count(*)::int FROM filings WHERE tenant_id = ${tenantId}) AS filings,
             (SELECT count(DISTINCT payload->>'filingId')::int FROM jobs WHERE tenant_id = ${tenantId} AND type = 'seal_receipt') AS jobs`);
    expect(counts).toEqual({ filings: 500, jobs: 500 });
    expect(await verifyAuditChain(db, tenantId)).toMatchObject({ ok: true, entries: 1000 });
    const events = await db.rows<{ event: string; n: number }>(sql`
      SELECT event, count(*)::int AS n FROM audit_log WHERE tenant_id = ${tenantId} GROUP BY event ORDER BY event`);
    expect(events).toEqual([{ event: 'consent_given', n: 500 }, { event: 'entry_registered', n: 500 }]);
    expect(officials).toHaveLength(500);
  }, 240_000);
});
