import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config/config.js';
import { ALL_AGENTS, ALL_PROCEDURES } from '../server/db/schema.js';
import { firstFreeSampler, sampleFirstFreePass, sampleTenantFirstFree } from '../server/jobs/first-free-sampler.js';
import { saveProcedure } from '../server/modules/catalogue/save-procedure.js';
import { sumCounters } from './support/rollups.js';
import { CalendarCache } from '../server/modules/scheduling/calendar-cache.js';
import { findTenantById } from '../server/modules/tenants/tenants.repository.js';
import { insertAppointment } from './support/appointments.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { smallTenant } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

const ZONE = 'Europe/Madrid';
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();
const names = { ca: 'Tràmit', es: 'Trámite', en: 'Procedure' };
const help = { ca: 'Ajuda', es: 'Ayuda', en: 'Help' };

describe.each(DATABASE_KINDS)('time to the first free appointment on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  const deps = () => ({ database: db, calendars: new CalendarCache(db) });

  /** The day rows (every agent) of a tenant, each procedure's or the all-procedures ones: `procedureId|channel` → counters. */
  async function dayCounters(tenantId: string, day: string, o: { allProcedures?: boolean } = {}) {
    const rows = await db.rows<{ procedure_id: string; channel: string; counts: Record<string, number> }>(sql`
      SELECT procedure_id, channel, counts FROM indicator_rollups
      WHERE tenant_id = ${tenantId} AND grain = 'day' AND agent_key = ${ALL_AGENTS} AND period_start = ${day}::date
        AND (procedure_id = ${ALL_PROCEDURES}) = ${o.allProcedures ?? false}`);
    return Object.fromEntries(rows.map((r) => [`${r.procedure_id}|${r.channel}`, r.counts]));
  }

  /**
   * A town hall open Mon–Fri 08–20 with one agent, the procedure `tramit`
   * (30 min, 60 min notice, 30 days ahead, video/call-back/phone), a procedure
   * bookable only 1 day ahead, a video-and-in-person one, and an inactive one.
   */
  async function town(holidays: string[] = []) {
    const t = await smallTenant(db, { holidays });
    const procedure = (code: string, channels: Array<'video' | 'phone' | 'callback' | 'in_person'>, horizonDays: number) =>
      saveProcedure({ db: db.db, tenant: t.tenant, input: { code, name: names, help, channels, durationMinutes: 30, bufferMinutes: 0, minNoticeMinutes: 60, horizonDays, documents: [] } });
    const short = await procedure('short', ['phone', 'callback'], 1);
    const mixed = await procedure('mixed', ['video', 'in_person'], 30);
    const inactive = await procedure('inactive', ['video'], 30);
    await db.rows(sql`UPDATE procedures SET active = false WHERE tenant_id = ${t.tenant.id} AND id = ${inactive.id}`);
    return { ...t, short, mixed, inactive };
  }

  it('counts the working days to the first free slot, in the tenant zone, skipping weekends and holidays', async (t) => {
    if (state.skip) return t.skip();
    db = state.db;
    // Saturday 11 January 2031, 00:30 in Madrid (still Friday in UTC); Monday 13 is a holiday
    const a = await town(['2031-01-13']);
    const now = local('2031-01-11T00:30');
    expect(await sampleTenantFirstFree(deps(), a.tenant, now)).toBe(6);
    const p = a.procedure.id;
    // counted on the local day of the sample, never the UTC one
    expect(await dayCounters(a.tenant.id, '2031-01-10')).toEqual({});
    expect(await dayCounters(a.tenant.id, '2031-01-11')).toEqual({
      // Sunday closed, Monday a holiday: Tuesday 08:00 is 1 working day away
      [`${p}|video`]: { ffn: 1, 'ffd:1': 1 },
      [`${p}|phone`]: { ffn: 1, 'ffd:1': 1 },
      [`${p}|callback`]: { ffn: 1, 'ffd:1': 1 },
      // bookable only until Sunday 00:30: nothing free
      [`${a.short.id}|phone`]: { ffn: 1, 'ffd:none': 1 },
      [`${a.short.id}|callback`]: { ffn: 1, 'ffd:none': 1 },
      // video sampled, in person not; the inactive procedure not at all
      [`${a.mixed.id}|video`]: { ffn: 1, 'ffd:1': 1 },
    });
    // the all-procedures rows add them up per channel
    expect(await dayCounters(a.tenant.id, '2031-01-11', { allProcedures: true })).toEqual({
      [`${ALL_PROCEDURES}|video`]: { ffn: 2, 'ffd:1': 2 },
      [`${ALL_PROCEDURES}|phone`]: { ffn: 2, 'ffd:1': 1, 'ffd:none': 1 },
      [`${ALL_PROCEDURES}|callback`]: { ffn: 2, 'ffd:1': 1, 'ffd:none': 1 },
    });
    // the read path sees them as well (the month row)
    const month = await sumCounters(db, a.tenant.id, { from: '2031-01-01', to: '2031-01-31' });
    expect(month.find((r) => r.procedureId === p && r.channel === 'callback')?.counts).toEqual({ ffn: 1, 'ffd:1': 1 });
  });

  it('sees bookings: a fully booked day moves the first free slot to the next working day', async (t) => {
    if (state.skip) return t.skip();
    db = state.db;
    const b = await town();
    const tuesday = local('2031-01-14T09:00');
    // a slot later today is 0 working days
    await sampleTenantFirstFree(deps(), b.tenant, tuesday);
    expect((await dayCounters(b.tenant.id, '2031-01-14'))[`${b.procedure.id}|video`]).toEqual({ ffn: 1, 'ffd:0': 1 });
    // the only agent is booked from 10:00 to 20:00 on Wednesday: a sample on Wednesday at 09:00 finds Thursday
    await insertAppointment(db, { tenantId: b.tenant.id, procedureId: b.procedure.id, channel: 'video', startsAt: new Date(local('2031-01-15T10:00')), agentId: b.agents[0].id, durationMinutes: 600 });
    await sampleTenantFirstFree(deps(), b.tenant, local('2031-01-15T09:00'));
    const wednesday = await dayCounters(b.tenant.id, '2031-01-15');
    expect(wednesday[`${b.procedure.id}|video`]).toEqual({ ffn: 1, 'ffd:1': 1 });
    expect(wednesday[`${b.mixed.id}|video`]).toEqual({ ffn: 1, 'ffd:1': 1 });
    // the short procedure (same agent) is bookable until Thursday 09:00: Thursday 08:00 still counts
    expect(wednesday[`${b.short.id}|phone`]).toEqual({ ffn: 1, 'ffd:1': 1 });
  });

  it('samples each tenant once per hour, however many passes run', async (t) => {
    if (state.skip) return t.skip();
    db = state.db;
    const c = await town();
    const now = local('2031-02-04T11:10');
    // two processes at once: each with its own calendar cache
    const [one, two] = await Promise.all([sampleFirstFreePass(deps(), now), sampleFirstFreePass(deps(), now)]);
    expect(one.samples + two.samples).toBeGreaterThanOrEqual(6);
    expect(one.tenants + two.tenants).toBe((await db.rows(sql`SELECT id FROM tenants`)).length);
    const key = `${c.procedure.id}|video`;
    expect((await dayCounters(c.tenant.id, '2031-02-04'))[key]).toEqual({ ffn: 1, 'ffd:0': 1 });
    const runs = await db.rows<{ hour: string }>(sql`SELECT hour::text AS hour FROM availability_sample_runs WHERE tenant_id = ${c.tenant.id}`);
    expect(runs).toHaveLength(1);
    expect(new Date(runs[0].hour).toISOString()).toBe('2031-02-04T10:00:00.000Z');
    // later in the same UTC hour: nothing more
    expect(await sampleTenantFirstFree(deps(), c.tenant, now + 40 * 60_000)).toBe(0);
    expect((await dayCounters(c.tenant.id, '2031-02-04'))[key]).toEqual({ ffn: 1, 'ffd:0': 1 });
    // the next hour samples again
    expect(await sampleTenantFirstFree(deps(), c.tenant, now + 60 * 60_000)).toBe(6);
    expect((await dayCounters(c.tenant.id, '2031-02-04'))[key]).toEqual({ ffn: 2, 'ffd:0': 2 });
  });

  it('runs by itself every interval in a running server', async (t) => {
    if (state.skip) return t.skip();
    db = state.db;
    const d = await town();
    const config = loadConfig({ DATA_DIR: '/tmp', DEMO_SEED: 'false', LOG_LEVEL: 'silent' });
    const task = firstFreeSampler({ database: db, config, logger: pino({ level: 'silent' }) }, 50).start();
    try {
      const until = Date.now() + 20_000;
      let runs: unknown[] = [];
      while (runs.length === 0 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        runs = await db.rows(sql`SELECT 1 FROM availability_sample_runs WHERE tenant_id = ${d.tenant.id}`);
      }
      expect(runs).toHaveLength(1);
    } finally {
      await task.stop();
    }
    const [row] = await db.rows<{ n: string }>(sql`
      SELECT sum((counts ->> 'ffn')::int)::text AS n FROM indicator_rollups
      WHERE tenant_id = ${d.tenant.id} AND grain = 'day' AND agent_key = ${ALL_AGENTS} AND procedure_id <> ${ALL_PROCEDURES}`);
    // tramit ×3 channels, short ×2, mixed ×1 (video), sampled once in this hour (unless the hour turned meanwhile)
    expect([6, 12]).toContain(Number(row.n));
    expect(await findTenantById(db.db, d.tenant.id)).toBeDefined();
  });
});
