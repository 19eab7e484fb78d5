import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinQueue } from '../server/modules/attention/join-queue.js';
import { takeAttention } from '../server/modules/attention/take-attention.js';
import { recordConsent } from '../server/modules/recording/record-consent.js';
import { sweepRecordings } from '../server/modules/recording/sweep-recordings.js';
import { createStaff } from '../server/modules/staff/create-staff.js';
import type { Staff } from '../server/modules/staff/staff.repository.js';
import { openFileStore } from '../server/storage/open-file-store.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { useDatabase } from './support/use-database.js';
import { api, smallTenant, startTestServer, type TestServer } from './support/test-server.js';

const PASSWORD = 'correct horse battery staple';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(DATABASE_KINDS)('call recording on %s', (kind) => {
  const state = useDatabase(kind);
  let server: TestServer;
  let dataDir: string;
  const env = () => ({ DATA_DIR: dataDir });

  beforeAll(async () => {
    if (state.skip) return;
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'fin-rec-'));
    server = await startTestServer(state.db, env());
  });
  afterAll(async () => {
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function signIn(base: string, slug: string, email: string) {
    const r = await api(base, 'POST', `/api/v1/tenants/${slug}/auth/login`, { email, password: PASSWORD });
    expect(r.status).toBe(200);
    return { cookie: r.headers.get('set-cookie')!.split(';')[0], csrf: r.json.csrfToken as string };
  }

  /** A town hall with two agents; agent 0 takes a queued citizen who consents to the recording. */
  async function call(o: { consent?: boolean } = {}) {
    const db: TestDatabase = state.db;
    const { tenant, agents } = await smallTenant(db, { agents: 2 });
    const deps = { database: db };
    const { attention } = await joinQueue(deps, {
      tenant,
      input: { procedure: 'tramit', channel: 'video', name: 'Núria Prats', email: 'nuria@example.com', language: 'ca', privacyAccepted: true, priority: [], accessibility: { needs: [] } },
    });
    await takeAttention(deps, { tenantId: tenant.id, agent: agents[0], attentionId: attention.id });
    const recordingId = o.consent === false ? randomUUID() : (await recordConsent(deps, { tenantId: tenant.id, attentionId: attention.id, text: 'Gravem la trucada?' })).recordingId;
    const agent = await signIn(server.base, tenant.slug, agents[0].email);
    const root = `/api/v1/tenants/${tenant.slug}/attentions/${attention.id}/recordings/${recordingId}`;
    return { tenant, agents, attention, recordingId, agent, root };
  }

  async function put(base: string, url: string, body: Buffer, who?: { cookie: string; csrf?: string }, type = 'video/webm;codecs=vp8,opus') {
    const res = await fetch(`${base}${url}`, {
      method: 'PUT',
      headers: { 'content-type': type, ...(who ? { cookie: who.cookie } : {}), ...(who?.csrf ? { 'x-csrf-token': who.csrf } : {}) },
      body: new Uint8Array(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  const finish = (base: string, root: string, who: { cookie: string; csrf: string }, chunks: number) =>
    api(base, 'POST', `${root}/finish`, { chunks, mimeType: 'video/webm;codecs=vp8,opus' }, { cookie: who.cookie, 'x-csrf-token': who.csrf });

  async function storedFile(tenantId: string, recordingId: string) {
    const [row] = await state.db.rows<{ storage_key: string; sha256: string; status: string; bytes: number; chunks: number; mime_type: string }>(sql`
      SELECT storage_key, sha256, status, bytes::float8 AS bytes, chunks, mime_type FROM recordings WHERE id = ${recordingId}`);
    const store = await openFileStore({ DATA_DIR: dataDir });
    return { row, raw: await readFile(store.pathOf(tenantId, row.storage_key)), plain: await store.readAll(tenantId, row.storage_key), store };
  }

  it('takes chunks in any order, idempotently, and assembles them into one encrypted file with its SHA-256', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, recordingId, agent, root } = await call();
    const chunks = [0, 1, 2].map((i) => Buffer.concat([Buffer.from(`CHUNK-${i}-PLAINTEXT-MARKER-`), randomBytes(70_000 + i * 1000)]));
    for (const seq of [2, 0, 1]) {
      const r = await put(server.base, `${root}/chunks/${seq}`, chunks[seq], agent);
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect(r.json).toEqual({ seq, bytes: chunks[seq].length, sha256: sha(chunks[seq]), duplicate: false });
    }
    const again = await put(server.base, `${root}/chunks/1`, chunks[1], agent, 'application/octet-stream');
    expect(again.status).toBe(200);
    expect(again.json.duplicate).toBe(true);
    const conflict = await put(server.base, `${root}/chunks/1`, chunks[0], agent);
    expect(conflict.status).toBe(409);
    expect(conflict.json.code).toBe('chunk_conflict');

    const status = await api(server.base, 'GET', root, undefined, { cookie: agent.cookie });
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ status: 'recording', chunks: [0, 1, 2], missing: [], bytes: chunks.reduce((n, c) => n + c.length, 0), sha256: null, mimeType: 'video/webm;codecs=vp8,opus' });

    // the chunks on disk are encrypted
    const folder = path.join(dataDir, 'files', tenant.id, 'recordings', recordingId);
    const chunkFiles = await readdir(folder);
    expect(chunkFiles.filter((f) => f.startsWith('chunk-'))).toHaveLength(3);
    for (const f of chunkFiles) expect((await readFile(path.join(folder, f))).includes(Buffer.from('PLAINTEXT-MARKER'))).toBe(false);

    const whole = Buffer.concat(chunks);
    const done = await finish(server.base, root, agent, 3);
    expect(done.status, done.text).toBe(200);
    expect(done.json).toEqual({ status: 'complete', bytes: whole.length, sha256: sha(whole), chunks: 3, missing: [] });

    const file = await storedFile(tenant.id, recordingId);
    expect(file.row).toMatchObject({ status: 'complete', sha256: sha(whole), bytes: whole.length, chunks: 3 });
    expect(file.row.storage_key).toMatch(new RegExp(`^${tenant.id}/recordings/${recordingId}/recording-[0-9a-f]+\\.enc$`));
    expect(file.raw.includes(Buffer.from('PLAINTEXT-MARKER'))).toBe(false);
    expect(file.plain.equals(whole)).toBe(true);
    // the chunk files are gone, the assembled file stays
    expect(await readdir(folder)).toEqual([path.basename(file.row.storage_key)]);

    // finishing again answers the same; late chunks are refused, a repeat of a received one is still fine
    expect((await finish(server.base, root, agent, 3)).json).toEqual(done.json);
    const late = await put(server.base, `${root}/chunks/3`, randomBytes(100), agent);
    expect(late.status).toBe(409);
    expect(late.json.code).toBe('recording_not_active');
    expect((await put(server.base, `${root}/chunks/0`, chunks[0], agent)).status).toBe(200);
    const after = await api(server.base, 'GET', root, undefined, { cookie: agent.cookie });
    expect(after.json).toMatchObject({ status: 'complete', chunks: [0, 1, 2], sha256: sha(whole) });
  });

  it('refuses without consent, to other agents, without CSRF or session, and chunks too big', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, agents, attention, agent, root } = await call();
    const chunk = randomBytes(1000);

    const noConsent = await put(server.base, `/api/v1/tenants/${tenant.slug}/attentions/${attention.id}/recordings/${randomUUID()}/chunks/0`, chunk, agent);
    expect(noConsent.status).toBe(409);
    expect(noConsent.json.code).toBe('recording_consent_missing');
    const noAttention = await put(server.base, `/api/v1/tenants/${tenant.slug}/attentions/${randomUUID()}/recordings/${randomUUID()}/chunks/0`, chunk, agent);
    expect(noAttention.status).toBe(404);
    expect(noAttention.json.code).toBe('attention_not_found');

    const other = await signIn(server.base, tenant.slug, agents[1].email);
    const foreign = await put(server.base, `${root}/chunks/0`, chunk, other);
    expect(foreign.status).toBe(403);
    expect(foreign.json.code).toBe('forbidden');
    expect((await api(server.base, 'GET', root, undefined, { cookie: other.cookie })).status).toBe(403);
    expect((await finish(server.base, root, other, 1)).status).toBe(403);

    const noCsrf = await put(server.base, `${root}/chunks/0`, chunk, { cookie: agent.cookie });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json.code).toBe('csrf_failed');
    const finishNoCsrf = await api(server.base, 'POST', `${root}/finish`, { chunks: 1 }, { cookie: agent.cookie });
    expect(finishNoCsrf.json.code).toBe('csrf_failed');
    const anonymous = await put(server.base, `${root}/chunks/0`, chunk);
    expect(anonymous.status).toBe(401);

    const tooBig = await put(server.base, `${root}/chunks/0`, Buffer.alloc(16 * 1024 * 1024 + 1), agent).catch((e) => ({ status: 0, json: { code: String(e) } }));
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.code).toBe('payload_too_large');
    const badType = await put(server.base, `${root}/chunks/0`, chunk, agent, 'text/plain');
    expect(badType.status).toBe(415);
    const badSeq = await put(server.base, `${root}/chunks/100000`, chunk, agent);
    expect(badSeq.status).toBe(400);

    // a supervisor of the town hall may act on any attention; a 16 MiB chunk fits
    const supervisor: Staff = await createStaff({ db: state.db.db, tenantId: tenant.id, email: 'sup@prova.example', fullName: 'Supervisora', password: PASSWORD, role: 'supervisor' });
    const sup = await signIn(server.base, tenant.slug, supervisor.email);
    expect((await put(server.base, `${root}/chunks/0`, Buffer.alloc(16 * 1024 * 1024, 7), sup)).status).toBe(200);

    // another town hall's agent does not even find the attention
    const elsewhere = await call();
    const stranger = await put(server.base, `/api/v1/tenants/${elsewhere.tenant.slug}/attentions/${attention.id}/recordings/${elsewhere.recordingId}/chunks/0`, chunk, elsewhere.agent);
    expect(stranger.status).toBe(404);

    // nothing recorded for the refused requests
    const status = await api(server.base, 'GET', root, undefined, { cookie: agent.cookie });
    expect(status.json.chunks).toEqual([0]);
  });

  it('serves the browser console under /{slug}/staff/console/api with the page session', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, agents, attention, recordingId } = await call();
    const login = await fetch(`${server.base}/${tenant.slug}/staff/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: agents[0].email, password: PASSWORD }),
      redirect: 'manual',
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const page = await fetch(`${server.base}/${tenant.slug}/staff`, { headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const root = `/${tenant.slug}/staff/console/api/attentions/${attention.id}/recordings/${recordingId}`;
    expect((await put(server.base, `${root}/chunks/0`, Buffer.from('webm bytes'), { cookie, csrf })).status).toBe(200);
    const status = await api(server.base, 'GET', root, undefined, { cookie });
    expect(status.json.chunks).toEqual([0]);
    const spec = (await api(server.base, 'GET', '/api/openapi.json')).json;
    expect(Object.keys(spec.paths)).toContain('/api/v1/tenants/{slug}/attentions/{id}/recordings/{recordingId}/chunks/{seq}');
    expect(Object.keys(spec.paths).some((p) => p.includes('/staff/console/api/'))).toBe(false);
  });

  it('keeps every chunk across a server restart and resumes where it was', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, recordingId, agent, root } = await call();
    const chunks = [0, 1, 2, 3].map(() => randomBytes(50_000));
    expect((await put(server.base, `${root}/chunks/0`, chunks[0], agent)).status).toBe(200);
    expect((await put(server.base, `${root}/chunks/1`, chunks[1], agent)).status).toBe(200);
    await server.close();
    server = await startTestServer(state.db, env());
    const status = await api(server.base, 'GET', root, undefined, { cookie: agent.cookie });
    expect(status.json.chunks).toEqual([0, 1]);
    expect((await put(server.base, `${root}/chunks/1`, chunks[1], agent)).json.duplicate).toBe(true);
    expect((await put(server.base, `${root}/chunks/2`, chunks[2], agent)).status).toBe(200);
    expect((await put(server.base, `${root}/chunks/3`, chunks[3], agent)).status).toBe(200);
    const done = await finish(server.base, root, agent, 4);
    expect(done.json).toMatchObject({ status: 'complete', sha256: sha(Buffer.concat(chunks)), chunks: 4, missing: [] });
    expect((await storedFile(tenant.id, recordingId)).plain.equals(Buffer.concat(chunks))).toBe(true);
  });

  it('reports gaps, and the sweep assembles abandoned recordings with what they have', async (t) => {
    if (state.skip) return t.skip();
    const deps = { database: state.db, openFiles: () => openFileStore({ DATA_DIR: dataDir }) };

    // 1. chunks stopped arriving (the browser crashed): assembled after IDLE_MINUTES, with the gap reported
    const idle = await call();
    const c0 = randomBytes(10_000);
    const c2 = randomBytes(12_000);
    await put(server.base, `${idle.root}/chunks/0`, c0, idle.agent);
    await put(server.base, `${idle.root}/chunks/2`, c2, idle.agent);
    expect((await api(server.base, 'GET', idle.root, undefined, { cookie: idle.agent.cookie })).json.missing).toEqual([1]);
    expect((await sweepRecordings(deps)).assembled).toBe(0); // still fresh
    await state.db.rows(sql`UPDATE recordings SET last_chunk_at = now() - interval '11 minutes' WHERE id = ${idle.recordingId}`);

    // 2. the attention was closed without stopping the recorder: assembled once late chunks had time to arrive
    const closed = await call();
    const d0 = randomBytes(5_000);
    await put(server.base, `${closed.root}/chunks/0`, d0, closed.agent);
    await state.db.rows(sql`
      UPDATE attentions SET status = 'abandoned', ended_at = now() - interval '3 minutes' WHERE id = ${closed.attention.id}`);
    const refused = await put(server.base, `${closed.root}/chunks/1`, randomBytes(10), closed.agent);
    expect(refused.json.code).toBe('recording_not_active');

    // 3. consent but nothing ever arrived: failed, no file
    const empty = await call();
    await state.db.rows(sql`UPDATE recordings SET consent_at = now() - interval '11 minutes' WHERE id = ${empty.recordingId}`);

    // 4. an assembly that died half-way (claimed long ago) runs again
    const stuck = await call();
    const e0 = randomBytes(3_000);
    await put(server.base, `${stuck.root}/chunks/0`, e0, stuck.agent);
    await state.db.rows(sql`UPDATE recordings SET status = 'assembling', completed_at = now() - interval '16 minutes' WHERE id = ${stuck.recordingId}`);

    // the test server's own sweep may run too; either way each is assembled once
    await sweepRecordings(deps);
    const view = async (c: Awaited<ReturnType<typeof call>>) => (await api(server.base, 'GET', c.root, undefined, { cookie: c.agent.cookie })).json;
    expect(await view(idle)).toMatchObject({ status: 'complete', chunks: [0, 2], missing: [1], sha256: sha(Buffer.concat([c0, c2])) });
    expect((await storedFile(idle.tenant.id, idle.recordingId)).plain.equals(Buffer.concat([c0, c2]))).toBe(true);
    expect(await view(closed)).toMatchObject({ status: 'complete', chunks: [0], sha256: sha(d0) });
    expect(await view(empty)).toMatchObject({ status: 'failed', chunks: [], sha256: null });
    expect(await view(stuck)).toMatchObject({ status: 'complete', chunks: [0], sha256: sha(e0) });
    expect((await sweepRecordings(deps)).assembled).toBe(0);

    // finish after the sweep answers the result, with the gap against what the browser says it produced
    const late = await finish(server.base, idle.root, idle.agent, 4);
    expect(late.json).toMatchObject({ status: 'complete', chunks: 2, missing: [1, 3], sha256: sha(Buffer.concat([c0, c2])) });
  });

  it('settles concurrent uploads of one chunk and concurrent finishes', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, recordingId, agent, root } = await call();
    const a = randomBytes(30_000);
    const b = randomBytes(30_000);
    const same = await Promise.all([0, 1, 2, 3].map(() => put(server.base, `${root}/chunks/0`, a, agent)));
    expect(same.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(same.filter((r) => r.json.duplicate === false)).toHaveLength(1);
    const mixed = await Promise.all([put(server.base, `${root}/chunks/1`, a, agent), put(server.base, `${root}/chunks/1`, b, agent)]);
    expect(mixed.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = mixed[0].status === 200 ? a : b;
    const finishes = await Promise.all([0, 1, 2].map(() => finish(server.base, root, agent, 2)));
    for (const f of finishes) expect(f.json).toMatchObject({ status: 'complete', sha256: sha(Buffer.concat([a, winner])), chunks: 2 });
    const file = await storedFile(tenant.id, recordingId);
    expect(file.plain.equals(Buffer.concat([a, winner]))).toBe(true);
    expect(await readdir(path.join(dataDir, 'files', tenant.id, 'recordings', recordingId))).toEqual([path.basename(file.row.storage_key)]);
  });

  it('leaves out a chunk whose file was damaged, and says so', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, recordingId, agent, root } = await call();
    const chunks = [0, 1, 2].map(() => randomBytes(20_000));
    for (const [seq, c] of chunks.entries()) await put(server.base, `${root}/chunks/${seq}`, c, agent);
    const [row] = await state.db.rows<{ storage_key: string }>(sql`SELECT storage_key FROM recording_chunks WHERE recording_id = ${recordingId} AND seq = 1`);
    const store = await openFileStore({ DATA_DIR: dataDir });
    const file = store.pathOf(tenant.id, row.storage_key);
    const bytes = await readFile(file);
    bytes[bytes.length - 3] ^= 1;
    await (await import('node:fs/promises')).writeFile(file, bytes);
    const done = await finish(server.base, root, agent, 3);
    expect(done.json).toMatchObject({ status: 'complete', chunks: 2, missing: [1], sha256: sha(Buffer.concat([chunks[0], chunks[2]])) });
  });
});
