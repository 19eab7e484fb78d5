// Load generator for bench/booking-storm.ts. Runs in a worker thread (plain JS so
// that it needs no TypeScript loader) so that the clients do not share the
// server's event loop. N concurrent keep-alive clients POST bookings from a
// shared work list until the list is used up or the deadline passes.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { base, path, template, starts, emailPrefix, concurrency, durationMs } = workerData;
const url = new URL(base);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });

function post(body) {
  return new Promise((resolve) => {
    const payload = Buffer.from(body);
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
        timeout: 30_000,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => resolve({ status: 0, text: String(e) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, text: `${e.code ?? ''} ${e.message}` }));
    req.end(payload);
  });
}

const latOk = new Float64Array(starts.length);
const latAll = new Float64Array(starts.length);
let nOk = 0;
let nAll = 0;
let next = 0;
const statuses = {};
const codes = {};
const samples = [];

const t0 = performance.now();
const deadline = t0 + durationMs;

async function client() {
  while (next < starts.length && performance.now() < deadline) {
    const i = next++;
    const body = JSON.stringify({ ...template, start: starts[i], email: `${emailPrefix}${i}@bench.example` });
    const s = performance.now();
    const r = await post(body);
    const ms = performance.now() - s;
    latAll[nAll++] = ms;
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status === 201) {
      latOk[nOk++] = ms;
    } else {
      let code = `http_${r.status}`;
      try {
        code = JSON.parse(r.text).code ?? code;
      } catch {
        /* not JSON */
      }
      codes[code] = (codes[code] ?? 0) + 1;
      if (samples.length < 3) samples.push(`${r.status} ${r.text.slice(0, 200)}`);
    }
  }
}

await Promise.all(Array.from({ length: concurrency }, client));
const elapsedMs = performance.now() - t0;
agent.destroy();
parentPort.postMessage({
  elapsedMs,
  ok: nOk,
  sent: nAll,
  latOk: latOk.slice(0, nOk),
  latAll: latAll.slice(0, nAll),
  statuses,
  codes,
  samples,
  exhausted: next >= starts.length,
});
