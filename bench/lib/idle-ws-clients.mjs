// Client side of bench/realtime-capacity.ts, in its own process so that its
// sockets, memory and CPU are not counted in the server's figures (nor in the
// orchestrator's file descriptors). Plain JS, run with node and an IPC channel.
//
// `{cmd: 'connect', urls, n, concurrency, timeoutMs}` opens n WebSockets, socket i
// to urls[i % urls.length], at most `concurrency` handshakes in flight at a time
// (a ramp rather than a stampede), and counts a socket as connected when its
// first frame (the server's hello) arrives. Replies `{type: 'connected',
// connected, failed, ms, errors}`; the sockets then stay open and idle.
// `{cmd: 'count'}` replies how many are still open; `{cmd: 'close'}` closes them
// all and replies. The process exits when the parent goes away.
import WebSocket from 'ws';

const sockets = [];
let open = 0;
const send = (m) => process.send?.(m);

function connectOne(url, timeoutMs) {
  return new Promise((resolve) => {
    let done = false;
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    const finish = (ok, why) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ok, why });
    };
    const timer = setTimeout(() => {
      ws.terminate();
      finish(false, 'no hello in time');
    }, timeoutMs);
    ws.once('message', () => {
      open++;
      sockets.push(ws);
      finish(true);
    });
    ws.on('close', (code, reason) => {
      if (done) open--;
      finish(false, `closed ${code} ${String(reason)}`);
    });
    ws.on('error', (e) => finish(false, e.code ?? e.message));
  });
}

async function connectAll({ urls, n, concurrency, timeoutMs }) {
  const t0 = performance.now();
  let next = 0;
  let failed = 0;
  const errors = {};
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const r = await connectOne(urls[i % urls.length], timeoutMs);
      if (!r.ok) {
        failed++;
        errors[r.why] = (errors[r.why] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  send({ type: 'connected', connected: open, failed, ms: performance.now() - t0, errors });
}

process.on('message', (m) => {
  if (m.cmd === 'connect') void connectAll(m);
  else if (m.cmd === 'count') send({ type: 'count', open });
  else if (m.cmd === 'close') {
    for (const ws of sockets) ws.terminate();
    send({ type: 'closed' });
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
