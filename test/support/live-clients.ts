/** WebSocket clients for the live tests: a staff session, a room participant that collects messages. */
import WebSocket from 'ws';

export type Collected = Record<string, any>;

/** Signs in through the staff page and returns the page session cookie. */
export async function staffCookie(base: string, slug: string, email: string): Promise<string> {
  const res = await fetch(`${base}/${slug}/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password: 'correct horse battery staple' }),
    redirect: 'manual',
  });
  const cookie = res.headers.get('set-cookie');
  if (!cookie) throw new Error(`sign-in failed: ${res.status}`);
  return cookie.split(';')[0];
}

/** The CSRF token of a page session (read from a staff page). */
export async function staffCsrf(base: string, slug: string, cookie: string): Promise<string> {
  const page = await fetch(`${base}/${slug}/staff`, { headers: { cookie } });
  return /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
}

/** A socket that records every message and lets a test wait for one of a type. */
export function liveSocket(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const messages: Collected[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (d) => {
    messages.push(JSON.parse(String(d)));
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  const opened = new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  async function next(type: string, ms = 5000, where: (m: Collected) => boolean = () => true): Promise<Collected> {
    const until = Date.now() + ms;
    for (;;) {
      const i = messages.findIndex((m) => m.type === type && where(m));
      if (i >= 0) return messages.splice(i, 1)[0];
      if (Date.now() > until) throw new Error(`no ${type} message; got ${JSON.stringify(messages).slice(0, 500)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
  return { ws, messages, next, closed, opened, send: (m: unknown) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)) };
}
