/** Starts a real Finestreta HTTP server on 127.0.0.1 for tests, with a tenant of its own. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../server/config/config.js';
import type { Database } from '../../server/db/client.js';
import { seedDemo } from '../../server/db/demo-seed.js';
import { startServer, type Running } from '../../server/server.js';

export type TestServer = Running & { base: string };

export async function startTestServer(database: Database, env: Record<string, string> = {}): Promise<TestServer> {
  // Files (recordings, keys) go to a throw-away folder unless the test names one.
  const ownDir = env.DATA_DIR ? undefined : mkdtempSync(path.join(tmpdir(), 'finestreta-test-'));
  const config = loadConfig({
    DATA_DIR: ownDir ?? env.DATA_DIR,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    JOB_POLL_MS: '100',
    RATE_LIMIT_BOOKING_PER_MINUTE: '100000',
    RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
    RATE_LIMIT_QUEUE_PER_MINUTE: '100000',
    DEMO_SEED: 'false',
    // sampling availability would add counters to the rollups that tests count; the sampler's tests run it themselves
    FIRST_FREE_SAMPLE_SECONDS: '0',
    PUBLIC_URL: 'http://127.0.0.1:0',
    ...env,
  });
  const running = await startServer(config, pino({ level: 'silent' }), { database });
  const port = (running.app.server.address() as { port: number }).port;
  return {
    ...running,
    base: `http://127.0.0.1:${port}`,
    async close() {
      await running.close();
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}

/** A unique slug so that every test has its own town hall. */
export function uniqueSlug(prefix = 't'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A demo-like tenant with known staff password. */
export async function seedTenant(database: Database, slug = uniqueSlug()) {
  return seedDemo(database.db, { slug, password: 'correct horse battery staple' });
}

export async function api(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

/** A town hall with one procedure (30 min, video/callback) and `agents` agents working Mon–Fri 08–20. */
export async function smallTenant(database: Database, o: { agents?: number; cutoffMinutes?: number; holidays?: string[] } = {}) {
  const { createTenant } = await import('../../server/modules/tenants/create-tenant.js');
  const { saveProcedure } = await import('../../server/modules/catalogue/save-procedure.js');
  const { createStaff } = await import('../../server/modules/staff/create-staff.js');
  const tenant = await createTenant({
    db: database.db,
    input: {
      slug: uniqueSlug('s'),
      name: 'Ajuntament de Prova',
      dir3Code: 'L01080001',
      cancelCutoffMinutes: o.cutoffMinutes ?? 60,
      holidays: (o.holidays ?? []).map((day) => ({ day, name: { ca: 'Festa', es: 'Fiesta', en: 'Holiday' } })),
    },
  });
  const procedure = await saveProcedure({
    db: database.db,
    tenant,
    input: {
      code: 'tramit',
      name: { ca: 'Tràmit', es: 'Trámite', en: 'Procedure' },
      help: { ca: 'Ajuda', es: 'Ayuda', en: 'Help' },
      channels: ['video', 'callback', 'phone'],
      durationMinutes: 30,
      bufferMinutes: 0,
      minNoticeMinutes: 60,
      horizonDays: 30,
      documents: [{ description: { ca: 'DNI', es: 'DNI', en: 'ID card' } }],
    },
  });
  const week = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startsAt: '08:00', endsAt: '20:00' }));
  const agents = [];
  for (let i = 0; i < (o.agents ?? 1); i++) {
    agents.push(
      await createStaff({
        db: database.db,
        tenantId: tenant.id,
        email: `agent${i}@prova.example`,
        fullName: `Agent ${i}`,
        password: 'correct horse battery staple',
        role: 'agent',
        channels: ['video', 'callback', 'phone'],
        schedule: week,
      }),
    );
  }
  return { tenant, procedure, agents };
}

/** A booking body for the API. */
export function bookingBody(start: string, over: Record<string, unknown> = {}) {
  return {
    procedure: 'tramit',
    channel: 'video',
    start,
    name: 'Núria Prats',
    email: 'nuria@example.com',
    language: 'ca',
    privacyAccepted: true,
    ...over,
  };
}

/** Signs a staff member in through the API; the headers that carry the session (cookie and CSRF token). */
export async function apiSession(base: string, slug: string, email: string, password: string): Promise<{ cookie: string; 'x-csrf-token': string }> {
  const r = await api(base, 'POST', `/api/v1/tenants/${slug}/auth/login`, { email, password });
  if (r.status !== 200) throw new Error(`sign-in of ${email} answered ${r.status}`);
  return { cookie: r.headers.get('set-cookie')!.split(';')[0], 'x-csrf-token': r.json.csrfToken as string };
}
