/**
 * The catalogue's two formal-procedure fields on both databases: the request
 * form (a JSON Schema in the supported subset) and the retention days, through
 * the admin API and the admin page; a bad schema is a field error in the
 * admin's language naming where it goes wrong.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERIC_REQUEST_SCHEMA } from '../server/db/demo-seed.js';
import { withFieldOrder } from '../server/modules/filing/request-schema.js';
import { findProcedureByCode } from '../server/modules/catalogue/catalogue.repository.js';
import { procedureToForm } from '../server/modules/catalogue/procedure-form.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { getPage, postForm } from './support/pages.js';
import { api, apiSession, seedTenant, startTestServer, type TestServer } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

const PASSWORD = 'correct horse battery staple';

describe.each(DATABASE_KINDS)('catalogue request forms on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    server = await startTestServer(db, { LIVE_SWEEP_SECONDS: '3600' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('the API shows, checks and saves the request form and the retention days', async (t) => {
    if (state.skip) return t.skip();
    const seed = await seedTenant(db);
    const slug = seed.tenant.slug;
    const admin = await apiSession(server.base, slug, `admin@${slug}.example`, PASSWORD);
    const list = await api(server.base, 'GET', `/api/v1/tenants/${slug}/admin/procedures`, undefined, admin);
    expect(list.status).toBe(200);
    const generic = list.json.find((p: { code: string }) => p.code === 'instancia-generica');
    expect(generic).toMatchObject({ requestSchema: withFieldOrder(GENERIC_REQUEST_SCHEMA), retentionDays: 7, channels: ['video'] });
    expect(list.json.filter((p: { requestSchema: unknown }) => p.requestSchema === null)).toHaveLength(8);
    // the public catalogue is unchanged
    const publicOne = await api(server.base, 'GET', `/api/v1/tenants/${slug}/procedures/instancia-generica`);
    expect(publicOne.status).toBe(200);

    const { id, ...body } = generic;
    const put = (over: Record<string, unknown>) => api(server.base, 'PUT', `/api/v1/tenants/${slug}/admin/procedures/${id}`, { ...body, ...over }, admin);
    const bad = await put({ requestSchema: { type: 'object', properties: { amount: { type: 'money' } } } });
    expect(bad.status).toBe(422);
    expect(bad.json.code).toBe('request_schema_invalid');
    expect(bad.json.details).toMatchObject({ path: 'properties.amount.type', code: 'type_invalid', fields: [{ path: 'requestSchema', code: 'type_invalid' }] });
    const unknownKeyword = await put({ requestSchema: { type: 'object', properties: {}, allOf: [] } });
    expect(unknownKeyword.json.details).toMatchObject({ path: 'allOf', code: 'keyword_unknown' });
    for (const retentionDays of [-1, 3651, 1.5, '7']) expect((await put({ retentionDays })).status).toBe(400);
    expect((await put({ requestSchema: [] })).status).toBe(400);
    expect((await put({ requestSchema: 'x' })).status).toBe(400);
    const [unchanged] = await db.rows<{ retention_days: number; request_schema: unknown }>(sql`SELECT retention_days, request_schema FROM procedures WHERE id = ${id}`);
    expect(unchanged).toEqual({ retention_days: 7, request_schema: withFieldOrder(GENERIC_REQUEST_SCHEMA) });

    const schema = { type: 'object', properties: { reason: { type: 'string', 'x-title': { ca: 'Motiu' }, maxLength: 500 } }, required: ['reason'] };
    const ok = await put({ requestSchema: schema, retentionDays: 30 });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ requestSchema: schema, retentionDays: 30 });
    const none = await put({ requestSchema: null, retentionDays: 0 });
    expect(none.json).toMatchObject({ requestSchema: null, retentionDays: 0 });
    // a new procedure without the fields: no form, 7 days
    const created = await api(server.base, 'POST', `/api/v1/tenants/${slug}/admin/procedures`, {
      code: 'nou-tramit', name: { ca: 'Nou', es: 'Nuevo', en: 'New' }, help: {}, channels: ['video'], durationMinutes: 15,
    }, admin);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ requestSchema: null, retentionDays: 7 });
  });

  it('the admin page edits both fields and explains a bad schema in the admin’s language, keeping what was typed', async (t) => {
    if (state.skip) return t.skip();
    const seed = await seedTenant(db);
    const slug = seed.tenant.slug;
    const login = await fetch(`${server.base}/${slug}/staff/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: `admin@${slug}.example`, password: PASSWORD }),
      redirect: 'manual',
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const procedure = (await findProcedureByCode(db.db, seed.tenant.id, 'instancia-generica'))!;
    const path = `/${slug}/staff/procedures/${procedure.id}`;
    const page = await getPage(server.base, `${path}?lang=ca`, { cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Formulari de sol·licitud (JSON Schema)');
    expect(page.text).toContain('Dies que es conserven les proves després del lliurament');
    expect(page.text).toContain('&quot;applicantRole&quot;');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];

    const values = procedureToForm(procedure, seed.tenant.languages);
    const fields = (over: Record<string, string>): Array<[string, string]> => {
      const all: Array<[string, string]> = [['_csrf', csrf]];
      for (const [k, v] of Object.entries({ ...values, ...over })) {
        for (const one of Array.isArray(v) ? v : [v ?? '']) all.push([k, one]);
      }
      return all;
    };
    const notJson = await postForm(server.base, `${path}?lang=ca`, fields({ requestSchema: '{"type": "object", ' }), { cookie });
    expect(notJson.status).toBe(422);
    expect(notJson.text).toContain('El formulari de sol·licitud no és vàlid: no és JSON vàlid.');
    expect(notJson.text).toContain('{&quot;type&quot;: &quot;object&quot;, ');
    expect(notJson.text).toMatch(/id="f-requestSchema"[^>]*aria-invalid="true"/);

    const badType = await postForm(server.base, `${path}?lang=ca`, fields({ requestSchema: JSON.stringify({ type: 'object', properties: { x: { type: 'date' } } }) }), { cookie });
    expect(badType.status).toBe(422);
    expect(badType.text).toContain('El formulari de sol·licitud no és vàlid a «properties.x.type»: el tipus ha de ser string, number, integer o boolean.');
    const inEnglish = await postForm(server.base, `${path}?lang=en`, fields({ requestSchema: JSON.stringify({ type: 'object', properties: { x: { type: 'string', format: 'uri' } } }) }), { cookie });
    expect(inEnglish.text).toContain('The request form is not valid at “properties.x.format”: the format can only be date or email.');
    const badDays = await postForm(server.base, `${path}?lang=ca`, fields({ retentionDays: '9999' }), { cookie });
    expect(badDays.status).toBe(400);
    expect(badDays.text).toMatch(/id="f-retentionDays"[^>]*aria-invalid="true"/);

    const saved = await postForm(server.base, `${path}?lang=ca`, fields({ retentionDays: '15', requestSchema: JSON.stringify({ type: 'object', properties: { note: { type: 'string', multiline: true } } }) }), { cookie });
    expect(saved.status).toBe(303);
    const [row] = await db.rows<{ retention_days: number; request_schema: unknown }>(sql`SELECT retention_days, request_schema FROM procedures WHERE id = ${procedure.id}`);
    expect(row).toEqual({ retention_days: 15, request_schema: { type: 'object', properties: { note: { type: 'string', multiline: true } }, 'x-order': ['note'] } });
    const cleared = await postForm(server.base, `${path}?lang=ca`, fields({ requestSchema: '  ' }), { cookie });
    expect(cleared.status).toBe(303);
    const [after] = await db.rows<{ request_schema: unknown }>(sql`SELECT request_schema FROM procedures WHERE id = ${procedure.id}`);
    expect(after.request_schema).toBeNull();
  });
});
