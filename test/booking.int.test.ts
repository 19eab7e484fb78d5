import { DateTime } from 'luxon';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgErrorCode } from '../server/db/client.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { useDatabase } from './support/use-database.js';
import { api, bookingBody, smallTenant, startTestServer, type TestServer } from './support/test-server.js';

describe.each(DATABASE_KINDS)('booking on %s', (kind) => {
  const state = useDatabase(kind, 40);
  let db: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    server = await startTestServer(db);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function freeSlots(slug: string, days = 10, channel = 'video') {
    const r = await api(server.base, 'GET', `/api/v1/tenants/${slug}/procedures/tramit/slots?channel=${channel}&days=${days}`);
    expect(r.status).toBe(200);
    return r.json as Array<{ start: string; capacity: number; day: string; time: string }>;
  }

  it('books a slot, queues the confirmation email and lowers capacity', async (t) => {
    if (state.skip) return t.skip();
    const { tenant } = await smallTenant(db, { agents: 2 });
    const slots = await freeSlots(tenant.slug);
    const slot = slots[2];
    expect(slot.capacity).toBe(2);
    const r = await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(slot.start, { taxId: '12345678z', phone: '612 345 678' }));
    expect(r.status).toBe(201);
    expect(r.json.reference).toMatch(/^[A-Z0-9]{3}-[A-Z0-9]{3}$/);
    expect(r.json.accessCode).toMatch(/^\d{8}$/);
    expect(r.json.manageUrl).toContain(`/${tenant.slug}/manage/`);
    const after = (await freeSlots(tenant.slug)).find((s) => s.start === slot.start);
    expect(after?.capacity).toBe(1);
    const rows = await db.rows<{ phone: string; tax_id: string; n: number }>(sql`
      SELECT a.phone, a.tax_id, (SELECT count(*)::int FROM jobs j WHERE j.tenant_id = a.tenant_id AND j.type = 'email') AS n
        FROM appointments a WHERE a.tenant_id = ${tenant.id}`);
    expect(rows).toEqual([{ phone: '+34612345678', tax_id: '12345678Z', n: 1 }]);
  });

  it('refuses a full slot with slot_taken and offers the next free slots', async (t) => {
    if (state.skip) return t.skip();
    const { tenant } = await smallTenant(db, { agents: 1 });
    const [slot] = await freeSlots(tenant.slug);
    expect((await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(slot.start))).status).toBe(201);
    const again = await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(slot.start), { 'accept-language': 'es' });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('slot_taken');
    expect(again.json.message).toBe('Lo sentimos, alguien acaba de reservar esta hora.');
    expect(again.json.details.nextSlots.length).toBeGreaterThan(0);
    expect(again.json.details.nextSlots).not.toContain(slot.start);
  });

  it('lets exactly one of 200 concurrent requests take the last place', async (t) => {
    if (state.skip) return t.skip();
    const { tenant } = await smallTenant(db, { agents: 1 });
    const [slot] = await freeSlots(tenant.slug);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(slot.start, { email: `c${i}@example.com` })),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(199);
    expect(new Set(results.filter((r) => r.status === 409).map((r) => r.json.code))).toEqual(new Set(['slot_taken']));
    const [{ n }] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM appointments WHERE tenant_id = ${tenant.id} AND status = 'booked'`);
    expect(n).toBe(1);
  });

  it('never lets one agent hold overlapping appointments, even written directly', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, procedure, agents } = await smallTenant(db, { agents: 1 });
    const start = DateTime.now().plus({ days: 3 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 }).toUTC().toISO()!;
    const insert = (id: string, ref: string, startIso: string) => sql`
      INSERT INTO appointments (id, tenant_id, reference, procedure_id, channel, kind, starts_at, ends_at, blocked_until, agent_id,
        citizen_name, email, language, accessibility, privacy_accepted_at, access_code_hash, manage_token_hash)
      VALUES (${id}, ${tenant.id}, ${ref}, ${procedure.id}, 'video', 'slot', ${startIso}::timestamptz, ${startIso}::timestamptz + interval '30 minutes',
        ${startIso}::timestamptz + interval '30 minutes', ${agents[0].id}, 'X', 'x@example.com', 'ca', '{"needs":[]}', now(), 'h', ${ref})`;
    await db.rows(insert(crypto.randomUUID(), 'AAA-AAA', start));
    const overlap = await db.rows(insert(crypto.randomUUID(), 'AAA-AAC', DateTime.fromISO(start).plus({ minutes: 15 }).toISO()!)).catch((e) => e);
    expect(pgErrorCode(overlap)).toBe('23P01');
    // adjacent (half-open ranges) is fine
    await db.rows(insert(crypto.randomUUID(), 'AAA-AAD', DateTime.fromISO(start).plus({ minutes: 30 }).toUTC().toISO()!));
  });

  it('replays a repeated submission with the same idempotency key', async (t) => {
    if (state.skip) return t.skip();
    const { tenant } = await smallTenant(db, { agents: 2 });
    const [slot] = await freeSlots(tenant.slug);
    const key = crypto.randomUUID();
    const first = await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(slot.start, { idempotencyKey: key }));
    const second = await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(slot.start, { idempotencyKey: key }));
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.json.reference).toBe(first.json.reference);
    expect(second.json.accessCode).toBeNull();
  });

  it('books a call-me-back as soon as possible without a slot', async (t) => {
    if (state.skip) return t.skip();
    const { tenant } = await smallTenant(db);
    const r = await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody('', { start: undefined, asap: true, channel: 'callback', email: undefined, phone: '+34 612 345 678' }));
    expect(r.status).toBe(201);
    expect(r.json.kind).toBe('asap');
    expect(r.json.start).toBeNull();
    const video = await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody('', { start: undefined, asap: true }));
    expect(video.json.code).toBe('slot_invalid');
  });

  it('refuses past, too-soon, out-of-hours, holiday and beyond-horizon slots with their own codes', async (t) => {
    if (state.skip) return t.skip();
    const zone = 'Europe/Madrid';
    const nextMonday = DateTime.now().setZone(zone).plus({ weeks: 1 }).startOf('week');
    const holiday = nextMonday.plus({ days: 1 });
    const { tenant } = await smallTenant(db, { holidays: [holiday.toISODate()!] });
    const at = (d: DateTime) => d.toUTC().toISO()!;
    const cases: Array<[string, string]> = [
      [at(DateTime.now().minus({ days: 1 }).set({ minute: 0, second: 0, millisecond: 0 })), 'slot_in_past'],
      [at(nextMonday.set({ hour: 21 })), 'slot_out_of_hours'],
      [at(nextMonday.plus({ days: 5 }).set({ hour: 10 })), 'slot_out_of_hours'],
      [at(holiday.set({ hour: 10 })), 'slot_holiday'],
      [at(nextMonday.plus({ days: 60 }).set({ hour: 10 })), 'slot_beyond_horizon'],
      [at(nextMonday.set({ hour: 10, minute: 7 })), 'slot_invalid'],
    ];
    for (const [start, code] of cases) {
      const r = await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(start));
      expect({ start, code: r.json.code, status: r.status }).toEqual({ start, code, status: 422 });
    }
    const soon = (await freeSlots(tenant.slug, 30)).length; // nothing inside minimum notice is offered
    expect(soon).toBeGreaterThan(0);
  });

  it('validates contact data with clear codes', async (t) => {
    if (state.skip) return t.skip();
    const { tenant } = await smallTenant(db, { agents: 1 });
    const [slot] = await freeSlots(tenant.slug);
    const post = (over: Record<string, unknown>) => api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(slot.start, over));
    expect((await post({ email: undefined })).json.code).toBe('contact_required');
    expect((await post({ channel: 'phone' })).json.code).toBe('phone_required');
    expect((await post({ privacyAccepted: false })).json.code).toBe('privacy_not_accepted');
    expect((await post({ taxId: '12345678A' })).json.code).toBe('invalid_tax_id');
    expect((await post({ phone: '12' })).json.code).toBe('validation_failed');
    expect((await post({ email: 'not-an-email' })).json.code).toBe('validation_failed');
    expect((await post({ channel: 'in_person' })).json.code).toBe('channel_not_offered');
    expect((await post({ procedure: 'nope' })).json.code).toBe('procedure_not_found');
  });

  it('cancels and reschedules from the manage link, freeing slots at once', async (t) => {
    if (state.skip) return t.skip();
    const { tenant } = await smallTenant(db, { agents: 1 });
    const slots = await freeSlots(tenant.slug);
    const booked = await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(slots[0].start));
    const token = booked.json.manageUrl.split('/manage/')[1];
    const manage = `/api/v1/tenants/${tenant.slug}/appointments/manage/${token}`;
    const moved = await api(server.base, 'POST', `${manage}/reschedule`, { start: slots[5].start });
    expect(moved.status).toBe(200);
    expect(moved.json.start).toBe(slots[5].start);
    expect(moved.json.accessCode).not.toBe(booked.json.accessCode);
    const free = await freeSlots(tenant.slug);
    expect(free.map((s) => s.start)).toContain(slots[0].start);
    expect(free.map((s) => s.start)).not.toContain(slots[5].start);
    const cancelled = await api(server.base, 'POST', `${manage}/cancel`);
    expect(cancelled.json.status).toBe('cancelled');
    expect((await freeSlots(tenant.slug)).map((s) => s.start)).toContain(slots[5].start);
    expect((await api(server.base, 'POST', `${manage}/cancel`)).json.code).toBe('appointment_not_active');
    const [{ n }] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM jobs WHERE tenant_id = ${tenant.id}`);
    expect(n).toBe(3); // confirmed, rescheduled, cancelled
  });

  it('refuses changes after the cut-off', async (t) => {
    if (state.skip) return t.skip();
    const { tenant } = await smallTenant(db, { agents: 1, cutoffMinutes: 10_080 });
    const [slot] = await freeSlots(tenant.slug);
    const booked = await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments`, bookingBody(slot.start));
    const token = booked.json.manageUrl.split('/manage/')[1];
    const r = await api(server.base, 'POST', `/api/v1/tenants/${tenant.slug}/appointments/manage/${token}/cancel`);
    expect(r.status).toBe(409);
    expect(r.json.code).toBe('cutoff_passed');
  });

  it("keeps tenants apart: another town hall's data answers 404", async (t) => {
    if (state.skip) return t.skip();
    const a = await smallTenant(db);
    const b = await smallTenant(db);
    const [slot] = await freeSlots(a.tenant.slug);
    const booked = await api(server.base, 'POST', `/api/v1/tenants/${a.tenant.slug}/appointments`, bookingBody(slot.start));
    const token = booked.json.manageUrl.split('/manage/')[1];
    expect((await api(server.base, 'GET', `/api/v1/tenants/${b.tenant.slug}/appointments/manage/${token}`)).status).toBe(404);
    expect((await api(server.base, 'POST', `/api/v1/tenants/${b.tenant.slug}/appointments/manage/${token}/cancel`)).status).toBe(404);
    expect((await api(server.base, 'GET', `/api/v1/tenants/${a.tenant.slug}/appointments/manage/${token}`)).status).toBe(200);
    expect((await api(server.base, 'GET', `/api/v1/tenants/nowhere/procedures`)).json.code).toBe('tenant_not_found');
    // b's only agent is free at a's booked time
    expect((await freeSlots(b.tenant.slug)).find((s) => s.start === slot.start)?.capacity).toBe(1);
  });
});
