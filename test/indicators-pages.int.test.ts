import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../server/i18n/i18n.js';
import { computeIndicators } from '../server/modules/indicators/compute-indicators.js';
import { indicatorTables, tableToCsv } from '../server/modules/indicators/indicator-tables.js';
import { joinQueue, queueEntryInput } from '../server/modules/attention/join-queue.js';
import { createStaff } from '../server/modules/staff/create-staff.js';
import { formatDuration } from '../server/http/pages/staff/indicators/figures-format.js';
import { insertAttentionHistory, type HistoryItem } from './support/attention-history.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { getPage as get } from './support/pages.js';
import { api, smallTenant, startTestServer, type TestServer } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

const PASSWORD = 'correct horse battery staple';
const MARCH = 'from=2025-03-01&to=2025-03-31';
type Town = Awaited<ReturnType<typeof smallTenant>>;

/** The text of a headline figure of the dashboard. */
function figure(html: string, key: string): string {
  const m = new RegExp(`data-figure="${key}"><dt>[^<]*</dt><dd><span class="value">([^<]*)</span>`).exec(html);
  if (!m) throw new Error(`no figure ${key}`);
  return m[1];
}

/** The rows of a dashboard table as text cells (header row first). */
function tableRows(html: string, id: string): string[][] {
  const m = new RegExp(`<table class="figures-table" id="table-${id}">([\\s\\S]*?)</table>`).exec(html);
  if (!m) throw new Error(`no table ${id}`);
  const body = m[1].replace(/<caption[\s\S]*?<\/caption>/, '');
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => c[1].replace(/<span class="sr-only">[^<]*<\/span>/g, '').replace(/<[^>]+>/g, '').replace(/&amp;/g, '&')),
  );
}

const csvRows = (csv: string) =>
  csv
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter(Boolean)
    .map((l) => l.split(','));

describe.each(DATABASE_KINDS)('indicators dashboard pages on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  let server: TestServer;
  let town: Town;
  let other: Town;
  const cookies: Record<string, string> = {};

  async function signIn(slug: string, email: string): Promise<string> {
    const login = await api(server.base, 'POST', `/api/v1/tenants/${slug}/auth/login`, { email, password: PASSWORD });
    expect(login.status).toBe(200);
    return login.headers.get('set-cookie')!.split(';')[0];
  }

  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    server = await startTestServer(db);
    town = await smallTenant(db);
    other = await smallTenant(db);
    for (const t of [town, other]) {
      await createStaff({ db: db.db, tenantId: t.tenant.id, email: 'boss@prova.example', fullName: 'Cap de Servei', password: PASSWORD, role: 'supervisor' });
    }
    const p = town.procedure.id;
    const agent = town.agents[0].id;
    // March 2025 in Madrid (UTC+1): known by construction
    const history: HistoryItem[] = [
      { procedureId: p, channel: 'video', status: 'closed', due: '2025-03-03T09:00:00Z', waitSeconds: 60, handlingSeconds: 600, appointment: true, agentId: agent, survey: { liked: 8, easy: 9, again: true } },
      { procedureId: p, channel: 'video', status: 'closed', due: '2025-03-04T09:00:00Z', waitSeconds: 120, handlingSeconds: 300, appointment: true, agentId: agent, survey: { liked: 10, easy: 7, again: false } },
      { procedureId: p, channel: 'phone', status: 'closed', due: '2025-03-05T10:00:00Z', waitSeconds: 180, handlingSeconds: 900, outcome: 'missing_documents', agentId: agent },
      { procedureId: p, channel: 'video', status: 'no_show', due: '2025-03-06T09:00:00Z', appointment: true, agentId: agent },
      { procedureId: p, channel: 'callback', status: 'not_reached', due: '2025-03-06T11:00:00Z' },
      { procedureId: p, channel: 'callback', status: 'closed', due: '2025-03-07T12:00:00Z', waitSeconds: 40, handlingSeconds: 200, agentId: agent },
    ];
    await insertAttentionHistory(db, town.tenant.id, history);
    // another town hall's attentions in the same month never show
    await insertAttentionHistory(
      db,
      other.tenant.id,
      [1, 2, 3, 4].map((d) => ({ procedureId: other.procedure.id, channel: 'video' as const, status: 'closed' as const, due: `2025-03-1${d}T09:00:00Z`, waitSeconds: 3000, handlingSeconds: 60 })),
    );
    cookies.supervisor = await signIn(town.tenant.slug, 'boss@prova.example');
    cookies.agent = await signIn(town.tenant.slug, 'agent0@prova.example');
    cookies.otherSupervisor = await signIn(other.tenant.slug, 'boss@prova.example');
  });
  afterAll(async () => {
    await server?.close();
  });

  const page = (path: string, who?: string) => get(server.base, `/${town.tenant.slug}/staff/indicators${path}`, who ? { cookie: cookies[who] } : {});

  it('shows a supervisor the figures of the period, known by construction, with charts and tables', async (t) => {
    if (state.skip) return t.skip();
    const res = await page(`?${MARCH}&lang=en`, 'supervisor');
    expect(res.status).toBe(200);
    const html = res.text;
    expect(html).toContain('<h1>Indicators</h1>');
    expect(figure(html, 'attentions')).toBe('6');
    // waits 60, 120, 180, 40 s; handling 600, 300, 900, 200 s
    expect(figure(html, 'waiting-average')).toBe('1 min 40 s');
    expect(figure(html, 'handling-average')).toBe('8 min 20 s');
    expect(figure(html, 'no-show')).toBe('33.3%');
    expect(html).toContain('1 of 3 appointments');
    expect(figure(html, 'callbacks-not-reached')).toBe('1');
    expect(figure(html, 'missing-documents')).toBe('1');
    expect(figure(html, 'first-contact')).toBe('75%');
    expect(figure(html, 'liked')).toBe('9 / 10');
    expect(figure(html, 'easy')).toBe('8 / 10');
    expect(figure(html, 'again')).toBe('50%');
    // the p90s are what the computation says, written the dashboard's way
    const ind = await computeIndicators(db, town.tenant, { from: '2025-03-01', to: '2025-03-31' }, 'en');
    const en = translator('en');
    expect(figure(html, 'waiting-p90')).toBe(formatDuration(ind.waiting.p90Seconds!, en));
    expect(figure(html, 'handling-p90')).toBe(formatDuration(ind.handling.p90Seconds!, en));

    // the call-back target (4 minutes): the one call-back taken waited 40 s
    expect(html).toMatch(/data-target="callback-4min"[\s\S]*?Met in 100% of 1 cases[\s\S]*?Target met<\/p>/);

    // each chart is a canvas with its data, and a table that says the same
    expect(tableRows(html, 'by-channel').slice(1)).toEqual([
      ['Video call', '3', '50'],
      ['Phone call', '1', '16.7'],
      ['Call-back', '2', '33.3'],
    ]);
    const charts = [...html.matchAll(/<canvas role="img" aria-label="([^"]+)"><\/canvas><script type="application\/json" data-chart[^>]*>([^<]*)<\/script>/g)];
    expect(charts.map((c) => JSON.parse(c[2]).title)).toEqual([
      'Attentions per day',
      'Attentions by consultation type',
      'Attentions by channel',
      'Attentions by procedure',
      'Closed attentions by outcome',
      'Attentions by hour of the day',
      'Attentions by day of the week',
      'Satisfaction survey',
    ]);
    const byChannel = JSON.parse(charts[2][2]);
    expect(byChannel).toMatchObject({ type: 'bar', labels: ['Video call', 'Phone call', 'Call-back'], datasets: [{ data: [3, 1, 2] }] });
    const byDay = JSON.parse(charts[0][2]);
    expect(byDay.type).toBe('line');
    expect(byDay.datasets[0].data).toHaveLength(31);
    expect(byDay.datasets[0].data.slice(2, 7)).toEqual([1, 1, 1, 2, 1]);
    expect(byDay.datasets[0].data.reduce((a: number, b: number) => a + b, 0)).toBe(6);
    // Monday 3 … Friday 7 March; local hours 10, 11, 12, 13
    expect(JSON.parse(charts[6][2]).datasets[0].data).toEqual([1, 1, 1, 2, 1, 0, 0]);
    expect(JSON.parse(charts[5][2]).datasets[0].data.slice(10, 14)).toEqual([3, 1, 1, 1]);
    expect(JSON.parse(charts[7][2]).datasets.map((d: { data: number[] }) => [d.data[8], d.data[10], d.data[9], d.data[7]])).toEqual([
      [1, 1, 0, 0],
      [0, 0, 1, 1],
    ]);
    // every table has a CSV link that keeps the filter
    for (const id of ['by-day', 'by-type', 'by-channel', 'by-procedure', 'by-hour', 'by-weekday', 'satisfaction', 'targets', 'summary', 'times']) {
      expect(html).toContain(`href="/${town.tenant.slug}/staff/indicators/${id}.csv?${MARCH.replace('&', '&amp;')}"`);
    }
    // the "now" panel and the live script's settings
    expect(html).toContain('id="now-panel"');
    expect(html).toMatch(/<dd data-now="waiting" data-label="Citizens waiting" data-value="0">0<\/dd>/);
    const live = JSON.parse(/<script type="application\/json" id="indicators-live-config">([^<]*)<\/script>/.exec(html)![1]);
    expect(live).toMatchObject({ api: `/${town.tenant.slug}/staff/console/api/indicators/now`, socket: `/${town.tenant.slug}/staff/live`, pollSeconds: 15 });
    expect(live.strings.minutes).toBe('{{m}} min {{s}} s');
    expect(html).toContain('<script src="/assets/vendor/chart.umd.min.js" defer>');
  });

  it('filters by channel and agent, and marks the quick period in use', async (t) => {
    if (state.skip) return t.skip();
    const callbacks = await page(`?${MARCH}&channel=callback&lang=en`, 'supervisor');
    expect(callbacks.status).toBe(200);
    expect(figure(callbacks.text, 'attentions')).toBe('2');
    expect(callbacks.text).toMatch(/<option value="callback" selected>/);
    const byAgent = await page(`?${MARCH}&agent=${town.agents[0].id}&lang=en`, 'supervisor');
    expect(figure(byAgent.text, 'attentions')).toBe('5');
    const today = await page('?lang=en', 'supervisor');
    expect(today.text).toMatch(/<a href="[^"]+" aria-current="true">Last 30 days<\/a>/);
  });

  it('lets no agent in, and sends a visitor without a session to the sign-in page', async (t) => {
    if (state.skip) return t.skip();
    const agent = await page('?lang=en', 'agent');
    expect(agent.status).toBe(403);
    expect(agent.type).toContain('text/html');
    expect(agent.text).not.toContain('now-panel');
    expect((await get(server.base, `/${town.tenant.slug}/staff/indicators/summary.csv`, { cookie: cookies.agent })).status).toBe(403);
    const anonymous = await page('');
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toMatch(new RegExp(`^/${town.tenant.slug}/staff/login`));
    expect((await get(server.base, `/${town.tenant.slug}/staff/indicators/summary.csv`)).status).toBe(303);
  });

  it('explains a wrong filter on the form, translated, never with a 500', async (t) => {
    if (state.skip) return t.skip();
    const cases: Array<[string, number, string, string]> = [
      ['?from=2025-02-30&to=2025-03-31&lang=en', 422, 'from', 'The period is not valid'],
      ['?from=2025-03-31&to=2025-03-01&lang=es', 422, 'from', 'El período no es válido'],
      ['?from=2020-01-01&to=2025-03-31&lang=ca', 422, 'to', 'El període és massa llarg'],
      ['?procedure=not-an-id&lang=en', 422, 'procedure', 'does not exist'],
      [`?procedure=${other.procedure.id}&lang=en`, 422, 'procedure', 'does not exist'],
      [`?agent=${other.agents[0].id}&lang=en`, 422, 'agent', 'does not exist'],
      ['?channel=fax&lang=en', 400, 'channel', 'Choose one of the options in the list.'],
      [`?from=${'9'.repeat(200)}&lang=en`, 400, 'from', 'The period is not valid'],
      ['?to=%00&lang=en', 422, 'to', 'The period is not valid'],
    ];
    for (const [query, status, field, text] of cases) {
      const res = await page(query, 'supervisor');
      expect(res.status, query).toBe(status);
      const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(res.text)?.[0] ?? '';
      expect(summary, query).toContain(`href="#f-${field}"`);
      expect(summary, query).toContain(text);
      expect(res.text, query).toContain('<form method="get"');
      expect(res.text, query).not.toContain('id="headline"');
    }
    // the CSV of a wrong filter answers its code too
    expect((await get(server.base, `/${town.tenant.slug}/staff/indicators/summary.csv?from=2025-02-30`, { cookie: cookies.supervisor })).status).toBe(422);
    expect((await get(server.base, `/${town.tenant.slug}/staff/indicators/nothing.csv`, { cookie: cookies.supervisor })).status).toBe(404);
    expect((await get(server.base, `/${town.tenant.slug}/staff/indicators/summary.txt`, { cookie: cookies.supervisor })).status).toBe(404);
  });

  it('exports each table as CSV with the session cookie, the same as the table on the page', async (t) => {
    if (state.skip) return t.skip();
    const html = (await page(`?${MARCH}&lang=en`, 'supervisor')).text;
    const ind = await computeIndicators(db, town.tenant, { from: '2025-03-01', to: '2025-03-31' }, 'en');
    const tables = indicatorTables(ind, translator('en'));
    for (const id of ['by-channel', 'by-weekday', 'summary', 'targets']) {
      const res = await fetch(`${server.base}/${town.tenant.slug}/staff/indicators/${id}.csv?${MARCH}&lang=en`, { headers: { cookie: cookies.supervisor } });
      expect(res.status, id).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${town.tenant.slug}-${id}-2025-03-01-2025-03-31.csv"`);
      const body = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
      expect(body).toBe(tableToCsv(tables.find((x) => x.id === id)!));
      // the page's table has the same rows, first cells and counts
      const shown = tableRows(html, id);
      const csv = csvRows(body);
      expect(shown.length, id).toBe(csv.length);
      expect(shown.map((r) => r[0])).toEqual(csv.map((r) => r[0]));
    }
    const byChannel = new TextDecoder('utf-8', { ignoreBOM: true }).decode(
      await (await fetch(`${server.base}/${town.tenant.slug}/staff/indicators/by-channel.csv?${MARCH}&lang=en`, { headers: { cookie: cookies.supervisor } })).arrayBuffer(),
    );
    expect(byChannel).toBe('\uFEFFChannel,Attentions,Share (%)\r\nVideo call,3,50\r\nPhone call,1,16.7\r\nCall-back,2,33.3\r\n');
  });

  it("never shows another town hall's figures, nor lets its session in", async (t) => {
    if (state.skip) return t.skip();
    const mine = await get(server.base, `/${other.tenant.slug}/staff/indicators?${MARCH}&lang=en`, { cookie: cookies.otherSupervisor });
    expect(mine.status).toBe(200);
    expect(figure(mine.text, 'attentions')).toBe('4');
    expect(figure(mine.text, 'waiting-average')).toBe('50 min');
    // town's session on the other town hall's dashboard is no session there
    const crossed = await get(server.base, `/${other.tenant.slug}/staff/indicators?${MARCH}`, { cookie: cookies.supervisor });
    expect(crossed.status).toBe(303);
    const crossedCsv = await get(server.base, `/${other.tenant.slug}/staff/indicators/summary.csv?${MARCH}`, { cookie: cookies.supervisor });
    expect(crossedCsv.status).toBe(303);
    // a citizen waiting in the other town hall is not in this one's "now" panel
    await joinQueue(
      { database: db },
      { tenant: other.tenant, input: queueEntryInput.parse({ procedure: 'tramit', channel: 'video', name: 'Pere Casals', email: 'pere@example.com', language: 'ca', privacyAccepted: true }) },
    );
    const waitingOf = (html: string) => /<dd data-now="waiting" data-label="[^"]*" data-value="(\d+)">/.exec(html)?.[1];
    expect(waitingOf((await get(server.base, `/${other.tenant.slug}/staff/indicators?lang=en`, { cookie: cookies.otherSupervisor })).text)).toBe('1');
    expect(waitingOf((await page('?lang=en', 'supervisor')).text)).toBe('0');
    // and the town's own page lists only its own people
    const html = (await page(`?${MARCH}&lang=en`, 'supervisor')).text;
    expect(html).toContain(`value="${town.agents[0].id}"`);
    expect(html).not.toContain(`value="${other.agents[0].id}"`);
    expect(html).not.toContain(`value="${other.procedure.id}"`);
  });

  it('serves Chart.js from the same origin, cached, allowed by the CSP', async (t) => {
    if (state.skip) return t.skip();
    const res = await fetch(`${server.base}/assets/vendor/chart.umd.min.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d{6,}/);
    const body = await res.text();
    expect(body.length).toBeGreaterThan(100_000);
    expect(body).toContain('Chart');
    const again = await fetch(`${server.base}/assets/vendor/chart.umd.min.js`, { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const pageRes = await fetch(`${server.base}/${town.tenant.slug}/staff/indicators`, { headers: { cookie: cookies.supervisor } });
    expect(pageRes.headers.get('content-security-policy')).toContain("script-src 'self'");
    for (const asset of ['indicator-charts.js', 'indicators-live.js', 'indicators.css']) {
      expect((await fetch(`${server.base}/assets/${asset}`)).status, asset).toBe(200);
    }
  });
});
