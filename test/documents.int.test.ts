/**
 * Documents end to end over HTTP on both databases (docs/DOCUMENTS.md): tus
 * uploads from the room link (create, patch, HEAD offset, resume after a cut
 * in the middle of a PATCH), refusals (disguised type, oversize, more bytes
 * than announced, zip bomb) that leave no file, the deadline and reopening,
 * the agent's review with the audit chain and the rejection email, handouts,
 * downloads that decrypt to the same SHA-256, files on disk not in plaintext,
 * and tenant isolation.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuePass } from '../server/modules/attention/room-passes.js';
import { MAX_DOCUMENTS_PER_SPACE } from '../server/modules/documents/documents.repository.js';
import { documentSpaceOf, storeDocument } from '../server/modules/documents/store-document.js';
import { verifyAuditChain } from '../server/modules/audit/verify-audit-chain.js';
import { insertAppointment } from './support/appointments.js';
import { DATABASE_KINDS } from './support/databases.js';
import { startSmtp } from './support/smtp.js';
import { api, apiSession, smallTenant, startTestServer, type TestServer } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';
import { sampleDocx, sampleExe, sampleJpeg, samplePdf, samplePng, sampleZipBomb } from './documents-samples.js';

const MAX = 3 * 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Every file under a folder (recursively). */
function filesUnder(dir: string): string[] {
  let out: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  for (const n of names) {
    const p = path.join(dir, n);
    out = statSync(p).isDirectory() ? out.concat(filesUnder(p)) : out.concat(p);
  }
  return out;
}

describe.each(DATABASE_KINDS)('documents on %s', (kind) => {
  const state = useDatabase(kind);
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fin-docs-'));
  beforeAll(async () => {
    if (state.skip) return;
    smtp = await startSmtp();
    server = await startTestServer(state.db, { DATA_DIR: dataDir, SMTP_URL: smtp.url, UPLOAD_MAX_BYTES: String(MAX) });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A town hall, its agent signed in, and a booked video appointment in `hoursAhead` with the citizen's room pass. */
  async function booked(hoursAhead = 24 * 5, email = 'laia@example.com') {
    const t = await smallTenant(state.db, { agents: 1 });
    const ap = await insertAppointment(state.db, {
      tenantId: t.tenant.id,
      procedureId: t.procedure.id,
      channel: 'video',
      startsAt: new Date(Date.now() + hoursAhead * 3600_000),
      agentId: t.agents[0].id,
      email,
      language: 'es',
    });
    const token = await issuePass({ database: state.db }, { tenantId: t.tenant.id, role: 'citizen', appointmentId: ap.id, ttlMinutes: 60 * 24 * 7 });
    const agent = await apiSession(server.base, t.tenant.slug, 'agent0@prova.example', 'correct horse battery staple');
    const room = `/${t.tenant.slug}/room/${token}`;
    const staff = `/api/v1/tenants/${t.tenant.slug}`;
    return { ...t, ap, token, agent, room, staff };
  }

  async function create(url: string, size: number, meta: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetch(`${server.base}${url}`, {
      method: 'POST',
      headers: {
        'tus-resumable': '1.0.0',
        'upload-length': String(size),
        'upload-metadata': Object.entries(meta).map(([k, v]) => `${k} ${b64(v)}`).join(','),
        ...headers,
      },
    });
    const text = await res.text();
    return { status: res.status, location: res.headers.get('location'), json: text ? JSON.parse(text) : undefined };
  }

  async function patch(location: string, offset: number, body: Buffer, headers: Record<string, string> = {}) {
    const res = await fetch(`${server.base}${location}`, {
      method: 'PATCH',
      headers: { 'tus-resumable': '1.0.0', 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream', ...headers },
      body: new Uint8Array(body),
    });
    const text = await res.text();
    return { status: res.status, offset: Number(res.headers.get('upload-offset')), json: text ? JSON.parse(text) : undefined };
  }

  async function head(location: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${server.base}${location}`, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0', ...headers } });
    return { status: res.status, offset: Number(res.headers.get('upload-offset')), length: Number(res.headers.get('upload-length')) };
  }

  /** Sends part of a PATCH body then cuts the connection (Content-Length announces the whole file). */
  function cutPatch(location: string, offset: number, whole: Buffer, sendBytes: number): Promise<void> {
    const url = new URL(`${server.base}${location}`);
    return new Promise((resolve) => {
      const req = http.request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'PATCH',
        headers: { 'tus-resumable': '1.0.0', 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream', 'content-length': String(whole.length) },
      });
      req.on('error', () => resolve());
      req.write(whole.subarray(0, sendBytes), () => {
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 300);
      });
    });
  }

  async function upload(room: string, body: Buffer, name: string, requirement?: number) {
    const c = await create(`${room}/uploads`, body.length, { filename: name, ...(requirement !== undefined ? { requirement: String(requirement) } : {}) });
    expect(c.status).toBe(201);
    const p = await patch(c.location!, 0, body);
    return { ...p, location: c.location! };
  }

  const docFolder = (tenantId: string, id: string) => path.join(dataDir, 'files', tenantId, 'documents', id);

  it('uploads in two PATCHes, stores encrypted, lists, and downloads the same bytes', async (ctx) => {
    if (state.skip) return ctx.skip();
    const b = await booked();
    const pdf = Buffer.concat([samplePdf('Laia Puig Soler 12345678Z'), randomBytes(200_000)]);
    const c = await create(`${b.room}/uploads`, pdf.length, { filename: 'C:\\fakepath\\dni.pdf', requirement: '0' });
    expect(c.status).toBe(201);
    expect(c.location).toMatch(new RegExp(`^${b.room}/uploads/[0-9a-f]{32}$`));
    const first = await patch(c.location!, 0, pdf.subarray(0, 100_000));
    expect(first).toMatchObject({ status: 204, offset: 100_000 });
    expect(await head(c.location!)).toMatchObject({ status: 200, offset: 100_000, length: pdf.length });
    // a PATCH at a stale offset is a conflict and changes nothing
    expect((await patch(c.location!, 0, pdf.subarray(0, 10))).status).toBe(409);
    const second = await patch(c.location!, 100_000, pdf.subarray(100_000));
    expect(second).toMatchObject({ status: 204, offset: pdf.length });

    const list = await api(server.base, 'GET', `${b.room}/documents`);
    expect(list.status).toBe(200);
    expect(list.json.requirements).toEqual([{ index: 0, description: 'DNI' }]);
    expect(list.json.open).toBe(true);
    const [doc] = list.json.documents;
    expect(doc).toMatchObject({ kind: 'citizen', requirement: 0, fileName: 'dni.pdf', contentType: 'application/pdf', bytes: pdf.length, sha256: sha(pdf), status: 'pending' });

    // on disk: only content.enc, and not the plaintext
    const files = filesUnder(docFolder(b.tenant.id, doc.id));
    expect(files.map((f) => path.basename(f))).toEqual(['content.enc']);
    const raw = readFileSync(files[0]);
    expect(raw.subarray(0, 4).toString()).toBe('FNE1');
    expect(raw.includes(Buffer.from('12345678Z'))).toBe(false);
    expect(raw.includes(pdf.subarray(300, 400))).toBe(false);

    // the agent previews (inline, sandboxed) and the citizen downloads: both decrypt to the same SHA-256
    const preview = await fetch(`${server.base}${b.staff}/documents/${doc.id}/content`, { headers: b.agent });
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('application/pdf');
    expect(preview.headers.get('x-content-type-options')).toBe('nosniff');
    expect(preview.headers.get('content-security-policy')).toMatch(/^sandbox/);
    expect(preview.headers.get('content-disposition')).toBe('inline; filename=dni.pdf');
    expect(sha(Buffer.from(await preview.arrayBuffer()))).toBe(sha(pdf));
    const download = await fetch(`${server.base}${b.staff}/documents/${doc.id}/content?download=1`, { headers: b.agent });
    expect(download.headers.get('content-disposition')).toMatch(/^attachment/);
    await download.arrayBuffer();
    const mine = await fetch(`${server.base}${b.room}/documents/${doc.id}`);
    expect(sha(Buffer.from(await mine.arrayBuffer()))).toBe(sha(pdf));

    // the row holds no personal data in its storage key
    const [row] = await state.db.rows<{ storage_key: string }>(sql`SELECT storage_key FROM documents WHERE id = ${doc.id}`);
    expect(row.storage_key).toBe(`${b.tenant.id}/documents/${doc.id}/content.enc`);
  });

  it('resumes after a connection cut in the middle of a PATCH: the offset is what arrived', async (ctx) => {
    if (state.skip) return ctx.skip();
    const b = await booked();
    const jpeg = Buffer.concat([sampleJpeg(1000).subarray(0, -2), randomBytes(2_500_000), Buffer.from([0xff, 0xd9])]);
    const c = await create(`${b.room}/uploads`, jpeg.length, { filename: 'foto.jpg' });
    await cutPatch(c.location!, 0, jpeg, 1_700_000);
    let offset = 0;
    for (let i = 0; i < 50 && offset === 0; i++) {
      offset = (await head(c.location!)).offset;
      if (!offset) await new Promise((r) => setTimeout(r, 100));
    }
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(1_700_000);
    // a second cut from there, then the rest
    await cutPatch(c.location!, offset, jpeg.subarray(offset), 123_457);
    await new Promise((r) => setTimeout(r, 300));
    const again = (await head(c.location!)).offset;
    expect(again).toBeGreaterThanOrEqual(offset);
    const done = await patch(c.location!, again, jpeg.subarray(again));
    expect(done).toMatchObject({ status: 204, offset: jpeg.length });
    const list = await api(server.base, 'GET', `${b.room}/documents`);
    expect(list.json.documents[0]).toMatchObject({ status: 'pending', contentType: 'image/jpeg', sha256: sha(jpeg), bytes: jpeg.length });
    const got = await fetch(`${server.base}${b.room}/documents/${list.json.documents[0].id}`);
    expect(sha(Buffer.from(await got.arrayBuffer()))).toBe(sha(jpeg));
  });

  it('resumes across a server restart: the SHA-256 is recomputed from the stored parts', async (ctx) => {
    if (state.skip) return ctx.skip();
    const b = await booked();
    const png = Buffer.concat([samplePng(), randomBytes(2_300_000)]);
    const c = await create(`${b.room}/uploads`, png.length, { filename: 'gran.png' });
    expect((await patch(c.location!, 0, png.subarray(0, 1_500_000))).offset).toBe(1_500_000);
    await server.close();
    server = await startTestServer(state.db, { DATA_DIR: dataDir, SMTP_URL: smtp.url, UPLOAD_MAX_BYTES: String(MAX) });
    expect((await head(c.location!)).offset).toBe(1_500_000);
    expect((await patch(c.location!, 1_500_000, png.subarray(1_500_000))).status).toBe(204);
    const [doc] = (await api(server.base, 'GET', `${b.room}/documents`)).json.documents;
    expect(doc).toMatchObject({ status: 'pending', sha256: sha(png), bytes: png.length, contentType: 'image/png' });
  });

  it('refuses a disguised type, oversize and over-long uploads and zip bombs, leaving no file', async (ctx) => {
    if (state.skip) return ctx.skip();
    const b = await booked();
    // an executable called .pdf is refused from its first bytes
    const exe = sampleExe(200_000);
    const bad = await upload(b.room, exe, 'factura.pdf');
    expect(bad.status).toBe(415);
    expect(bad.json.code).toBe('file_type_not_allowed');
    expect((await head(bad.location)).status).toBe(415);

    // Upload-Length over the limit
    const big = await create(`${b.room}/uploads`, MAX + 1, { filename: 'big.pdf' });
    expect(big.status).toBe(413);
    expect(big.json.code).toBe('file_too_large');

    // more bytes than announced
    const c = await create(`${b.room}/uploads`, 5000, { filename: 'short.png' });
    const over = await patch(c.location!, 0, Buffer.concat([samplePng(), randomBytes(6000)]));
    expect(over.status).toBe(413);
    expect(over.json.code).toBe('file_too_large');

    // a docx that expands 1000:1
    const bomb = await upload(b.room, sampleZipBomb(), 'bomba.docx');
    expect(bomb.status).toBe(422);
    expect(bomb.json.code).toBe('archive_bomb');

    // bad names and empty files
    expect((await create(`${b.room}/uploads`, 10, { filename: '..' })).json.code).toBe('file_name_invalid');
    expect((await create(`${b.room}/uploads`, 0, { filename: 'buit.pdf' })).json.code).toBe('file_empty');
    expect((await create(`${b.room}/uploads`, 10, { filename: 'x.pdf', requirement: '7' })).json.code).toBe('validation_failed');

    const list = await api(server.base, 'GET', `${b.room}/documents`);
    const refused = list.json.documents.map((d: { status: string; refusedCode: string }) => [d.status, d.refusedCode]);
    expect(refused).toEqual([
      ['refused', 'file_type_not_allowed'],
      ['refused', 'file_too_large'],
      ['refused', 'archive_bomb'],
    ]);
    for (const d of list.json.documents) expect(filesUnder(docFolder(b.tenant.id, d.id))).toEqual([]);
    // a docx that is a real document is fine
    expect((await upload(b.room, sampleDocx(), 'sol·licitud.docx')).status).toBe(204);
  });

  it('keeps an unfinished upload out of review and expires it (upload_incomplete), deleting its parts', async (ctx) => {
    if (state.skip) return ctx.skip();
    const b = await booked();
    const png = Buffer.concat([samplePng(), randomBytes(90_000)]);
    const c = await create(`${b.room}/uploads`, png.length + 10_000, { filename: 'mig.png' });
    expect((await patch(c.location!, 0, png)).status).toBe(204);
    const [d] = (await api(server.base, 'GET', `${b.staff}/appointments/${b.ap.id}/documents`, undefined, b.agent)).json.documents;
    expect(d).toMatchObject({ status: 'uploading', bytes: png.length, declaredBytes: png.length + 10_000 });
    expect((await api(server.base, 'POST', `${b.staff}/documents/${d.id}/review`, { decision: 'accept' }, b.agent)).json.code).toBe('document_not_reviewable');
    expect((await api(server.base, 'GET', `${b.staff}/documents/${d.id}/content`, undefined, b.agent)).json.code).toBe('upload_incomplete');
    expect(filesUnder(docFolder(b.tenant.id, d.id)).length).toBeGreaterThan(0);
    await state.db.rows(sql`UPDATE documents SET created_at = now() - interval '2 days' WHERE id = ${d.id}`);
    const after = await api(server.base, 'GET', `${b.room}/documents`);
    expect(after.json.documents[0]).toMatchObject({ status: 'refused', refusedCode: 'upload_incomplete' });
    expect(filesUnder(docFolder(b.tenant.id, d.id))).toEqual([]);
    expect((await head(c.location!)).status).toBe(409);
  });

  it('closes uploads 48 h before the slot until the agent reopens them', async (ctx) => {
    if (state.skip) return ctx.skip();
    const b = await booked(24);
    const list = await api(server.base, 'GET', `${b.room}/documents`);
    expect(list.json.open).toBe(false);
    const closed = await create(`${b.room}/uploads`, 100, { filename: 'tard.pdf' });
    expect(closed.status).toBe(409);
    expect(closed.json.code).toBe('upload_closed');
    const reopen = await api(server.base, 'POST', `${b.staff}/appointments/${b.ap.id}/documents/reopen`, { hours: 2 }, b.agent);
    expect(reopen.status).toBe(200);
    expect(new Date(reopen.json.uploadsOpenUntil).getTime()).toBeGreaterThan(Date.now() + 3600_000);
    expect((await api(server.base, 'GET', `${b.room}/documents`)).json.open).toBe(true);
    expect((await upload(b.room, samplePdf(), 'tard.pdf')).status).toBe(204);
    // without the CSRF header reopening is refused
    const { 'x-csrf-token': _, ...cookieOnly } = b.agent;
    expect((await api(server.base, 'POST', `${b.staff}/appointments/${b.ap.id}/documents/reopen`, {}, cookieOnly)).json.code).toBe('csrf_failed');
  });

  it('reviews: rejection with a reason emails the citizen, both decisions are audited in a valid chain', async (ctx) => {
    if (state.skip) return ctx.skip();
    const b = await booked(24 * 5, 'marta@example.com');
    await upload(b.room, samplePdf('one'), 'dni.pdf', 0);
    await upload(b.room, samplePng(), 'foto.png');
    const [pdf, png] = (await api(server.base, 'GET', `${b.staff}/appointments/${b.ap.id}/documents`, undefined, b.agent)).json.documents;

    expect((await api(server.base, 'POST', `${b.staff}/documents/${pdf.id}/review`, { decision: 'reject' }, b.agent)).json.code).toBe('reject_reason_required');
    expect((await api(server.base, 'POST', `${b.staff}/documents/${pdf.id}/review`, { decision: 'reject', reason: 'x'.repeat(501) }, b.agent)).status).toBe(400);
    const sent = smtp.received.length;
    const rejected = await api(server.base, 'POST', `${b.staff}/documents/${pdf.id}/review`, { decision: 'reject', reason: 'La foto del DNI no es llegeix bé' }, b.agent);
    expect(rejected.status).toBe(200);
    expect(rejected.json).toMatchObject({ status: 'rejected', rejectReason: 'La foto del DNI no es llegeix bé' });
    const accepted = await api(server.base, 'POST', `${b.staff}/documents/${png.id}/review`, { decision: 'accept' }, b.agent);
    expect(accepted.json.status).toBe('accepted');
    // once only
    expect((await api(server.base, 'POST', `${b.staff}/documents/${png.id}/review`, { decision: 'reject', reason: 'no' }, b.agent)).json.code).toBe('document_not_reviewable');

    await smtp.waitFor(sent + 1);
    const mail = await simpleParser(smtp.received.filter((m) => m.to.includes('marta@example.com')).at(-1)!.raw);
    expect(mail.subject).toBe('No se ha aceptado un documento de su trámite: Trámite');
    expect(mail.text).toContain('«DNI»');
    expect(mail.text).toContain('dni.pdf');
    expect(mail.text).toContain('La foto del DNI no es llegeix bé');
    expect(mail.text).toContain(`/${b.tenant.slug}/join?ref=${b.ap.reference}`);

    const events = await state.db.rows<{ event: string; subjects: Record<string, string>; data: Record<string, unknown> }>(
      sql`SELECT event, subjects, data FROM audit_log WHERE tenant_id = ${b.tenant.id} ORDER BY seq`,
    );
    expect(events.map((e) => e.event)).toEqual(['document_rejected', 'document_accepted']);
    expect(events[0].subjects).toEqual({ document: pdf.id, appointment: b.ap.id });
    expect(events[0].data).toMatchObject({ sha256: pdf.sha256, emailed: true });
    expect(JSON.stringify(events)).not.toContain('dni.pdf');
    expect(await verifyAuditChain(state.db, b.tenant.id)).toMatchObject({ ok: true });

    // the citizen sees the reason and sends it again; the rejected one stays listed
    await upload(b.room, samplePdf('two'), 'dni-bo.pdf', 0);
    const mine = (await api(server.base, 'GET', `${b.room}/documents`)).json.documents;
    expect(mine.map((d: { fileName: string; status: string }) => [d.fileName, d.status])).toEqual([
      ['dni.pdf', 'rejected'],
      ['foto.png', 'accepted'],
      ['dni-bo.pdf', 'pending'],
    ]);
  });

  it('hands a document to the citizen (tus from the console), who downloads it', async (ctx) => {
    if (state.skip) return ctx.skip();
    const b = await booked();
    const pdf = samplePdf('Resolució');
    const url = `${b.staff}/appointments/${b.ap.id}/uploads`;
    const noCsrf = await create(url, pdf.length, { filename: 'resolucio.pdf' }, { cookie: b.agent.cookie });
    expect(noCsrf.json.code).toBe('csrf_failed');
    const c = await create(url, pdf.length, { filename: 'resolucio.pdf' }, b.agent);
    expect(c.status).toBe(201);
    expect((await patch(c.location!, 0, pdf, b.agent)).status).toBe(204);
    const docs = (await api(server.base, 'GET', `${b.room}/documents`)).json.documents;
    expect(docs).toEqual([expect.objectContaining({ kind: 'handout', fileName: 'resolucio.pdf', status: 'pending' })]);
    const got = await fetch(`${server.base}${b.room}/documents/${docs[0].id}`);
    expect(got.headers.get('content-disposition')).toBe('attachment; filename=resolucio.pdf');
    expect(sha(Buffer.from(await got.arrayBuffer()))).toBe(sha(pdf));
    // handouts are not reviewed
    expect((await api(server.base, 'POST', `${b.staff}/documents/${docs[0].id}/review`, { decision: 'accept' }, b.agent)).json.code).toBe('document_not_reviewable');
  });

  it('documents the staff routes in OpenAPI (not the browser console copies, nor the tus endpoints)', async (ctx) => {
    if (state.skip) return ctx.skip();
    const spec = (await api(server.base, 'GET', '/api/openapi.json')).json;
    const paths = Object.keys(spec.paths);
    for (const p of ['/documents/{documentId}/review', '/documents/{documentId}/content', '/appointments/{id}/documents', '/attentions/{id}/documents', '/appointments/{id}/documents/reopen', '/documents/upcoming']) {
      expect(paths).toContain(`/api/v1/tenants/{slug}${p}`);
    }
    expect(paths.filter((p) => p.includes('/staff/console/api/') || p.includes('/uploads'))).toEqual([]);
  });

  it('storeDocument stores one whole file (all or nothing) and a space holds at most 50 documents', async (ctx) => {
    if (state.skip) return ctx.skip();
    const b = await booked();
    const files = await server.ctx.files();
    const space = documentSpaceOf({ id: '00000000-0000-4000-8000-000000000000', appointment_id: b.ap.id });
    expect(space).toEqual({ appointmentId: b.ap.id, attentionId: null });
    const front = await storeDocument({ database: state.db, files }, { tenantId: b.tenant.id, space, kind: 'id_front', fileName: '/tmp/../captura.png', source: samplePng(), uploadedBy: b.agents[0].id, status: 'accepted' });
    expect(front).toMatchObject({ kind: 'id_front', status: 'accepted', fileName: 'captura.png', contentType: 'image/png', bytes: samplePng().length, sha256: sha(samplePng()), storageKey: `${b.tenant.id}/documents/${front.id}/content.enc` });
    expect(sha(await files.readAll(b.tenant.id, front.storageKey!))).toBe(sha(samplePng()));
    // refused: nothing written, no row
    const before = filesUnder(path.join(dataDir, 'files', b.tenant.id, 'documents')).length;
    await expect(storeDocument({ database: state.db, files }, { tenantId: b.tenant.id, space, kind: 'citizen', fileName: 'x.pdf', source: sampleExe() })).rejects.toMatchObject({ code: 'file_type_not_allowed' });
    await expect(storeDocument({ database: state.db, files }, { tenantId: b.tenant.id, space, kind: 'citizen', fileName: 'x.pdf', source: samplePdf(), maxBytes: 100 })).rejects.toMatchObject({ code: 'file_too_large' });
    await expect(storeDocument({ database: state.db, files }, { tenantId: b.tenant.id, space, kind: 'id_back', fileName: 'x.pdf', source: samplePdf(), allowedTypes: ['image/png', 'image/jpeg'] })).rejects.toMatchObject({ code: 'file_type_not_allowed' });
    expect(filesUnder(path.join(dataDir, 'files', b.tenant.id, 'documents')).length).toBe(before);
    for (let i = 1; i < MAX_DOCUMENTS_PER_SPACE; i++) {
      await storeDocument({ database: state.db, files }, { tenantId: b.tenant.id, space, kind: 'citizen', fileName: `f${i}.png`, source: samplePng() });
    }
    await expect(storeDocument({ database: state.db, files }, { tenantId: b.tenant.id, space, kind: 'citizen', fileName: 'one-more.png', source: samplePng() })).rejects.toMatchObject({ code: 'too_many_documents' });
    const c = await create(`${b.room}/uploads`, 100, { filename: 'one-more.pdf' });
    expect(c).toMatchObject({ status: 409, json: { code: 'too_many_documents' } });
  });

  it('keeps town halls and citizens apart', async (ctx) => {
    if (state.skip) return ctx.skip();
    const a = await booked();
    const other = await booked();
    await upload(a.room, samplePdf(), 'a.pdf');
    const [doc] = (await api(server.base, 'GET', `${a.room}/documents`)).json.documents;
    // another town hall's agent, through their own tenant's API: not found
    expect((await api(server.base, 'GET', `${other.staff}/documents/${doc.id}/content`, undefined, other.agent)).status).toBe(404);
    expect((await api(server.base, 'POST', `${other.staff}/documents/${doc.id}/review`, { decision: 'accept' }, other.agent)).status).toBe(404);
    // ...or naming the first tenant: not signed in there
    expect((await api(server.base, 'GET', `${a.staff}/documents/${doc.id}/content`, undefined, other.agent)).status).toBe(401);
    // another citizen's link does not reach it, nor its upload
    expect((await api(server.base, 'GET', `${other.room}/documents/${doc.id}`)).status).toBe(404);
    const c = await create(`${a.room}/uploads`, 100, { filename: 'a.pdf' });
    const foreign = c.location!.replace(a.room, other.room);
    expect((await head(foreign)).status).toBe(404);
    expect((await patch(foreign, 0, samplePdf().subarray(0, 100))).status).toBe(404);
    // an unknown token
    expect((await api(server.base, 'GET', `/${a.tenant.slug}/room/${'x'.repeat(43)}/documents`)).status).toBe(404);
  });
});
