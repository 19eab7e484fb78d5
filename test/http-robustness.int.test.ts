import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from './support/databases.js';
import { api, smallTenant, startTestServer, type TestServer } from './support/test-server.js';

/** Malformed input never produces a 5xx; health, readiness and OpenAPI answer. (PGlite: the HTTP layer is the same on both.) */
describe('HTTP robustness', () => {
  let db: TestDatabase;
  let server: TestServer;
  let slug: string;
  let token: string;
  beforeAll(async () => {
    db = await freshDatabase('pglite');
    server = await startTestServer(db);
    const { tenant } = await smallTenant(db, { agents: 3 });
    slug = tenant.slug;
    const slots = (await api(server.base, 'GET', `/api/v1/tenants/${slug}/procedures/tramit/slots?channel=video&days=5`)).json;
    const booked = await api(server.base, 'POST', `/api/v1/tenants/${slug}/appointments`, {
      procedure: 'tramit', channel: 'video', start: slots[0].start, name: 'Test Person', email: 't@example.com', language: 'en', privacyAccepted: true,
    });
    token = booked.json.manageUrl.split('/manage/')[1];
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('answers health, readiness and a complete OpenAPI 3.1 document', async () => {
    expect((await api(server.base, 'GET', '/health/live')).json).toEqual({ status: 'ok' });
    expect((await api(server.base, 'GET', '/health/ready')).json).toEqual({ status: 'ready', database: 'pglite' });
    const doc = (await api(server.base, 'GET', '/api/openapi.json')).json;
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/api/v1/tenants/{slug}/appointments', '/api/v1/tenants/{slug}/procedures/{code}/slots', '/api/v1/tenants/{slug}/agenda', '/api/v1/tenants/{slug}/admin/procedures']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(doc.paths['/api/v1/tenants/{slug}/appointments'].post.requestBody.content['application/json'].schema.properties.channel.enum).toContain('callback');
  });

  it('maps transport-level problems to codes', async () => {
    const url = `/api/v1/tenants/${slug}/appointments`;
    expect((await api(server.base, 'POST', url, '{"unterminated')).json.code).toBe('malformed_body');
    expect((await api(server.base, 'POST', url, 'x'.repeat(70_000), { 'content-type': 'application/json' })).json.code).toBe('payload_too_large');
    expect((await api(server.base, 'POST', url, 'a=b', { 'content-type': 'application/xml' })).json.code).toBe('unsupported_media_type');
    expect((await api(server.base, 'GET', '/api/v1/nothing-here')).json.code).toBe('not_found');
    const fr = await api(server.base, 'POST', url, {}, { 'accept-language': 'ca' });
    expect(fr.json).toMatchObject({ code: 'validation_failed', message: 'Algunes dades no són vàlides.' });
  });

  it('never answers 5xx to random and malformed bodies (fast-check)', async () => {
    const valid = {
      procedure: fc.constantFrom('tramit', 'nope', '', '../x', 'TRAMIT'),
      channel: fc.constantFrom('video', 'phone', 'callback', 'in_person', 'fax', ''),
      start: fc.oneof(fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()), fc.string(), fc.constant('2026-13-45T99:99:99Z')),
      asap: fc.boolean(),
      name: fc.string({ maxLength: 200, unit: 'binary' }),
      email: fc.oneof(fc.emailAddress(), fc.string()),
      phone: fc.oneof(fc.string(), fc.constant('+34612345678')),
      taxId: fc.string({ maxLength: 30 }),
      language: fc.constantFrom('ca', 'es', 'en', 'fr', ''),
      privacyAccepted: fc.oneof(fc.boolean(), fc.string()),
      accessibility: fc.anything(),
      idempotencyKey: fc.oneof(fc.uuid(), fc.string()),
    };
    const bodies = fc.oneof(
      fc.record(valid, { requiredKeys: [] }),
      fc.anything(),
      fc.json(),
      fc.string(),
    );
    const paths = fc.constantFrom(
      `/api/v1/tenants/${slug}/appointments`,
      `/api/v1/tenants/${slug}/appointments/manage/${token}/reschedule`,
      `/api/v1/tenants/${slug}/appointments/manage/${'x'.repeat(30)}/cancel`,
      `/${slug}/book/tramit/details`,
      `/${slug}/join`,
      `/${slug}/manage/${token}/reschedule`,
    );
    // String() throws on objects such as {toString: false}, which fast-check generates: such a value is sent as JSON text
    const asText = (v: unknown) => (v !== null && typeof v === 'object' ? (JSON.stringify(v) ?? '') : String(v));
    await fc.assert(
      fc.asyncProperty(paths, bodies, fc.boolean(), async (path, body, asForm) => {
        const isString = typeof body === 'string';
        const payload = asForm
          ? new URLSearchParams(Object.entries(typeof body === 'object' && body ? body : { v: asText(body) }).map(([k, v]) => [k, asText(v)])).toString()
          : isString
            ? body
            : JSON.stringify(body) ?? 'null';
        const r = await api(server.base, 'POST', path, payload, {
          'content-type': asForm ? 'application/x-www-form-urlencoded' : 'application/json',
        });
        if (r.status >= 500) throw new Error(`${r.status} for ${path}: ${payload.slice(0, 300)} → ${r.text.slice(0, 300)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses text the database cannot store (NUL bytes) as bad input, not a 500', async () => {
    const slots = (await api(server.base, 'GET', `/api/v1/tenants/${slug}/procedures/tramit/slots?channel=video&days=5`)).json;
    const body = { procedure: 'tramit', channel: 'video', start: slots[1].start, name: 'Ana\u0000Nul', email: 'n@example.com', language: 'en', privacyAccepted: true };
    const r = await api(server.base, 'POST', `/api/v1/tenants/${slug}/appointments`, body);
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('validation_failed');
    const login = await api(server.base, 'POST', `/api/v1/tenants/${slug}/auth/login`, { email: 'a\u0000@b.example', password: 'x' });
    expect(login.status).toBeLessThan(500);
  });

  it('never answers 5xx to random query strings on the slot and page routes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('channel', 'day', 'from', 'days', 'start', 'lang', 'ref'), fc.string()), fc.constantFrom(
        `/api/v1/tenants/${slug}/procedures/tramit/slots`,
        `/${slug}/book/tramit/slots`,
        `/${slug}/book/tramit/details`,
        `/${slug}/join`,
        `/${slug}`,
      ), async (query, path) => {
        const r = await api(server.base, 'GET', `${path}?${new URLSearchParams(query)}`);
        if (r.status >= 500) throw new Error(`${r.status} for ${path}?${new URLSearchParams(query)} → ${r.text.slice(0, 300)}`);
      }),
      { numRuns: 200 },
    );
  });

  it('limits bookings per IP with a translated rate_limited answer', async () => {
    const limited = await startTestServer(db, { RATE_LIMIT_BOOKING_PER_MINUTE: '3' });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) {
        const r = await api(limited.base, 'POST', `/api/v1/tenants/${slug}/appointments`, {}, { 'accept-language': 'es' });
        statuses.push(r.status);
        if (r.status === 429) expect(r.json).toMatchObject({ code: 'rate_limited', message: 'Demasiados intentos. Espere un minuto y vuelva a intentarlo.' });
      }
      expect(statuses).toEqual([400, 400, 400, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});
