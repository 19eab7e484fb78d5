import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { h } from 'preact';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDate } from '../server/i18n/format.js';
import { translator } from '../server/i18n/i18n.js';
import { compareTenants } from '../server/modules/transparency/compare-tenants.js';
import { buildMonthPublication } from '../server/modules/transparency/month-publication.js';
import { openDataDaily } from '../server/modules/transparency/open-data.js';
import { publicIndicators } from '../server/modules/transparency/public-indicators.js';
import { addMonths, lastSettledMonth, monthPeriod } from '../server/modules/transparency/public-period.js';
import { PublicationStore } from '../server/modules/transparency/publication-store.js';
import { publishedMonth } from '../server/modules/transparency/publish-month.js';
import { monthLabel } from '../server/http/pages/citizen/transparency.page.js';
import { renderPage } from '../server/http/pages/layout.js';
import { ComparePage } from '../server/http/pages/staff/compare.page.js';
import { insertAttentionHistory, type HistoryItem } from './support/attention-history.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { getPage } from './support/pages.js';
import { api, seedTenant, startTestServer, uniqueSlug, type TestServer } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

type Town = Awaited<ReturnType<typeof seedTenant>>;
const PASSWORD = 'correct horse battery staple';
const ZONE = 'Europe/Madrid';
/** The last settled month (small cells) and the one before (every cell 5 or more). */
const M1 = lastSettledMonth(ZONE);
const M2 = addMonths(M1, -1);
const at = (month: string, day: number, minute = 0) => new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5)) - 1, day, 9, minute)).toISOString();
const times = (n: number, make: (i: number) => HistoryItem) => Array.from({ length: n }, (_, i) => make(i));

describe.each(DATABASE_KINDS)('public transparency on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  let server: TestServer;
  const operatorSlug = uniqueSlug('op');
  let town: Town;
  let operator: Town;
  let optedOut: Town;
  const procedures: { id: string; code: string; name: Record<string, string> }[] = [];
  const types: { id: string; code: string }[] = [];
  let agentId: string;
  /** Every answer body, to look for personal data at the end. */
  const bodies: string[] = [];

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await api(server.base, 'GET', path, undefined, headers);
    bodies.push(res.text);
    return res;
  };

  async function signIn(t: Town, role: 'supervisor' | 'agent' | 'admin') {
    const email = t.accounts.find((a) => a.role === role)!.email;
    const res = await api(server.base, 'POST', `/api/v1/tenants/${t.tenant.slug}/auth/login`, { email, password: PASSWORD });
    expect(res.status).toBe(200);
    return { cookie: res.headers.get('set-cookie')!.split(';')[0] };
  }

  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    server = await startTestServer(db, { OPERATOR_TENANT: operatorSlug, TRUST_PROXY: 'true' });
    town = await seedTenant(db);
    operator = await seedTenant(db, operatorSlug);
    optedOut = await seedTenant(db);
    await db.rows(sql`UPDATE tenants SET settings = settings || ${JSON.stringify({ indicators: { publishTransparency: false, shareWithOperator: false } })}::jsonb WHERE id = ${optedOut.tenant.id}`);
    // a target per channel with something to measure: video within 2 minutes (and the default call-back one)
    const targets = [
      { id: 'callback-4min', metric: 'wait', channel: 'callback', threshold: 240, goalPercent: 90 },
      { id: 'video-2min', metric: 'wait', channel: 'video', threshold: 120, goalPercent: 90 },
      { id: 'phone-2min', metric: 'wait', channel: 'phone', threshold: 120, goalPercent: 90 },
    ];
    await db.rows(sql`UPDATE tenants SET settings = settings || ${JSON.stringify({ indicators: { targets } })}::jsonb WHERE id = ${town.tenant.id}`);
    procedures.push(...(await db.rows<(typeof procedures)[number]>(sql`SELECT id, code, name FROM procedures WHERE tenant_id = ${town.tenant.id} ORDER BY position, code LIMIT 3`)));
    types.push(...(await db.rows<(typeof types)[number]>(sql`SELECT id, code FROM typologies WHERE tenant_id = ${town.tenant.id} ORDER BY position, code LIMIT 2`)));
    [{ id: agentId }] = await db.rows<{ id: string }>(sql`SELECT id FROM staff WHERE tenant_id = ${town.tenant.id} AND role = 'agent' ORDER BY email LIMIT 1`);
    const [P1, P2, P3] = procedures.map((p) => p.id);
    const [T1, T2] = types.map((t) => t.id);
    const closed = (o: Partial<HistoryItem> & Pick<HistoryItem, 'procedureId' | 'channel' | 'due'>): HistoryItem => ({ status: 'closed', handlingSeconds: 300, agentId, ...o });
    const liked = [8, 8, 8, 9, 9, 10];
    await insertAttentionHistory(db, town.tenant.id, [
      // M2: every cell 5 or more
      ...times(10, (i) => closed({ procedureId: P1, channel: 'video', due: at(M2, 5, i), waitSeconds: 60, typologyId: T1, survey: i < 6 ? { liked: liked[i], easy: 10, again: i !== 5 } : undefined })),
      ...times(5, (i) => closed({ procedureId: P1, channel: 'phone', due: at(M2, 6, i), waitSeconds: 120, typologyId: T1 })),
      ...times(6, (i) => closed({ procedureId: P2, channel: 'video', due: at(M2, 7, i), waitSeconds: 30, typologyId: T2 })),
      ...times(5, (i) => ({ procedureId: P2, channel: 'video', status: 'no_show', due: at(M2, 7, 30 + i) }) as HistoryItem),
      // M1: a call-back cell of 3 (and two survey answers)
      ...times(7, (i) => closed({ procedureId: P1, channel: 'video', due: at(M1, 10, i), waitSeconds: 60, typologyId: T1, survey: i < 2 ? { liked: 7, easy: 7, again: true } : undefined })),
      ...times(6, (i) => closed({ procedureId: P1, channel: 'phone', due: at(M1, 10, 20 + i), waitSeconds: 60, typologyId: T1 })),
      ...times(5, (i) => closed({ procedureId: P3, channel: 'video', due: at(M1, 11, i), waitSeconds: 30, typologyId: T2 })),
      ...times(3, (i) => closed({ procedureId: P2, channel: 'callback', due: at(M1, 12, i), waitSeconds: 240, typologyId: T1 })),
    ]);
    // the opted-out town hall has attentions too
    const [other] = await db.rows<{ id: string }>(sql`SELECT id FROM procedures WHERE tenant_id = ${optedOut.tenant.id} ORDER BY position LIMIT 1`);
    await insertAttentionHistory(db, optedOut.tenant.id, times(8, (i) => ({ procedureId: other.id, channel: 'video', status: 'closed', due: at(M1, 3, i), waitSeconds: 15, handlingSeconds: 60 })));
  });
  afterAll(async () => {
    await server?.close();
  });

  const cell = (value: number) => ({ value, suppressed: false });
  const hidden = { value: null, suppressed: true };

  it('publishes a month with every cell of 5 or more exactly as recorded', async (t) => {
    if (state.skip) return t.skip();
    const res = await get(`/api/v1/open-data/${town.tenant.slug}/summary?month=${M2}&lang=en`);
    expect(res.status).toBe(200);
    const s = res.json;
    expect(s.period).toEqual({ kind: 'month', from: `${M2}-01`, to: expect.stringMatching(new RegExp(`^${M2}-(28|29|30|31)$`)), months: [M2] });
    expect(s.minimumCell).toBe(5);
    expect(s.attentions).toEqual(cell(26));
    expect(s.byChannel).toEqual([
      { key: 'video', label: 'Video call', ...cell(21) },
      { key: 'phone', label: 'Phone call', ...cell(5) },
      { key: 'callback', label: 'Call-back', ...cell(0) },
    ]);
    expect(s.byProcedure.map((x: { key: string; value: number }) => [x.key, x.value])).toEqual([
      [procedures[0].code, 15],
      [procedures[1].code, 11],
    ]);
    expect(s.byProcedure[0].label).toBe(procedures[0].name.en);
    expect(s.byType.map((x: { key: string; value: number; suppressed: boolean }) => [x.key, x.value, x.suppressed])).toEqual([
      [types[0].code, 15, false],
      [types[1].code, 6, false],
      ['_none', 5, false],
    ]);
    // rounded: whole seconds (1380 / 21 = 65.7), scores to 0.1 (52 / 6 = 8.67), shares to whole percent (5 / 6)
    expect(s.waitingAverageSeconds).toEqual(cell(66));
    expect(s.satisfaction.answers).toEqual(cell(6));
    expect(s.satisfaction.likedAverage).toEqual(cell(8.7));
    expect(s.satisfaction.easyAverage).toEqual(cell(10));
    expect(s.satisfaction.againShare).toEqual(cell(0.83));
    expect(s.targets).toEqual([
      { id: 'callback-4min', label: expect.any(String), goalPercent: 90, share: { value: null, suppressed: false }, met: null },
      { id: 'video-2min', label: expect.any(String), goalPercent: 90, share: cell(1), met: true },
      { id: 'phone-2min', label: expect.any(String), goalPercent: 90, share: cell(1), met: true },
    ]);

    const daily = await get(`/api/v1/open-data/${town.tenant.slug}/daily?from=${M2}-01&to=${M2}-28&lang=ca`);
    expect(daily.status).toBe(200);
    expect(daily.json.language).toBe('ca');
    expect(daily.json.rows).toEqual([
      { date: `${M2}-05`, procedure: { code: procedures[0].code, name: procedures[0].name.ca }, channel: 'video', attentions: 10, suppressed: false, averageWaitSeconds: 60, averageWaitSuppressed: false, types: [{ code: types[0].code, name: expect.any(String), attentions: 10, suppressed: false }] },
      { date: `${M2}-06`, procedure: { code: procedures[0].code, name: procedures[0].name.ca }, channel: 'phone', attentions: 5, suppressed: false, averageWaitSeconds: 120, averageWaitSuppressed: false, types: [{ code: types[0].code, name: expect.any(String), attentions: 5, suppressed: false }] },
      {
        date: `${M2}-07`,
        procedure: { code: procedures[1].code, name: procedures[1].name.ca },
        channel: 'video',
        attentions: 11,
        suppressed: false,
        averageWaitSeconds: 30,
        averageWaitSuppressed: false,
        types: [
          { code: types[1].code, name: expect.any(String), attentions: 6, suppressed: false },
          { code: '_none', name: translator('ca')('transparency.no_type'), attentions: 5, suppressed: false },
        ],
      },
    ]);
  });

  it('suppresses cells of 1–4 and the cells that would give them away, in the panel and the daily rows alike', async (t) => {
    if (state.skip) return t.skip();
    const s = (await get(`/api/v1/open-data/${town.tenant.slug}/summary?month=${M1}&lang=en`)).json;
    expect(s.attentions).toEqual(cell(21));
    // call-back 3 is hidden; phone (6), the smallest other, too: 21 − 12 = 9 is two hidden cells
    expect(s.byChannel.map((x: { key: string; value: number | null; suppressed: boolean }) => [x.key, x.value, x.suppressed])).toEqual([
      ['video', 12, false],
      ['phone', null, true],
      ['callback', null, true],
    ]);
    // procedure 2 (3) is hidden, and procedure 3 (5) with it
    expect(s.byProcedure).toEqual([
      { key: procedures[0].code, label: procedures[0].name.en, ...cell(13) },
      { key: procedures[1].code, label: procedures[1].name.en, ...hidden },
      { key: procedures[2].code, label: procedures[2].name.en, ...hidden },
    ]);
    // type 2 is exactly procedure 3's 5 attentions, so it goes, and type 1 would then be 21 − 5
    expect(s.byType).toEqual([
      { key: types[0].code, label: expect.any(String), ...hidden },
      { key: types[1].code, label: expect.any(String), ...hidden },
    ]);
    expect(s.waitingAverageSeconds).toEqual(cell(79)); // 1650 / 21 = 78.6
    // two answers: nothing of the satisfaction is published
    expect(s.satisfaction).toEqual({ answers: hidden, likedAverage: hidden, easyAverage: hidden, againShare: hidden });
    expect(s.targets).toEqual([
      { id: 'callback-4min', label: expect.any(String), goalPercent: 90, share: hidden, met: null },
      { id: 'video-2min', label: expect.any(String), goalPercent: 90, share: cell(1), met: true },
      // six phone waits, enough on their own, but the phone count is hidden: its share (6 of 6) would tell it
      { id: 'phone-2min', label: expect.any(String), goalPercent: 90, share: hidden, met: null },
    ]);
    // the daily rows follow the month: every one is hidden here (each would reveal a hidden monthly figure)
    const daily = (await get(`/api/v1/open-data/${town.tenant.slug}/daily?from=${M1}-01&to=${M1}-20`)).json;
    expect(daily.rows).toHaveLength(4);
    for (const r of daily.rows) {
      expect(r).toMatchObject({ attentions: null, suppressed: true, averageWaitSeconds: null, averageWaitSuppressed: true });
      for (const ty of r.types) expect(ty).toMatchObject({ attentions: null, suppressed: true });
    }
    // asking for a part of the month does not change the pattern
    const part = (await get(`/api/v1/open-data/${town.tenant.slug}/daily?from=${M1}-12&to=${M1}-12`)).json;
    expect(part.rows).toEqual([daily.rows[3]]);
  });

  it('shows the last 12 months only where every month shows the figure', async (t) => {
    if (state.skip) return t.skip();
    const s = (await get(`/api/v1/open-data/${town.tenant.slug}/summary?lang=en`)).json;
    expect(s.period.kind).toBe('last12');
    expect(s.period.months).toHaveLength(12);
    expect(s.period.months.slice(-2)).toEqual([M2, M1]);
    expect(s.attentions).toEqual(cell(47));
    expect(s.byChannel.map((x: { value: number | null }) => x.value)).toEqual([33, null, null]);
    expect(s.byProcedure.map((x: { value: number | null }) => x.value)).toEqual([28, null, null]);
    expect(s.byType.map((x: { key: string; value: number | null }) => [x.key, x.value])).toEqual([
      [types[0].code, null],
      [types[1].code, null],
      ['_none', 5],
    ]);
    expect(s.waitingAverageSeconds).toEqual(cell(72)); // 3030 / 42 = 72.1, from the two stored months
    // M2 alone publishes its satisfaction, but M1 hides its two answers: the 12 months cannot show it
    expect(s.satisfaction.likedAverage).toEqual(hidden);
    expect(s.targets.map((x: { id: string; share: unknown; met: unknown }) => [x.id, x.share, x.met])).toEqual([
      ['callback-4min', hidden, null],
      ['video-2min', cell(1), true],
      ['phone-2min', hidden, null],
    ]);
  });

  it('renders the panel with tables that stand alone, chart data without hidden figures, and embeddable headers', async (t) => {
    if (state.skip) return t.skip();
    const page = await getPage(server.base, `/${town.tenant.slug}/transparency?period=${M1}&lang=en`);
    bodies.push(page.text);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Service indicators</h1>');
    expect(page.text).toContain('<caption class="sr-only">Attentions by channel</caption>');
    expect(page.text).toContain('<th scope="row">Video call</th><td class="num">12</td>');
    expect(page.text).toContain('<th scope="row">Phone call</th><td class="num"><span class="suppressed"><span aria-hidden="true">—</span><span class="sr-only">not published</span></span></td>');
    expect(page.text).toContain('<tfoot><tr><th scope="row">Total</th><td class="num">21</td></tr></tfoot>');
    expect(page.text).toContain('"data":[12,null,null]');
    expect(page.text).toContain('<script src="/assets/vendor/chart.umd.min.js" defer></script>');
    expect(page.text).toContain(`<option value="${M1}" selected>`);
    expect(page.text).toContain('class="langs"');
    const headers = await fetch(`${server.base}/${town.tenant.slug}/transparency?embed=1`);
    const html = await headers.text();
    expect(headers.status).toBe(200);
    expect(headers.headers.get('content-security-policy')).toContain('frame-ancestors *');
    expect(headers.headers.get('x-frame-options')).toBeNull();
    // embedded: no site header, footer or language switch; the period form keeps embed
    expect(html).not.toContain('<header');
    expect(html).not.toContain('<footer');
    expect(html).toContain('<input type="hidden" name="embed" value="1"/>');
    // other pages still refuse frames
    const home = await fetch(`${server.base}/${town.tenant.slug}`);
    expect(home.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
    expect(home.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('opens the API to any origin: CORS on answers and preflight, GET/HEAD/OPTIONS only, no cookies', async (t) => {
    if (state.skip) return t.skip();
    const path = `/api/v1/open-data/${town.tenant.slug}/summary?month=${M2}&lang=es`;
    const res = await get(path, { origin: 'https://transparencia.example.org', cookie: 'fin_lang=en' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('access-control-expose-headers')).toContain('ETag');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.json.byChannel[0].label).toBe('Videollamada');

    const pre = await fetch(`${server.base}${path}`, { method: 'OPTIONS', headers: { origin: 'https://transparencia.example.org', 'access-control-request-method': 'GET', 'access-control-request-headers': 'if-none-match' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('if-none-match');
    expect(pre.headers.get('access-control-max-age')).toBe('86400');

    const head = await fetch(`${server.base}${path}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(res.headers.get('etag'));
    expect(await head.text()).toBe('');

    for (const method of ['POST', 'PUT', 'DELETE']) {
      const refused = await api(server.base, method, path, {});
      expect(refused.status).toBe(405);
      expect(refused.json.code).toBe('method_not_allowed');
      expect(refused.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
      expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    }
    // errors are readable cross-origin too
    const bad = await get(`/api/v1/open-data/${town.tenant.slug}/summary?month=2020-13`, { origin: 'https://x.example' });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers CSV with a header row, in UTF-8, with the same suppression', async (t) => {
    if (state.skip) return t.skip();
    const res = await fetch(`${server.base}/api/v1/open-data/${town.tenant.slug}/daily?from=${M2}-01&to=${M1}-20&format=csv&lang=ca`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${town.tenant.slug}-${M2}-01-${M1}-20.csv"`);
    const text = new TextDecoder('utf-8').decode(await res.arrayBuffer());
    bodies.push(text);
    const lines = text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines[0]).toBe('date,procedure_code,procedure_name,channel,type_code,type_name,attentions,average_wait_seconds,suppressed,average_wait_suppressed');
    const q = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const [p1, p2] = procedures;
    expect(lines[1]).toBe(`${M2}-05,${p1.code},${q(p1.name.ca)},video,_all,,10,60,false,false`);
    expect(lines[2]).toMatch(new RegExp(`^${M2}-05,${p1.code},.*,video,${types[0].code},.*,10,,false,$`));
    expect(lines).toContain(`${M2}-07,${p2.code},${q(p2.name.ca)},video,_none,${q(translator('ca')('transparency.no_type'))},5,,false,`);
    // a hidden row: empty figures, suppressed true
    expect(lines.find((l) => l.startsWith(`${M1}-12,`) && l.includes(',_all,'))).toMatch(/,callback,_all,,,,true,true$/);
    // the header; M2: two rows of one type and one of two (a line per row and per type); M1: four rows of one type
    expect(lines).toHaveLength(1 + 2 + 2 + 3 + 4 * 2);
  });

  it('is cached: Cache-Control, and an ETag that answers 304', async (t) => {
    if (state.skip) return t.skip();
    const path = `/api/v1/open-data/${town.tenant.slug}/daily?from=${M2}-01&to=${M2}-10`;
    const first = await get(path);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('public, max-age=300');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    const again = await fetch(`${server.base}${path}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    expect((await fetch(`${server.base}${path}`, { headers: { 'if-none-match': `W/${etag}` } })).status).toBe(304);
    expect((await fetch(`${server.base}${path}`, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
  });

  it('publishes a settled month once: later changes to the rollups never change what is served', async (t) => {
    if (state.skip) return t.skip();
    const fresh = await seedTenant(db);
    const [p] = await db.rows<{ id: string }>(sql`SELECT id FROM procedures WHERE tenant_id = ${fresh.tenant.id} ORDER BY position LIMIT 1`);
    const phone = (minute: number, waitSeconds = 45): HistoryItem => ({ procedureId: p.id, channel: 'phone', status: 'closed', due: at(M1, 4, minute), waitSeconds, handlingSeconds: 60 });
    await insertAttentionHistory(db, fresh.tenant.id, times(6, (i) => phone(i)));
    const daily = `/api/v1/open-data/${fresh.tenant.slug}/daily?from=${M1}-01&to=${M1}-10`;
    const summary = `/api/v1/open-data/${fresh.tenant.slug}/summary?month=${M1}&lang=en`;
    const first = await get(daily);
    const firstSummary = await get(summary);
    expect(first.json.rows[0]).toMatchObject({ attentions: 6, averageWaitSeconds: 45 });
    expect(firstSummary.json.attentions).toEqual(cell(6));

    // a late attention of that month (and one a citizen could be singled out by: +1, a long wait)
    await insertAttentionHistory(db, fresh.tenant.id, [phone(30, 3600)]);
    const live = await buildMonthPublication(db, fresh.tenant, M1);
    expect(live.attentions.n).toBe(7); // the rollups did change

    // this process, another process (a new store), and after the answer cache is gone: the stored month, unchanged
    expect((await get(daily)).text).toBe(first.text);
    expect((await get(summary)).text).toBe(firstSummary.text);
    const other = new PublicationStore(db);
    expect(JSON.stringify(await openDataDaily(other, fresh.tenant, { from: `${M1}-01`, to: `${M1}-10` }, 'ca'))).toBe(first.text);
    expect((await publicIndicators(other, fresh.tenant, monthPeriod(M1), 'en')).attentions).toEqual(cell(6));
    const [{ n }] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM transparency_publications WHERE tenant_id = ${fresh.tenant.id} AND month = ${`${M1}-01`}::date`);
    expect(n).toBe(1);
    // the database itself refuses to rewrite a published month
    await expect(db.rows(sql`UPDATE transparency_publications SET payload = '{}'::jsonb WHERE tenant_id = ${fresh.tenant.id}`)).rejects.toThrow();
  });

  it('agrees on one copy when processes publish the same month together', async (t) => {
    if (state.skip) return t.skip();
    const fresh = await seedTenant(db);
    const [p] = await db.rows<{ id: string }>(sql`SELECT id FROM procedures WHERE tenant_id = ${fresh.tenant.id} ORDER BY position LIMIT 1`);
    await insertAttentionHistory(db, fresh.tenant.id, times(5, (i) => ({ procedureId: p.id, channel: 'video', status: 'closed', due: at(M2, 8, i), waitSeconds: 20, handlingSeconds: 60 })));
    const copies = await Promise.all([publishedMonth(db, fresh.tenant, M2), publishedMonth(db, fresh.tenant, M2), new PublicationStore(db).month(fresh.tenant, M2)]);
    expect(copies[1]).toEqual(copies[0]);
    expect(copies[2]).toEqual(copies[0]);
    expect(copies[0].attentions).toEqual({ n: 5, hidden: false });
    const [{ n }] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM transparency_publications WHERE tenant_id = ${fresh.tenant.id}`);
    expect(n).toBe(1);
  });

  it('answers a month not settled yet with a translated "not published yet", and stores nothing for it', async (t) => {
    if (state.skip) return t.skip();
    const slug = town.tenant.slug;
    const next = addMonths(M1, 1);
    const day = `${addMonths(next, 1)}-16`;
    const expected = translator('en')('transparency.not_yet_published', { month: monthLabel(next, 'en'), day: formatDate(day, ZONE, 'en') });
    for (const path of [`/api/v1/open-data/${slug}/summary?month=${next}&lang=en`, `/api/v1/open-data/${slug}/daily?from=${M1}-20&to=${next}-02&lang=en`]) {
      const res = await get(path);
      expect(res.status).toBe(422);
      expect(res.json.code).toBe('period_invalid');
      expect(res.json.message).toBe(expected);
      expect(res.json.details).toMatchObject({ reason: 'not_yet_published', month: next, publishedOn: day, latestMonth: M1 });
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    }
    expect((await get(`/api/v1/open-data/${slug}/summary?month=${next}&lang=ca`)).json.message).toContain(monthLabel(next, 'ca'));
    const page = await getPage(server.base, `/${slug}/transparency?period=${next}&lang=en`);
    expect(page.status).toBe(422);
    expect(page.text).toContain('class="error-summary"');
    expect(page.text).toContain(expected);
    // the chooser offers settled months only
    expect(page.text).toContain(`<option value="${M1}">`);
    expect(page.text).not.toContain(`<option value="${next}"`);
    await expect(publishedMonth(db, town.tenant, next)).rejects.toMatchObject({ code: 'period_invalid' });
    const [{ n }] = await db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM transparency_publications WHERE month > ${`${M1}-01`}::date`);
    expect(n).toBe(0);
  });

  it('shows the operator each town hall’s month only once settled in its own zone', async (t) => {
    if (state.skip) return t.skip();
    const canary = await seedTenant(db);
    await db.rows(sql`UPDATE tenants SET time_zone = 'Atlantic/Canary' WHERE id = ${canary.tenant.id}`);
    // midnight of the 16th in Madrid: M1 is settled there, while in the Canaries it is still 23:00 on the 15th
    const now = DateTime.fromISO(`${addMonths(M1, 1)}-16T00:00:00`, { zone: ZONE }).toJSDate();
    const cmp = await compareTenants({ database: db, source: new PublicationStore(db) }, M1, 'en', now);
    const of = (slug: string) => cmp.tenants.find((x) => x.slug === slug)!;
    expect(of(canary.tenant.slug)).toEqual({ slug: canary.tenant.slug, name: canary.tenant.name, published: false, publicationDay: `${addMonths(M1, 1)}-16`, indicators: null });
    expect(of(town.tenant.slug)).toMatchObject({ published: true, indicators: { attentions: cell(21) } });
    // the page says so in that town hall's row, and draws no bar for it
    const html = renderPage(h(ComparePage, { ctx: { t: translator('en'), lang: 'en', tenant: operator.tenant, url: `/${operatorSlug}/staff/compare` }, view: { month: M1, months: [M1], comparison: cmp } }));
    const row = new RegExp(`<tr data-tenant="${canary.tenant.slug}" data-published="false"><th scope="row">[^<]*</th><td colSpan="9">([^<]*)</td></tr>`, 'i').exec(html);
    expect(row?.[1]).toBe(translator('en')('transparency.compare.not_yet_published', { day: formatDate(`${addMonths(M1, 1)}-16`, ZONE, 'en') }));
    // an hour later it is the 16th in the Canaries too
    const later = await compareTenants({ database: db, source: new PublicationStore(db) }, M1, 'en', new Date(now.getTime() + 3_600_000));
    expect(later.tenants.find((x) => x.slug === canary.tenant.slug)).toMatchObject({ published: true, indicators: { attentions: cell(0) } });
  });

  it('rate-limits each address with a translated code', async (t) => {
    if (state.skip) return t.skip();
    const path = `/api/v1/open-data/${town.tenant.slug}/summary?month=${M2}&lang=es`;
    const headers = { 'x-forwarded-for': '203.0.113.77' };
    let last = await api(server.base, 'GET', path, undefined, headers);
    for (let i = 0; i < 130 && last.status !== 429; i++) last = await api(server.base, 'GET', path, undefined, headers);
    expect(last.status).toBe(429);
    expect(last.json.code).toBe('rate_limited');
    expect(last.json.message).toBe(translator('es')('errors.rate_limited'));
    expect(last.headers.get('access-control-allow-origin')).toBe('*');
    // another address is still served
    expect((await api(server.base, 'GET', path, undefined, { 'x-forwarded-for': '203.0.113.78' })).status).toBe(200);
  });

  it('turns the panel and the API off for a town hall that does not publish, and leaves it out of the comparison', async (t) => {
    if (state.skip) return t.skip();
    const slug = optedOut.tenant.slug;
    const page = await getPage(server.base, `/${slug}/transparency?lang=en`);
    expect(page.status).toBe(404);
    expect(page.text).toContain(translator('en')('errors.transparency_off'));
    for (const path of [`/api/v1/open-data/${slug}/daily`, `/api/v1/open-data/${slug}/summary`]) {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.json.code).toBe('transparency_off');
    }
    const unknown = await get('/api/v1/open-data/no-such-town/summary');
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe('tenant_not_found');

    const h = await signIn(operator, 'supervisor');
    const cmp = await get(`/api/v1/tenants/${operatorSlug}/compare?month=${M1}&lang=en`, h);
    expect(cmp.status).toBe(200);
    const slugs = cmp.json.tenants.map((x: { slug: string }) => x.slug);
    expect(slugs).toContain(town.tenant.slug);
    expect(slugs).toContain(operatorSlug);
    expect(slugs).not.toContain(slug);
    const mine = cmp.json.tenants.find((x: { slug: string }) => x.slug === town.tenant.slug);
    expect(mine.published).toBe(true);
    expect(mine.indicators.attentions).toEqual(cell(21));
    expect(mine.indicators.byChannel.map((x: { value: number | null }) => x.value)).toEqual([12, null, null]);

    // (the staff page names the signed-in supervisor in its menu: not added to the answers checked for names)
    const cmpPage = await getPage(server.base, `/${operatorSlug}/staff/compare?month=${M1}&lang=en`, h);
    expect(cmpPage.status).toBe(200);
    expect(cmpPage.text).toContain('<h1>Comparison between town halls</h1>');
    expect(cmpPage.text).toContain(`<tr data-tenant="${town.tenant.slug}">`);
    expect(cmpPage.text).not.toContain(`data-tenant="${slug}"`);
    expect(cmpPage.text).toContain('data-chart');
  });

  it('refuses the comparison to anyone but the operator’s supervisors and admins', async (t) => {
    if (state.skip) return t.skip();
    // an agent of the operator
    const agent = await signIn(operator, 'agent');
    const a = await get(`/api/v1/tenants/${operatorSlug}/compare`, agent);
    expect(a.status).toBe(403);
    expect(a.json.code).toBe('operator_only');
    expect((await getPage(server.base, `/${operatorSlug}/staff/compare`, agent)).status).toBe(403);
    // a supervisor of another town hall
    const other = await signIn(town, 'supervisor');
    const b = await get(`/api/v1/tenants/${town.tenant.slug}/compare`, other);
    expect(b.status).toBe(403);
    expect(b.json.code).toBe('operator_only');
    const page = await getPage(server.base, `/${town.tenant.slug}/staff/compare?lang=en`, other);
    expect(page.status).toBe(403);
    expect(page.text).toContain(translator('en')('errors.operator_only'));
    // nobody signed in: the sign-in page (HTML) or unauthenticated (API)
    const anon = await getPage(server.base, `/${operatorSlug}/staff/compare`);
    expect(anon.status).toBe(303);
    expect(anon.location).toContain(`/${operatorSlug}/staff/login`);
    expect((await get(`/api/v1/tenants/${operatorSlug}/compare`)).status).toBe(401);
    // the operator's admin may
    expect((await get(`/api/v1/tenants/${operatorSlug}/compare`, await signIn(operator, 'admin'))).status).toBe(200);
  });

  it('answers malformed periods with clear codes, never 500', async (t) => {
    if (state.skip) return t.skip();
    const slug = town.tenant.slug;
    const daily = `/api/v1/open-data/${slug}/daily`;
    const thisMonth = addMonths(M1, 1);
    const cases: [string, number, string][] = [
      [`${daily}?from=2024-13-01&to=2024-12-31`, 422, 'period_invalid'],
      [`${daily}?from=2024-02-30`, 422, 'period_invalid'],
      [`${daily}?from=yesterday`, 422, 'period_invalid'],
      [`${daily}?from=${M1}-20&to=${M1}-10`, 422, 'period_invalid'],
      [`${daily}?from=${thisMonth}-01&to=${thisMonth}-01`, 422, 'period_invalid'],
      [`${daily}?from=2020-01-01&to=2021-01-01`, 422, 'period_too_long'],
      [`${daily}?format=xml`, 400, 'validation_failed'],
      [`${daily}?from=${'9'.repeat(40)}`, 400, 'validation_failed'],
      [`${daily}?from=2024-01-01&from=2024-01-02`, 400, 'validation_failed'],
      [`/api/v1/open-data/${slug}/summary?month=2024-1`, 422, 'period_invalid'],
      [`/api/v1/open-data/${slug}/summary?month=${thisMonth}`, 422, 'period_invalid'],
      [`/api/v1/open-data/${slug}/summary?month=last13`, 422, 'period_invalid'],
      [`/api/v1/open-data/${slug}/summary?month=%00`, 422, 'period_invalid'],
    ];
    for (const [path, status, code] of cases) {
      const res = await get(path);
      expect([path, res.status, res.json?.code]).toEqual([path, status, code]);
      expect(res.json.message).toBeTruthy();
    }
    const tooLong = await get(`${daily}?from=2020-01-01&to=2021-01-01`);
    expect(tooLong.json.details).toMatchObject({ maxDays: 366 });
    const future = await get(`${daily}?to=${thisMonth}-02`);
    expect(future.json.details).toMatchObject({ lastPublishedDay: expect.stringMatching(new RegExp(`^${M1}-`)) });
    // 366 days are fine
    expect((await get(`${daily}?from=2020-01-01&to=2020-12-31`)).status).toBe(200);

    const page = await getPage(server.base, `/${slug}/transparency?period=2024-99&lang=en`);
    expect(page.status).toBe(422);
    expect(page.text).toContain('class="error-summary"');
    expect(page.text).toContain(translator('en')('errors.period_invalid'));
    expect((await getPage(server.base, `/${slug}/transparency?period=${M1}&period=${M2}`)).status).toBe(422);
    const h = await signIn(operator, 'supervisor');
    expect((await get(`/api/v1/tenants/${operatorSlug}/compare?month=bad`, h)).json.code).toBe('period_invalid');
    // the comparison takes any finished month in the operator's zone: the month after next has not ended
    expect((await getPage(server.base, `/${operatorSlug}/staff/compare?month=${addMonths(M1, 2)}`, h)).status).toBe(422);
  });

  it('documents the open data in the OpenAPI', async (t) => {
    if (state.skip) return t.skip();
    const doc = (await api(server.base, 'GET', '/api/openapi.json')).json;
    const daily = doc.paths['/api/v1/open-data/{slug}/daily'].get;
    expect(Object.keys(daily.responses['200'].content)).toEqual(['application/json', 'text/csv']);
    expect(daily.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['slug', 'from', 'to', 'format', 'lang']));
    expect(doc.paths['/api/v1/open-data/{slug}/summary'].get.responses['200']).toBeTruthy();
    expect(doc.paths['/api/v1/tenants/{slug}/compare'].get.responses['403']).toBeTruthy();
  });

  it('never answers with personal data or agent-level figures', async (t) => {
    if (state.skip) return t.skip();
    expect(bodies.length).toBeGreaterThan(20);
    const citizens = await db.rows<{ v: string }>(sql`
      SELECT citizen_name AS v FROM attentions WHERE citizen_name IS NOT NULL UNION SELECT email FROM attentions WHERE email IS NOT NULL
      UNION SELECT citizen_name FROM appointments UNION SELECT email FROM appointments WHERE email IS NOT NULL UNION SELECT phone FROM appointments WHERE phone IS NOT NULL
      UNION SELECT full_name FROM staff UNION SELECT email FROM staff UNION SELECT id::text FROM staff`);
    expect(citizens.length).toBeGreaterThan(5);
    for (const body of bodies) {
      for (const { v } of citizens) expect(body.includes(v), `an answer contains ${v}`).toBe(false);
    }
  });
});
