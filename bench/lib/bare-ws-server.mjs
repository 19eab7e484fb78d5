// The baseline of bench/realtime-capacity.ts: a bare `ws` WebSocketServer (the
// library under @fastify/websocket, same version, same maxPayload) in a child
// process on 127.0.0.1, holding idle sockets. Each socket gets one small hello
// frame (so that clients can wait for it, as they wait for the room's hello) and
// a no-op message handler. Plain JS: it runs without the TypeScript loader.
// IPC as bench/lib/realtime-server.ts: `mem`, `cpu`, `stop`; `ready` once listening.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';

const send = (m) => process.send?.(m);

function vmRss() {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 });
wss.on('connection', (socket) => {
  socket.on('message', () => undefined);
  socket.on('error', () => socket.terminate());
  socket.send('{"type":"hello"}');
});

const stop = () => {
  for (const c of wss.clients) c.terminate();
  wss.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('disconnect', stop);
process.on('SIGTERM', stop);

const elu0 = performance.eventLoopUtilization();
process.on('message', (m) => {
  if (m.cmd === 'stop') return stop();
  if (m.cmd === 'mem') {
    if (m.gc && globalThis.gc) {
      globalThis.gc();
      globalThis.gc();
    }
    const u = process.memoryUsage();
    send({ type: 'reply', id: m.id, rss: vmRss(), heapUsed: u.heapUsed, heapTotal: u.heapTotal, external: u.external, arrayBuffers: u.arrayBuffers });
  } else if (m.cmd === 'cpu') {
    const c = process.cpuUsage();
    send({ type: 'reply', id: m.id, cpuMs: (c.user + c.system) / 1000, elu: performance.eventLoopUtilization(elu0) });
  }
});

wss.on('listening', () => send({ type: 'ready', url: `http://127.0.0.1:${wss.address().port}`, pid: process.pid }));
