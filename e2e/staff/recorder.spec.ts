/**
 * recorder.js in a real Chromium: a fake camera and microphone recorded to the
 * server in chunks (one of them lost twice on the way and sent again), then
 * finished into one encrypted WebM file that plays; chunks a page could not send
 * are sent after a reload. Runs its own server so that the files land in a
 * temporary DATA_DIR.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { sql } from 'drizzle-orm';
import { joinQueue } from '../../server/modules/attention/join-queue.js';
import { takeAttention } from '../../server/modules/attention/take-attention.js';
import { recordConsent } from '../../server/modules/recording/record-consent.js';
import { openFileStore } from '../../server/storage/open-file-store.js';
import { freshDatabase, type TestDatabase } from '../../test/support/databases.js';
import { smallTenant, startTestServer, type TestServer } from '../../test/support/test-server.js';

type RecorderState = { state: string; recording: boolean; uploaded: number; pending: number; bytes: number; lastError: string | null; sha256: string | null };

let db: TestDatabase;
let server: TestServer;
let dataDir: string;

test.beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'fin-e2e-rec-'));
  db = await freshDatabase('pglite');
  server = await startTestServer(db, { DATA_DIR: dataDir });
});
test.afterAll(async () => {
  await server?.close();
  await db?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A town hall whose agent is in a call with a citizen who consented to the recording; the page is signed in. */
async function consentedCall(page: Page) {
  const { tenant, agents } = await smallTenant(db);
  const deps = { database: db };
  const { attention } = await joinQueue(deps, {
    tenant,
    input: { procedure: 'tramit', channel: 'video', name: 'Pau Vidal', email: 'pau@example.com', language: 'ca', privacyAccepted: true, priority: [], accessibility: { needs: [] } },
  });
  await takeAttention(deps, { tenantId: tenant.id, agent: agents[0], attentionId: attention.id });
  const { recordingId } = await recordConsent(deps, { tenantId: tenant.id, attentionId: attention.id, text: 'Gravem la trucada?' });

  // the agent signs in (the API session cookie is shared with the page)
  const login = await page.request.post(`${server.base}/api/v1/tenants/${tenant.slug}/auth/login`, { data: { email: agents[0].email, password: 'correct horse battery staple' } });
  expect(login.ok()).toBe(true);
  const csrf = (await login.json()).csrfToken as string;
  const root = `/api/v1/tenants/${tenant.slug}/attentions/${attention.id}/recordings/${recordingId}`;
  return { tenant, recordingId, csrf, root };
}

/** Loads recorder.js into a blank page of the server and starts it on the fake camera and microphone. */
async function startRecorder(page: Page, root: string, csrf: string) {
  await page.goto(`${server.base}/`);
  await page.addScriptTag({ url: '/assets/recorder.js' });
  await page.evaluate(
    async ({ root, csrf }) => {
      const w = window as unknown as { __states: unknown[]; __rec: { stop(): Promise<void> }; FinRecorder: { start(o: unknown): { stop(): Promise<void> } } };
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
      w.__states = [];
      w.__rec = w.FinRecorder.start({
        streams: [stream],
        chunkUrl: (seq: number) => `${root}/chunks/${seq}`,
        statusUrl: root,
        finishUrl: `${root}/finish`,
        csrf,
        timesliceMs: 2000,
        onState: (s: unknown) => w.__states.push(s),
      });
    },
    { root, csrf },
  );
  return () =>
    page.evaluate(() => {
      const s = (window as unknown as { __states: RecorderState[] }).__states;
      return s[s.length - 1];
    });
}

async function assembled(tenantId: string, recordingId: string) {
  const [row] = await db.rows<{ status: string; chunks: number; sha256: string; storage_key: string; mime_type: string }>(sql`
    SELECT status, chunks, sha256, storage_key, mime_type FROM recordings WHERE id = ${recordingId}`);
  const [{ seqs }] = await db.rows<{ seqs: number[] }>(sql`SELECT array_agg(seq ORDER BY seq) AS seqs FROM recording_chunks WHERE recording_id = ${recordingId}`);
  const store = await openFileStore({ DATA_DIR: dataDir });
  return { row, seqs, file: await store.readAll(tenantId, row.storage_key) };
}

test('records a fake camera and microphone in chunks, survives lost uploads and finishes a WebM file', async ({ page }) => {
  const { tenant, recordingId, csrf, root } = await consentedCall(page);

  // the second chunk is lost twice on the way: it must be sent again
  let cut = 0;
  await page.route('**/chunks/1', (route) => (cut++ < 2 ? route.abort('connectionreset') : route.continue()));

  const last = await startRecorder(page, root, csrf);
  await expect.poll(async () => (await last())?.uploaded ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  expect(cut).toBeGreaterThanOrEqual(3);
  expect((await last()).state).toBe('recording');

  await page.evaluate(() => (window as unknown as { __rec: { stop(): Promise<void> } }).__rec.stop());
  const final = await last();
  expect(final).toMatchObject({ state: 'complete', recording: false, pending: 0, lastError: null });
  expect(final.sha256).toMatch(/^[0-9a-f]{64}$/);

  const { row, seqs, file } = await assembled(tenant.id, recordingId);
  expect(row.status).toBe('complete');
  expect(row.chunks).toBeGreaterThanOrEqual(3);
  expect(row.sha256).toBe(final.sha256);
  expect(row.mime_type).toMatch(/^video\/webm/);
  expect(seqs).toEqual(Array.from({ length: row.chunks }, (_, i) => i));
  expect(file.subarray(0, 4).toString('hex')).toBe('1a45dfa3'); // EBML magic: a WebM file
  expect(file.length).toBeGreaterThan(10_000);
  // both the composed video and the mixed audio are in it
  expect(file.includes(Buffer.from('V_VP8')) || file.includes(Buffer.from('V_VP9'))).toBe(true);
  expect(file.includes(Buffer.from('A_OPUS'))).toBe(true);

  // and it plays: after a moment it shows the fake camera (not a black canvas)
  await page.route('**/__recording.webm', (route) => route.fulfill({ status: 200, contentType: 'video/webm', body: file }));
  const picture = await page.evaluate(async () => {
    const v = document.createElement('video');
    v.muted = true;
    v.src = '/__recording.webm';
    await new Promise((resolve, reject) => {
      v.ontimeupdate = () => v.currentTime > 2 && resolve(null);
      v.onerror = () => reject(new Error('cannot play the recording'));
      void v.play();
    });
    v.pause();
    const c = document.createElement('canvas');
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    const g = c.getContext('2d')!;
    g.drawImage(v, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    let lit = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] + px[i + 1] + px[i + 2] > 60) lit++;
    return { width: v.videoWidth, height: v.videoHeight, lit: lit / (px.length / 4) };
  });
  expect(picture).toMatchObject({ width: 1280, height: 720 });
  expect(picture.lit).toBeGreaterThan(0.2);
});

test('sends after a reload the chunks a page could not upload (kept in IndexedDB)', async ({ page }) => {
  const { tenant, recordingId, csrf, root } = await consentedCall(page);
  // the network is down: nothing reaches the server
  await page.route('**/chunks/*', (route) => route.abort('internetdisconnected'));
  let last = await startRecorder(page, root, csrf);
  await expect.poll(async () => (await last())?.pending ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  const kept = () =>
    page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const req = indexedDB.open('finestreta-recorder', 1);
          req.onsuccess = () => {
            const count = req.result.transaction('chunks').objectStore('chunks').count();
            count.onsuccess = () => resolve(count.result);
          };
        }),
    );
  await expect.poll(kept, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
  const before = await kept();

  // the page is reloaded (the recorder in it is gone) and the network is back
  await page.unroute('**/chunks/*');
  await page.reload();
  last = await startRecorder(page, root, csrf);
  await expect.poll(async () => (await last())?.uploaded ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(before + 1);
  await page.evaluate(() => (window as unknown as { __rec: { stop(): Promise<void> } }).__rec.stop());
  expect(await last()).toMatchObject({ state: 'complete', pending: 0 });
  expect(await kept()).toBe(0);

  const { row, seqs, file } = await assembled(tenant.id, recordingId);
  expect(row.status).toBe('complete');
  expect(seqs).toEqual(Array.from({ length: row.chunks }, (_, i) => i));
  expect(row.chunks).toBeGreaterThanOrEqual(before + 1);
  expect(file.subarray(0, 4).toString('hex')).toBe('1a45dfa3');
});
