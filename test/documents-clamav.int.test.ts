/**
 * The virus-scan hook against a real clamd (Debian's clamav-daemon; no
 * internet here, so it runs with a throw-away signature database: the EICAR
 * test file by MD5 (.hdb) and by content anywhere in a file (.ndb)). Skipped
 * only when clamd is not installed (scripts/install-test-deps.sh installs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuePass } from '../server/modules/attention/room-passes.js';
import { ClamdScanner } from '../server/modules/documents/clamd-scanner.js';
import { storeDocument } from '../server/modules/documents/store-document.js';
import { insertAppointment } from './support/appointments.js';
import { DATABASE_KINDS } from './support/databases.js';
import { api, smallTenant, startTestServer, type TestServer } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';
import { EICAR, samplePdf, samplePng } from './documents-samples.js';
import { freePort } from './support/free-port.js';

const CLAMD = ['/usr/sbin/clamd', '/usr/bin/clamd'].find((p) => existsSync(p));


function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port }, () => sock.write('zPING\0'));
    let reply = '';
    sock.on('data', (d) => (reply += d.toString()));
    sock.on('close', () => resolve(reply.startsWith('PONG')));
    sock.on('error', () => resolve(false));
    sock.setTimeout(1000, () => sock.destroy());
  });
}

/** A clamd of our own on a free port with the EICAR signatures; stopped by its pid. */
async function startClamd(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fin-clamd-'));
  const db = path.join(dir, 'db');
  mkdirSync(db);
  const md5 = createHash('md5').update(EICAR).digest('hex');
  writeFileSync(path.join(db, 'finestreta.hdb'), `${md5}:${EICAR.length}:Finestreta.Test.EICAR.File\n`);
  writeFileSync(path.join(db, 'finestreta.ndb'), `Finestreta.Test.EICAR.Inside:0:*:${EICAR.toString('hex')}\n`);
  const port = await freePort();
  const conf = path.join(dir, 'clamd.conf');
  writeFileSync(conf, [`Foreground yes`, `DatabaseDirectory ${db}`, `TCPSocket ${port}`, `TCPAddr 127.0.0.1`, `StreamMaxLength 50M`, `LogFile ${path.join(dir, 'clamd.log')}`, ''].join('\n'));
  const child: ChildProcess = spawn(CLAMD!, ['-c', conf], { stdio: 'ignore' });
  for (let i = 0; i < 600 && !(await ping(port)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await ping(port))) throw new Error('clamd did not start');
  return {
    url: `tcp://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe.skipIf(!CLAMD).each(DATABASE_KINDS)('virus scan with a real clamd on %s', (kind) => {
  const state = useDatabase(kind);
  let clamd: Awaited<ReturnType<typeof startClamd>>;
  let server: TestServer;
  beforeAll(async () => {
    if (state.skip) return;
    clamd = await startClamd();
    server = await startTestServer(state.db, { CLAMD_URL: clamd.url });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await clamd?.stop();
  });

  it('the INSTREAM client: EICAR found, a clean file is OK, a dead clamd is scan_unavailable', async (ctx) => {
    if (state.skip) return ctx.skip();
    const scanner = ClamdScanner.fromUrl(clamd.url);
    expect(await scanner.scan((async function* () { yield EICAR; })())).toEqual({ clean: false, signature: expect.stringMatching(/^Finestreta\.Test\.EICAR\./) });
    expect(await scanner.scan((async function* () { yield samplePdf(); })())).toEqual({ clean: true });
    const dead = ClamdScanner.fromUrl('tcp://127.0.0.1:1', 2000);
    await expect(dead.scan((async function* () { yield samplePdf(); })())).rejects.toMatchObject({ code: 'scan_unavailable' });
  });

  it('refuses an upload carrying a virus (virus_found, no file left) and keeps a clean one', async (ctx) => {
    if (state.skip) return ctx.skip();
    const t = await smallTenant(state.db, { agents: 1 });
    const ap = await insertAppointment(state.db, { tenantId: t.tenant.id, procedureId: t.procedure.id, channel: 'video', startsAt: new Date(Date.now() + 5 * 86_400_000), agentId: t.agents[0].id });
    const token = await issuePass({ database: state.db }, { tenantId: t.tenant.id, role: 'citizen', appointmentId: ap.id, ttlMinutes: 600 });
    const room = `/${t.tenant.slug}/room/${token}`;
    const send = async (body: Buffer, name: string) => {
      const c = await fetch(`${server.base}${room}/uploads`, {
        method: 'POST',
        headers: { 'tus-resumable': '1.0.0', 'upload-length': String(body.length), 'upload-metadata': `filename ${Buffer.from(name).toString('base64')}` },
      });
      const p = await fetch(`${server.base}${c.headers.get('location')}`, {
        method: 'PATCH',
        headers: { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
        body: new Uint8Array(body),
      });
      return { status: p.status, json: p.status === 204 ? undefined : await p.json() };
    };
    const infected = await send(Buffer.concat([samplePdf(), EICAR]), 'factura.pdf');
    expect(infected).toMatchObject({ status: 422, json: { code: 'virus_found' } });
    expect((await send(samplePdf(), 'net.pdf')).status).toBe(204);
    const docs = (await api(server.base, 'GET', `${room}/documents`)).json.documents;
    expect(docs.map((d: { status: string; refusedCode: string | null }) => [d.status, d.refusedCode])).toEqual([
      ['refused', 'virus_found'],
      ['pending', null],
    ]);
    const files = await server.ctx.files();
    expect(existsSync(path.join(files.root, t.tenant.id, 'documents', docs[0].id))).toBe(false);

    // storeDocument (identity captures and other one-shot uploads) scans too
    const space = { appointmentId: ap.id, attentionId: null };
    const deps = { database: state.db, files, scanner: ClamdScanner.fromUrl(clamd.url) };
    await expect(storeDocument(deps, { tenantId: t.tenant.id, space, kind: 'citizen', fileName: 'x.png', source: Buffer.concat([samplePng(), EICAR]) })).rejects.toMatchObject({ code: 'virus_found' });
    const ok = await storeDocument(deps, { tenantId: t.tenant.id, space, kind: 'id_front', fileName: 'front.png', source: samplePng(), status: 'accepted' });
    expect(ok).toMatchObject({ status: 'accepted', contentType: 'image/png', kind: 'id_front' });
  });
});
