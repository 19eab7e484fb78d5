/**
 * The supervisors' indicators API on both databases, against attention
 * histories whose indicators are known by construction: exact totals,
 * breakdowns, times, rates, satisfaction and targets; local days and hours
 * across DST; whole months + partial days equal to the days one by one; the
 * rollups equal to a rebuild from the raw attentions; tenant isolation, roles,
 * error codes and CSV.
 */
import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveProcedure } from '../server/modules/catalogue/save-procedure.js';
import { addCounters, type Counters } from '../server/modules/indicators/counters.js';
import { durationBucket } from '../server/modules/indicators/histogram.js';
import { addDays } from '../server/modules/indicators/indicator-filter.js';
import { addToRollupsSql } from '../server/modules/indicators/rollups.js';
import { sumCounters } from './support/rollups.js';
import { createStaff } from '../server/modules/staff/create-staff.js';
import { insertAttentionHistory, type HistoryItem } from './support/attention-history.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { api, smallTenant, startTestServer, type TestServer } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

const PASSWORD = 'correct horse battery staple';
const ZONE = 'Europe/Madrid';
/** A local wall time in Madrid as an ISO instant. */
const local = (day: string, time: string) => DateTime.fromISO(`${day}T${time}`, { zone: ZONE }).toUTC().toISO()!;

type Town = Awaited<ReturnType<typeof town>>;

async function town(db: TestDatabase) {
  const base = await smallTenant(db, { agents: 3 });
  const [d1] = await db.rows<{ id: string }>(sql`INSERT INTO departments (tenant_id, name) VALUES (${base.tenant.id}, '{"ca":"Padró","es":"Padrón","en":"Census"}') RETURNING id`);
  const [d2] = await db.rows<{ id: string }>(sql`INSERT INTO departments (tenant_id, name) VALUES (${base.tenant.id}, '{"ca":"Hisenda","es":"Hacienda","en":"Taxes"}') RETURNING id`);
  await db.rows(sql`UPDATE procedures SET department_id = ${d1.id} WHERE id = ${base.procedure.id}`);
  const p2 = await saveProcedure({
    db: db.db,
    tenant: base.tenant,
    input: {
      code: 'taxes',
      name: { ca: 'Impostos, "taxes"', es: 'Impuestos', en: '=SUM(A1), "taxes"' },
      help: { ca: 'Ajuda', es: 'Ayuda', en: 'Help' },
      departmentId: d2.id,
      channels: ['video', 'callback', 'phone'],
      durationMinutes: 30,
      bufferMinutes: 0,
      minNoticeMinutes: 60,
      horizonDays: 30,
      documents: [],
    },
  });
  const supervisor = await createStaff({ db: db.db, tenantId: base.tenant.id, email: 'sup@prova.example', fullName: 'Supervisor', password: PASSWORD, role: 'supervisor' });
  const admin = await createStaff({ db: db.db, tenantId: base.tenant.id, email: 'admin@prova.example', fullName: 'Admin', password: PASSWORD, role: 'admin' });
  const types = await db.rows<{ id: string; code: string }>(sql`SELECT id, code FROM typologies WHERE tenant_id = ${base.tenant.id} ORDER BY position`);
  return {
    ...base,
    p1: base.procedure,
    p2,
    departments: [d1.id, d2.id],
    supervisor,
    admin,
    t1: types.find((t) => t.code === 'information')!.id,
    t2: types.find((t) => t.code === 'filing')!.id,
  };
}

describe.each(DATABASE_KINDS)('indicators on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  let server: TestServer;
  const sessions = new Map<string, Record<string, string>>();

  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    server = await startTestServer(db);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function signIn(slug: string, email: string) {
    const key = `${slug}/${email}`;
    if (!sessions.has(key)) {
      const res = await api(server.base, 'POST', `/api/v1/tenants/${slug}/auth/login`, { email, password: PASSWORD });
      expect(res.status).toBe(200);
      sessions.set(key, { cookie: res.headers.get('set-cookie')!.split(';')[0] });
    }
    return sessions.get(key)!;
  }

  /** GET under /api/v1/tenants/{slug}/indicators as the town's supervisor (or `as`). */
  async function indicators(t: Town, path: string, query: Record<string, string> = {}, as?: Record<string, string>) {
    const headers = as ?? (await signIn(t.tenant.slug, 'sup@prova.example'));
    const qs = new URLSearchParams({ lang: 'en', ...query }).toString();
    return api(server.base, 'GET', `/api/v1/tenants/${t.tenant.slug}/indicators${path}?${qs}`, undefined, headers);
  }

  /** The known June 2026 history: 10 attentions, 4 survey answers, 4 availability samples. */
  function juneHistory(t: Town): HistoryItem[] {
    const [a0, a1] = t.agents.map((a) => a.id);
    const P1 = t.p1.id;
    const P2 = t.p2.id;
    return [
      { procedureId: P1, channel: 'video', status: 'closed', due: local('2026-06-01', '09:10'), waitSeconds: 60, earlySeconds: 240, handlingSeconds: 300, outcome: 'resolved', typologyId: t.t1, agentId: a0, appointment: true, survey: { liked: 9, easy: 10, again: true, answers: { clarity: 6, recommend: false } } },
      { procedureId: P1, channel: 'video', status: 'closed', due: local('2026-06-01', '10:00'), waitSeconds: 120, handlingSeconds: 600, outcome: 'resolved', typologyId: t.t1, agentId: a0, appointment: true, survey: { liked: 7, easy: 8, again: true } },
      { procedureId: P1, channel: 'phone', status: 'closed', due: local('2026-06-02', '09:30'), waitSeconds: 30, handlingSeconds: 240, outcome: 'missing_documents', typologyId: t.t2, agentId: a1, appointment: true, survey: { liked: 5, easy: 6, again: false } },
      { procedureId: P1, channel: 'video', status: 'no_show', due: local('2026-06-02', '11:00'), agentId: a0, appointment: true },
      { procedureId: P2, channel: 'callback', status: 'closed', due: local('2026-06-03', '12:00'), waitSeconds: 200, earlySeconds: 300, handlingSeconds: 420, outcome: 'follow_up', typologyId: t.t2, agentId: a1 },
      { procedureId: P2, channel: 'callback', status: 'not_reached', due: local('2026-06-03', '12:30'), waitSeconds: 100, agentId: a1 },
      { procedureId: P2, channel: 'callback', status: 'closed', due: local('2026-06-04', '16:00'), waitSeconds: 250, handlingSeconds: 180, outcome: 'resolved', typologyId: t.t1, agentId: a0, survey: { liked: 10, easy: 9, again: true, answers: { clarity: 8, recommend: true, note: 'text is not counted' } } },
      { procedureId: P2, channel: 'video', status: 'abandoned', due: local('2026-06-05', '09:00') },
      { procedureId: P1, channel: 'phone', status: 'closed', due: local('2026-06-05', '13:00'), waitSeconds: 900, handlingSeconds: 1800, outcome: 'other', typologyId: t.t1, agentId: a0, appointment: true },
      { procedureId: P1, channel: 'callback', status: 'closed', due: local('2026-06-06', '10:00'), waitSeconds: 45, handlingSeconds: 60, outcome: 'resolved', typologyId: t.t1, agentId: a1 },
    ];
  }

  async function withSettings(t: Town) {
    const settings = {
      indicators: {
        targets: [
          { id: 'callback-4min', metric: 'wait', channel: 'callback', threshold: 240, goalPercent: 90 },
          { id: 'appointment-5days', metric: 'first_free', threshold: 5, goalPercent: 90 },
          { id: 'handling-10min', metric: 'handling', threshold: 600, goalPercent: 80 },
          { id: 'wait-2min', metric: 'wait', threshold: 120, goalPercent: 50 },
        ],
      },
      survey: {
        questions: [
          { id: 'liked', kind: 'scale', required: true },
          { id: 'easy', kind: 'scale', required: true },
          { id: 'again', kind: 'yes_no', required: true },
          { id: 'recommend', kind: 'yes_no', required: false, label: { ca: 'Ho recomanaríeu?', es: '¿Lo recomendaría?', en: 'Would you recommend it?' } },
          { id: 'clarity', kind: 'scale', required: false, label: { ca: 'Claredat', es: 'Claridad', en: 'Clarity' } },
        ],
      },
    };
    await db.rows(sql`UPDATE tenants SET settings = settings || ${JSON.stringify(settings)}::jsonb WHERE id = ${t.tenant.id}`);
  }

  async function sample(t: Town, at: string, counts: Counters, channel = 'video') {
    await db.rows(addToRollupsSql({ tenantId: t.tenant.id, procedureId: t.p1.id, channel, at: new Date(at), timeZone: ZONE, counts }));
  }

  let june: Town;
  let juneItems: HistoryItem[];
  beforeAll(async () => {
    if (state.skip) return;
    june = await town(db);
    await withSettings(june);
    juneItems = juneHistory(june);
    await insertAttentionHistory(db, june.tenant.id, juneItems);
    await sample(june, local('2026-06-01', '08:00'), { ffn: 1, 'ffd:2': 1 });
    await sample(june, local('2026-06-02', '08:00'), { ffn: 1, 'ffd:3': 1 });
    await sample(june, local('2026-06-03', '08:00'), { ffn: 1, 'ffd:7': 1 });
    await sample(june, local('2026-06-04', '08:00'), { ffn: 1, 'ffd:none': 1 });
    // another town hall, same month, same shapes: must never show up
    const other = await town(db);
    await insertAttentionHistory(db, other.tenant.id, juneHistory(other).concat(juneHistory(other)));
  });

  it('returns exactly the indicators of a known history', async (t) => {
    if (state.skip) return t.skip();
    const res = await indicators(june, '', { from: '2026-06-01', to: '2026-06-30' });
    expect(res.status).toBe(200);
    const ind = res.json;
    expect(ind.filter).toEqual({ from: '2026-06-01', to: '2026-06-30' });
    expect(ind.timeZone).toBe(ZONE);
    expect(ind.totals).toEqual({ attentions: 10, closed: 7, noShow: 1, notReached: 1, abandoned: 1, appointments: 5 });
    expect(ind.volume.byChannel).toEqual([
      { key: 'video', label: 'Video call', count: 4 },
      { key: 'phone', label: 'Phone call', count: 2 },
      { key: 'callback', label: 'Call-back', count: 4 },
    ]);
    expect(ind.volume.byProcedure).toEqual([
      { key: june.p1.id, label: 'Procedure', count: 6 },
      { key: june.p2.id, label: '=SUM(A1), "taxes"', count: 4 },
    ]);
    expect(ind.volume.byType).toEqual([
      { key: june.t1, label: 'General information', count: 5 },
      { key: june.t2, label: 'Filing a request', count: 2 },
    ]);
    expect(ind.volume.byOutcome.map((o: { key: string; count: number }) => [o.key, o.count])).toEqual([
      ['resolved', 4],
      ['follow_up', 1],
      ['missing_documents', 1],
      ['other', 1],
    ]);
    const hours = Array(24).fill(0);
    Object.assign(hours, { 9: 3, 10: 2, 11: 1, 12: 2, 13: 1, 16: 1 });
    expect(ind.volume.byHour).toEqual(hours);
    expect(ind.volume.byWeekday).toEqual([2, 2, 2, 1, 2, 1, 0]);
    expect(ind.volume.byDay).toHaveLength(30);
    expect(ind.volume.byDay.slice(0, 7)).toEqual([
      { day: '2026-06-01', count: 2 },
      { day: '2026-06-02', count: 2 },
      { day: '2026-06-03', count: 2 },
      { day: '2026-06-04', count: 1 },
      { day: '2026-06-05', count: 2 },
      { day: '2026-06-06', count: 1 },
      { day: '2026-06-07', count: 0 },
    ]);
    // waits 60 120 30 200 100 250 900 45 → buckets 30 45 60 105 120 210 255 900; p90 = the 8th
    expect(ind.waiting).toEqual({ count: 8, averageSeconds: 1705 / 8, p90Seconds: 900 });
    // handling 300 600 240 420 180 1800 60; p90 = the 7th
    expect(ind.handling).toEqual({ count: 7, averageSeconds: 3600 / 7, p90Seconds: 1800 });
    expect(ind.rates).toEqual({ noShow: 1 / 5, callbacksNotReached: 1, callbacksNotReachedRate: 1 / 4, missingDocuments: 1, firstContactResolution: 4 / 7 });
    expect(ind.firstFree).toEqual({ samples: 4, averageWorkingDays: 4, p90WorkingDays: 7, none: 1 });
    const liked = Array(11).fill(0);
    Object.assign(liked, { 5: 1, 7: 1, 9: 1, 10: 1 });
    const easy = Array(11).fill(0);
    Object.assign(easy, { 6: 1, 8: 1, 9: 1, 10: 1 });
    expect(ind.satisfaction).toEqual({
      responses: 4,
      likedAverage: 31 / 4,
      easyAverage: 33 / 4,
      likedDistribution: liked,
      easyDistribution: easy,
      againShare: 3 / 4,
      againAnswers: 4,
      custom: [
        { id: 'recommend', label: 'Would you recommend it?', kind: 'yes_no', responses: 2, average: null, distribution: [1, 1], yesShare: 0.5 },
        { id: 'clarity', label: 'Clarity', kind: 'scale', responses: 2, average: 7, distribution: [0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0], yesShare: null },
      ],
    });
    expect(ind.targets).toEqual([
      { id: 'callback-4min', metric: 'wait', channel: 'callback', threshold: 240, goalPercent: 90, label: '90% of call-backs within 4 minutes', measured: 4, share: 0.75, met: false },
      { id: 'appointment-5days', metric: 'first_free', threshold: 5, goalPercent: 90, label: '90% of appointments offered within 5 working days', measured: 4, share: 0.5, met: false },
      { id: 'handling-10min', metric: 'handling', threshold: 600, goalPercent: 80, label: '80% of attentions handled in 10 minutes or less', measured: 7, share: 6 / 7, met: true },
      { id: 'wait-2min', metric: 'wait', threshold: 120, goalPercent: 50, label: '50% of citizens attended within 2 minutes', measured: 8, share: 5 / 8, met: true },
    ]);

    // the same in Catalan, and an admin may read it too
    const ca = await indicators(june, '', { from: '2026-06-01', to: '2026-06-30', lang: 'ca' }, await signIn(june.tenant.slug, 'admin@prova.example'));
    expect(ca.status).toBe(200);
    expect(ca.json.targets[0].label).toBe('90% de les trucades de retorn en 4 minuts');
    expect(ca.json.volume.byProcedure[1].label).toBe('Impostos, "taxes"');
    expect(ca.json.totals).toEqual(ind.totals);
  });

  it('filters by procedure, channel, department and agent', async (t) => {
    if (state.skip) return t.skip();
    const period = { from: '2026-06-01', to: '2026-06-30' };
    const expectFor = async (query: Record<string, string>, keep: (i: HistoryItem) => boolean) => {
      const items = juneItems.filter(keep);
      const res = await indicators(june, '', { ...period, ...query });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      const count = (s: string) => items.filter((i) => i.status === s).length;
      expect(res.json.totals).toEqual({
        attentions: items.length,
        closed: count('closed'),
        noShow: count('no_show'),
        notReached: count('not_reached'),
        abandoned: count('abandoned'),
        appointments: items.filter((i) => i.appointment).length,
      });
      const waits = items.filter((i) => i.waitSeconds !== undefined).map((i) => i.waitSeconds!);
      expect(res.json.waiting.count).toBe(waits.length);
      expect(res.json.waiting.averageSeconds).toBe(waits.length ? waits.reduce((a, b) => a + b, 0) / waits.length : null);
      expect(res.json.satisfaction.responses).toBe(items.filter((i) => i.survey).length);
      return res.json;
    };
    const byP2 = await expectFor({ procedure: june.p2.id }, (i) => i.procedureId === june.p2.id);
    expect(byP2.filter.procedureId).toBe(june.p2.id);
    expect(byP2.firstFree.samples).toBe(0);
    const byP1 = await expectFor({ procedure: june.p1.id }, (i) => i.procedureId === june.p1.id);
    expect(byP1.firstFree.samples).toBe(4);
    await expectFor({ channel: 'callback' }, (i) => i.channel === 'callback');
    await expectFor({ channel: 'phone', procedure: june.p1.id }, (i) => i.channel === 'phone' && i.procedureId === june.p1.id);
    await expectFor({ department: june.departments[0] }, (i) => i.procedureId === june.p1.id);
    await expectFor({ department: june.departments[1] }, (i) => i.procedureId === june.p2.id);
    const a0 = await expectFor({ agent: june.agents[0].id }, (i) => i.agentId === june.agents[0].id);
    expect(a0.volume.byChannel.map((c: { count: number }) => c.count)).toEqual([3, 1, 1]);
    await expectFor({ agent: june.agents[1].id, channel: 'callback' }, (i) => i.agentId === june.agents[1].id && i.channel === 'callback');
    // an empty value is "any"
    await expectFor({ procedure: '', channel: '', department: '', agent: '' }, () => true);
    // a filter with nothing in it: zeros and nulls, never invented measures
    const none = await expectFor({ agent: june.agents[2].id }, () => false);
    expect(none.waiting).toEqual({ count: 0, averageSeconds: null, p90Seconds: null });
    expect(none.rates.noShow).toBeNull();
    expect(none.satisfaction.likedAverage).toBeNull();
    expect(none.targets.every((g: { measured: number; share: null; met: null }) => g.measured === 0 && g.share === null && g.met === null)).toBe(true);
  });

  it('counts a survey answered after the close, and an attention back from abandoned once', async (t) => {
    if (state.skip) return t.skip();
    const t2 = await town(db);
    const day = '2026-07-10';
    const [id] = await insertAttentionHistory(db, t2.tenant.id, [
      { procedureId: t2.p1.id, channel: 'video', status: 'abandoned', due: local(day, '10:00') },
    ]);
    let res = await indicators(t2, '', { from: day, to: day });
    expect(res.json.totals).toMatchObject({ attentions: 1, abandoned: 1, closed: 0 });
    // the citizen comes back: waiting again (not an end state: no longer counted), then taken and closed
    await db.rows(sql`UPDATE attentions SET status = 'waiting', queued_at = ${local(day, '10:20')}::timestamptz WHERE id = ${id}`);
    res = await indicators(t2, '', { from: day, to: day });
    expect(res.json.totals.attentions).toBe(0);
    await db.rows(sql`UPDATE attentions SET status = 'in_progress', agent_id = ${t2.agents[0].id}, taken_at = ${local(day, '10:22')}::timestamptz WHERE id = ${id}`);
    await db.rows(sql`UPDATE attentions SET status = 'closed', closed_at = ${local(day, '10:32')}::timestamptz, outcome = 'resolved', typology_id = ${t2.t1} WHERE id = ${id}`);
    res = await indicators(t2, '', { from: day, to: day });
    expect(res.json.totals).toEqual({ attentions: 1, closed: 1, noShow: 0, notReached: 0, abandoned: 0, appointments: 0 });
    expect(res.json.waiting).toEqual({ count: 1, averageSeconds: 120, p90Seconds: 120 });
    expect(res.json.handling).toEqual({ count: 1, averageSeconds: 600, p90Seconds: 600 });
    expect(res.json.volume.byHour[10]).toBe(1);
    expect(res.json.satisfaction.responses).toBe(0);
    // the answer arrives a day later: counted on the attention's day, with the agent's rows too
    await db.rows(sql`INSERT INTO survey_responses (tenant_id, attention_id, liked, easy, again, language, created_at)
      VALUES (${t2.tenant.id}, ${id}, 8, 9, true, 'ca', ${local('2026-07-11', '09:00')}::timestamptz)`);
    res = await indicators(t2, '', { from: day, to: day });
    expect(res.json.satisfaction).toMatchObject({ responses: 1, likedAverage: 8, easyAverage: 9, againShare: 1 });
    res = await indicators(t2, '', { from: day, to: day, agent: t2.agents[0].id });
    expect(res.json.satisfaction.responses).toBe(1);
    expect(res.json.totals.closed).toBe(1);
  });

  it('places attentions on their local day and hour across the DST changes', async (t) => {
    if (state.skip) return t.skip();
    const t3 = await town(db);
    const item = (due: string): HistoryItem => ({ procedureId: t3.p1.id, channel: 'video', status: 'closed', due, waitSeconds: 10, handlingSeconds: 10 });
    await insertAttentionHistory(db, t3.tenant.id, [
      item('2026-03-28T22:59:00Z'), // Sat 28 23:59 CET
      item('2026-03-28T23:30:00Z'), // Sun 29 00:30 CET
      item('2026-03-29T00:59:00Z'), // Sun 29 01:59 CET, the last minute before the jump
      item('2026-03-29T01:00:00Z'), // Sun 29 03:00 CEST (02:00–03:00 does not exist)
      item('2026-03-29T21:59:00Z'), // Sun 29 23:59 CEST
      item('2026-03-29T22:00:00Z'), // Mon 30 00:00 CEST
      item('2026-10-24T22:30:00Z'), // Sun 25 00:30 CEST
      item('2026-10-25T00:30:00Z'), // Sun 25 02:30 CEST (first 02:30)
      item('2026-10-25T01:30:00Z'), // Sun 25 02:30 CET (second 02:30)
      item('2026-10-25T22:59:00Z'), // Sun 25 23:59 CET
      item('2026-10-25T23:00:00Z'), // Mon 26 00:00 CET
    ]);
    const spring = await indicators(t3, '', { from: '2026-03-28', to: '2026-03-30' });
    expect(spring.json.volume.byDay).toEqual([
      { day: '2026-03-28', count: 1 },
      { day: '2026-03-29', count: 4 },
      { day: '2026-03-30', count: 1 },
    ]);
    const springHours = Array(24).fill(0);
    Object.assign(springHours, { 0: 2, 1: 1, 3: 1, 23: 2 });
    expect(spring.json.volume.byHour).toEqual(springHours);
    expect(spring.json.volume.byWeekday).toEqual([1, 0, 0, 0, 0, 1, 4]);
    const sunday = await indicators(t3, '', { from: '2026-03-29', to: '2026-03-29' });
    expect(sunday.json.totals.attentions).toBe(4);
    expect(sunday.json.volume.byHour[2]).toBe(0);

    const autumn = await indicators(t3, '', { from: '2026-10-25', to: '2026-10-26' });
    expect(autumn.json.volume.byDay).toEqual([
      { day: '2026-10-25', count: 4 },
      { day: '2026-10-26', count: 1 },
    ]);
    const autumnHours = Array(24).fill(0);
    Object.assign(autumnHours, { 0: 2, 2: 2, 23: 1 });
    expect(autumn.json.volume.byHour).toEqual(autumnHours);
    expect(autumn.json.volume.byWeekday).toEqual([1, 0, 0, 0, 0, 0, 4]);
    // the months: March holds 6 (the 30th included), October 5
    expect((await indicators(t3, '', { from: '2026-03-01', to: '2026-03-31' })).json.totals.attentions).toBe(6);
    expect((await indicators(t3, '', { from: '2026-10-01', to: '2026-10-31' })).json.totals.attentions).toBe(5);
  });

  it('gives a period of whole months and partial days the numbers of its days one by one, and rollups equal to a rebuild', async (t) => {
    if (state.skip) return t.skip();
    const t4 = await town(db);
    const items = randomHistory(t4, 20260520, 160, '2026-05-20', '2026-07-10');
    await insertAttentionHistory(db, t4.tenant.id, items);
    const from = '2026-05-20';
    const to = '2026-07-10';

    // 1. counters: the period (May days + June month row + July days) = the sum of its days, overall and for one agent
    for (const agentId of [undefined, t4.agents[1].id]) {
      const whole = bags(await sumCounters(db, t4.tenant.id, { from, to, agentId }));
      const sum: Record<string, Counters> = {};
      for (let day = from; day <= to; day = addDays(day, 1)) {
        for (const [k, c] of Object.entries(bags(await sumCounters(db, t4.tenant.id, { from: day, to: day, agentId })))) sum[k] = addCounters(sum[k] ?? {}, c);
      }
      expect(whole).toEqual(sum);
    }

    // 2. the API over the period = the API day by day
    const period = (await indicators(t4, '', { from, to })).json;
    const days: any[] = [];
    for (let day = from; day <= to; day = addDays(day, 1)) days.push((await indicators(t4, '', { from: day, to: day })).json);
    const sumOf = (f: (x: any) => number) => days.reduce((s, d) => s + f(d), 0);
    for (const k of Object.keys(period.totals)) expect(period.totals[k], k).toBe(sumOf((d) => d.totals[k]));
    expect(period.totals.attentions).toBe(items.length);
    expect(period.volume.byDay.map((d: { count: number }) => d.count)).toEqual(days.map((d) => d.totals.attentions));
    expect(period.volume.byHour).toEqual(Array.from({ length: 24 }, (_, h) => sumOf((d) => d.volume.byHour[h])));
    expect(period.volume.byWeekday).toEqual(Array.from({ length: 7 }, (_, w) => sumOf((d) => d.volume.byWeekday[w])));
    expect(period.volume.byChannel.map((c: { count: number }) => c.count)).toEqual([0, 1, 2].map((i) => sumOf((d) => d.volume.byChannel[i].count)));
    expect(period.volume.byOutcome.map((c: { count: number }) => c.count)).toEqual([0, 1, 2, 3].map((i) => sumOf((d) => d.volume.byOutcome[i].count)));
    expect(period.waiting.count).toBe(sumOf((d) => d.waiting.count));
    expect(period.waiting.averageSeconds * period.waiting.count).toBeCloseTo(sumOf((d) => (d.waiting.averageSeconds ?? 0) * d.waiting.count), 6);
    expect(period.handling.averageSeconds * period.handling.count).toBeCloseTo(sumOf((d) => (d.handling.averageSeconds ?? 0) * d.handling.count), 6);
    expect(period.satisfaction.likedDistribution).toEqual(Array.from({ length: 11 }, (_, i) => sumOf((d) => d.satisfaction.likedDistribution[i])));
    expect(period.satisfaction.againAnswers).toBe(sumOf((d) => d.satisfaction.againAnswers));

    // the rows that sum every procedure (read without a filter) = the procedures' own rows, added up
    const parts = await Promise.all(t4.departments.map(async (department) => (await indicators(t4, '', { from, to, department })).json));
    const sumParts = (f: (x: any) => number) => parts.reduce((s, d) => s + f(d), 0);
    for (const k of Object.keys(period.totals)) expect(period.totals[k], k).toBe(sumParts((d) => d.totals[k]));
    expect(period.volume.byDay.map((d: { count: number }) => d.count)).toEqual(period.volume.byDay.map((_: unknown, i: number) => sumParts((d) => d.volume.byDay[i].count)));
    expect(period.volume.byHour).toEqual(Array.from({ length: 24 }, (_, h) => sumParts((d) => d.volume.byHour[h])));
    expect(period.waiting.count).toBe(sumParts((d) => d.waiting.count));
    expect(period.handling.averageSeconds * period.handling.count).toBeCloseTo(sumParts((d) => (d.handling.averageSeconds ?? 0) * d.handling.count), 6);
    expect(period.satisfaction.easyDistribution).toEqual(Array.from({ length: 11 }, (_, i) => sumParts((d) => d.satisfaction.easyDistribution[i])));
    expect(period.volume.byProcedure.map((p: { count: number }) => p.count).sort()).toEqual(parts.map((d) => d.totals.attentions).sort());

    // 3. the API = plain SQL over the raw attentions
    const [raw] = await db.rows<Record<string, string | null>>(sql`
      SELECT count(*) AS n, count(*) FILTER (WHERE status = 'closed') AS closed, count(*) FILTER (WHERE status = 'no_show') AS no_show,
             count(*) FILTER (WHERE appointment_id IS NOT NULL) AS appt,
             count(taken_at) AS wn, sum(round(extract(epoch FROM taken_at - greatest(queued_at, due_at)))) AS ws,
             count(*) FILTER (WHERE status = 'closed' AND outcome = 'resolved') AS resolved
        FROM attentions
       WHERE tenant_id = ${t4.tenant.id} AND status IN ('closed', 'no_show', 'not_reached', 'abandoned')
         AND (due_at AT TIME ZONE ${ZONE})::date BETWEEN ${from}::date AND ${to}::date`);
    expect(period.totals).toMatchObject({ attentions: Number(raw.n), closed: Number(raw.closed), noShow: Number(raw.no_show), appointments: Number(raw.appt) });
    expect(period.waiting.count).toBe(Number(raw.wn));
    expect(period.waiting.averageSeconds).toBeCloseTo(Number(raw.ws) / Number(raw.wn), 9);
    expect(period.rates.firstContactResolution).toBeCloseTo(Number(raw.resolved) / Number(raw.closed), 12);

    // 4. the rollups the triggers kept = a rebuild from the raw tables through fin_rollup_upsert
    const snapshot = async () =>
      db.rows<{ k: string; counts: Counters }>(sql`
        SELECT grain || '|' || agent_key || '|' || period_start || '|' || procedure_id || '|' || channel AS k, counts
          FROM indicator_rollups WHERE tenant_id = ${t4.tenant.id} ORDER BY 1`);
    const kept = await snapshot();
    expect(kept.length).toBeGreaterThan(50);
    await db.rows(sql`DELETE FROM indicator_rollups WHERE tenant_id = ${t4.tenant.id}`);
    await db.rows(sql`SELECT fin_rollup_upsert(ARRAY(
      SELECT ROW(a.tenant_id, a.procedure_id, a.channel, a.due_at, tn.time_zone, coalesce(a.agent_id, ap.agent_id),
                 fin_attention_counts(a.status, a.outcome, a.typology_id, a.appointment_id, a.due_at, a.queued_at, a.taken_at, a.closed_at, tn.time_zone), 1)::fin_contrib
        FROM attentions a JOIN tenants tn ON tn.id = a.tenant_id LEFT JOIN appointments ap ON ap.id = a.appointment_id
       WHERE a.tenant_id = ${t4.tenant.id} AND a.status IN ('closed', 'no_show', 'not_reached', 'abandoned')))`);
    await db.rows(sql`SELECT fin_rollup_upsert(ARRAY(
      SELECT ROW(a.tenant_id, a.procedure_id, a.channel, a.due_at, tn.time_zone, coalesce(a.agent_id, ap.agent_id),
                 fin_survey_counts(s.liked, s.easy, s.again, s.answers), 1)::fin_contrib
        FROM survey_responses s JOIN attentions a ON a.id = s.attention_id JOIN tenants tn ON tn.id = a.tenant_id
        LEFT JOIN appointments ap ON ap.id = a.appointment_id
       WHERE s.tenant_id = ${t4.tenant.id}))`);
    expect(await snapshot()).toEqual(kept);
  });

  it('never shows another town hall, refuses agents and strangers', async (t) => {
    if (state.skip) return t.skip();
    const other = await town(db);
    await insertAttentionHistory(db, other.tenant.id, juneHistory(other).slice(0, 3));
    const mine = await indicators(june, '', { from: '2026-06-01', to: '2026-06-30' });
    expect(mine.json.totals.attentions).toBe(10);
    // ids of another town hall are unknown here
    const foreign: Record<string, string>[] = [{ procedure: other.p1.id }, { department: other.departments[0] }, { agent: other.agents[0].id }];
    for (const query of foreign) {
      const res = await indicators(june, '', query);
      expect(res.status).toBe(422);
      expect(res.json.code).toBe('filter_unknown');
    }
    // a session of one town hall is nobody in another
    const mySupervisor = await signIn(june.tenant.slug, 'sup@prova.example');
    expect((await indicators(other, '', {}, mySupervisor)).status).toBe(401);
    expect((await indicators(other, '/now', {}, mySupervisor)).status).toBe(401);
    // agents may not read the indicators; nobody signed in gets 401
    const agent = await signIn(june.tenant.slug, 'agent0@prova.example');
    for (const path of ['', '/now', '/summary.csv']) {
      const res = await indicators(june, path, {}, agent);
      expect(res.status).toBe(403);
      expect(res.json.code).toBe('forbidden');
      expect((await indicators(june, path, {}, {})).status).toBe(401);
    }
    expect((await api(server.base, 'GET', '/api/v1/tenants/no-such-town/indicators')).json.code).toBe('tenant_not_found');
  });

  it('answers bad periods and filters with their error codes, never 500', async (t) => {
    if (state.skip) return t.skip();
    const cases: Array<[Record<string, string> | string, number, string]> = [
      [{ from: '2026-02-30', to: '2026-03-01' }, 422, 'period_invalid'],
      [{ from: '2026-13-01' }, 422, 'period_invalid'],
      [{ from: '01/06/2026' }, 422, 'period_invalid'],
      [{ to: '2026-6-1' }, 422, 'period_invalid'],
      [{ from: '2026-06-10', to: '2026-06-01' }, 422, 'period_invalid'],
      [{ from: '2025-01-01', to: '2026-02-05' }, 422, 'period_too_long'],
      [{ procedure: 'not-a-uuid' }, 422, 'filter_unknown'],
      [{ department: "x' OR 1=1 --" }, 422, 'filter_unknown'],
      [{ agent: '00000000-0000-4000-8000-000000000000' }, 422, 'filter_unknown'],
      [{ channel: 'fax' }, 400, 'validation_failed'],
      [{ channel: 'in_person' }, 400, 'validation_failed'],
      [{ from: 'x'.repeat(500) }, 400, 'validation_failed'],
      ['from=2026-06-01&from=2026-06-02', 400, 'validation_failed'],
      ['to=%00', 422, 'period_invalid'],
    ];
    const headers = await signIn(june.tenant.slug, 'sup@prova.example');
    for (const [query, status, code] of cases) {
      const qs = typeof query === 'string' ? query : new URLSearchParams(query).toString();
      for (const path of ['', '/by-day.csv']) {
        const res = await api(server.base, 'GET', `/api/v1/tenants/${june.tenant.slug}/indicators${path}?${qs}`, undefined, headers);
        expect([res.status, res.json?.code], `${path}?${qs}`).toEqual([status, code]);
      }
    }
    const field = await indicators(june, '', { from: '2026-06-10', to: '2026-06-01' });
    expect(field.json.details.fields).toEqual([{ path: 'from', code: 'period_invalid' }]);
    expect(field.json.message).toMatch(/start|period/i);
    // exactly 400 days is allowed; the default period is the last 30 local days
    expect((await indicators(june, '', { from: '2025-01-01', to: '2026-02-04' })).status).toBe(200);
    const dflt = await indicators(june, '');
    const today = DateTime.now().setZone(ZONE).toISODate()!;
    expect(dflt.json.filter).toEqual({ from: addDays(today, -29), to: today });
    expect(dflt.json.volume.byDay).toHaveLength(30);
    expect((await indicators(june, '/no-such-table.csv')).status).toBe(404);
  });

  it('exports each table as CSV, escaped and safe for spreadsheets', async (t) => {
    if (state.skip) return t.skip();
    const query = { from: '2026-06-01', to: '2026-06-30' };
    const res = await fetch(`${server.base}/api/v1/tenants/${june.tenant.slug}/indicators/by-procedure.csv?${new URLSearchParams({ ...query, lang: 'en' })}`, {
      headers: await signIn(june.tenant.slug, 'sup@prova.example'),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="by-procedure-2026-06-01-2026-06-30.csv"');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    expect(text).toBe('Procedure,Attentions,Share (%)\r\nProcedure,6,60\r\n"\'=SUM(A1), ""taxes""",4,40\r\n');

    const ca = await indicators(june, '/summary.csv', { ...query, lang: 'ca' });
    // (fetch's text() drops the byte-order mark, checked above on the bytes)
    const lines = ca.text.split('\r\n');
    expect(lines[0]).toBe('Indicador,Valor');
    expect(lines).toContain('Atencions,10');
    expect(lines).toContain('Taxa de no presentats (%),20');
    expect(lines).toContain('Resolució al primer contacte (%),57.1');
    expect(lines).toContain("Temps d'espera mitjà (segons),213");

    const day = await indicators(june, '/by-day.csv', query);
    expect(day.text.split('\r\n').slice(0, 3)).toEqual(['Day,Attentions', '2026-06-01,2', '2026-06-02,2']);
    const targets = await indicators(june, '/targets.csv', query);
    expect(targets.text).toContain('\r\n90% of call-backs within 4 minutes,90,4,75,Not met\r\n');
    const sat = await indicators(june, '/satisfaction.csv', query);
    expect(sat.text).toContain('\r\nClarity,2,7,,0,0,0,0,0,0,1,0,1,0,0\r\n');
    expect(sat.text).toContain('\r\nWould you use it again?,4,,75,,,,,,,,,,,\r\n');
    for (const id of ['summary', 'by-type', 'by-channel', 'by-outcome', 'by-hour', 'by-weekday', 'times']) {
      const r = await indicators(june, `/${id}.csv`, query);
      expect(r.status, id).toBe(200);
      expect(r.headers.get('content-disposition'), id).toBe(`attachment; filename="${id}-2026-06-01-2026-06-30.csv"`);
      expect(r.text.endsWith('\r\n'), id).toBe(true);
      expect(r.text.split('\r\n').length, id).toBeGreaterThan(3);
    }
  });

  it('shows now: who waits by channel, agents by presence, attentions in course; also with the page session', async (t) => {
    if (state.skip) return t.skip();
    const t5 = await town(db);
    const [a0, a1] = t5.agents;
    const queue = (channel: string, minutesAgo: number, status = 'waiting', agent: string | null = null) => sql`
      INSERT INTO attentions (tenant_id, procedure_id, channel, status, citizen_name, email, language, queued_at, due_at, agent_id, taken_at)
      VALUES (${t5.tenant.id}, ${t5.p1.id}, ${channel}, ${status}, 'Queue Citizen', 'q@example.com', 'ca',
              now() - make_interval(mins => ${minutesAgo}), now() - make_interval(mins => ${minutesAgo}), ${agent},
              CASE WHEN ${status} = 'in_progress' THEN now() ELSE NULL END)`;
    await db.rows(queue('video', 5));
    await db.rows(queue('video', 2));
    await db.rows(queue('callback', 1));
    await db.rows(queue('phone', 30, 'in_progress', a1.id));
    // another town hall's queue is not ours
    await db.rows(sql`INSERT INTO attentions (tenant_id, procedure_id, channel, citizen_name, email, language, queued_at, due_at)
      VALUES (${june.tenant.id}, ${june.p1.id}, 'phone', 'Other', 'o@example.com', 'ca', now() - interval '2 hours', now())`);
    await db.rows(sql`INSERT INTO agent_presence (staff_id, tenant_id, state) VALUES (${a0.id}, ${t5.tenant.id}, 'available'), (${a1.id}, ${t5.tenant.id}, 'busy')`);

    const res = await indicators(t5, '/now');
    expect(res.status).toBe(200);
    const now = res.json;
    expect(Math.abs(Date.parse(now.at) - Date.now())).toBeLessThan(60_000);
    expect(now.waiting.map((w: { channel: string; count: number }) => [w.channel, w.count])).toEqual([
      ['video', 2],
      ['phone', 0],
      ['callback', 1],
    ]);
    expect(now.waiting[0].longestWaitSeconds).toBeGreaterThanOrEqual(299);
    expect(now.waiting[0].longestWaitSeconds).toBeLessThan(330);
    expect(now.waiting[1].longestWaitSeconds).toBeNull();
    expect(now.longestWaitSeconds).toBe(now.waiting[0].longestWaitSeconds);
    // three agents attend channels: one available, one busy, one never connected (offline); supervisors attend none
    expect(now.agents).toEqual([
      { state: 'available', count: 1 },
      { state: 'busy', count: 1 },
      { state: 'pause', count: 0 },
      { state: 'offline', count: 1 },
    ]);
    expect(now.inProgress).toBe(1);

    // the dashboard page's script calls it with the page session (cookie path /{slug})
    const login = await fetch(`${server.base}/${t5.tenant.slug}/staff/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'sup@prova.example', password: PASSWORD }),
      redirect: 'manual',
    });
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toContain(`Path=/${t5.tenant.slug}`);
    const browser = await api(server.base, 'GET', `/${t5.tenant.slug}/staff/console/api/indicators/now`, undefined, { cookie: cookie.split(';')[0] });
    expect(browser.status).toBe(200);
    expect(browser.json.inProgress).toBe(1);
    const csv = await api(server.base, 'GET', `/${t5.tenant.slug}/staff/console/api/indicators/by-day.csv?from=2026-06-01&to=2026-06-02`, undefined, { cookie: cookie.split(';')[0] });
    expect(csv.status).toBe(200);
    const anonymous = await api(server.base, 'GET', `/${t5.tenant.slug}/staff/console/api/indicators/now`);
    expect([anonymous.status, anonymous.json.code]).toEqual([401, 'unauthenticated']);
  });

  it('documents the API in OpenAPI', async (t) => {
    if (state.skip) return t.skip();
    const doc = (await api(server.base, 'GET', '/api/openapi.json')).json;
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/tenants/{slug}/indicators', '/api/v1/tenants/{slug}/indicators/now']));
    expect(paths.some((p) => p.startsWith('/api/v1/tenants/{slug}/indicators/{table}'))).toBe(true);
    expect(paths.some((p) => p.includes('/staff/console/api/indicators'))).toBe(false);
    const get = doc.paths['/api/v1/tenants/{slug}/indicators'].get;
    expect(get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['from', 'to', 'procedure', 'channel', 'department', 'agent']));
    expect(Object.keys(get.responses[200].content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['totals', 'volume', 'waiting', 'handling', 'rates', 'firstFree', 'satisfaction', 'targets']),
    );
  });

  it('buckets durations as the database does (fin_duration_bucket)', async (t) => {
    if (state.skip) return t.skip();
    const values = [-5, 0, 0.001, 0.5, 1, 14.9, 15, 15.0001, 29.5, 30, 59.99, 60, 599, 599.9, 600, 600.0001, 600.5, 601, 659, 660, 3599, 3600, 3600.2, 3601, 3900, 14_399, 14_400, 14_400.5, 14_401, 16_200, 86_399, 86_400, 86_400.5, 86_401, 100_000, 1e7];
    let seed = 7;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      values.push(Math.round((seed / 2 ** 31) * 90_000 * 1000) / 1000);
    }
    for (let e = 15; e <= 86_400; e += 15) values.push(e);
    const rows = await db.rows<{ v: number; b: string }>(sql`
      SELECT v, fin_duration_bucket(v) AS b FROM unnest(${`{${values.join(',')}}`}::float8[]) WITH ORDINALITY AS x(v, i) ORDER BY i`);
    expect(rows).toHaveLength(values.length);
    const mismatches = rows.filter((r, i) => durationBucket(values[i]) !== r.b).map((r, i) => [values[i], r.b, durationBucket(values[i])]);
    expect(mismatches).toEqual([]);
  });
});

/** The counters of each procedure and channel, by key. */
function bags(rows: { procedureId: string; channel: string; counts: Counters }[]): Record<string, Counters> {
  return Object.fromEntries(rows.map((r) => [`${r.procedureId}|${r.channel}`, r.counts]));
}

/** A seeded history over [from, to]: every procedure, channel, agent, end state, outcome and type, some surveys, times near midnight. */
function randomHistory(t: Town, seed: number, n: number, from: string, to: string): HistoryItem[] {
  let s = seed;
  const rnd = () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
  const items: HistoryItem[] = [];
  for (let i = 0; i < n; i++) {
    const day = addDays(from, Math.floor(rnd() * days));
    const minutes = rnd() < 0.15 ? pick([0, 5, 23 * 60 + 55, 23 * 60 + 59]) : 7 * 60 + Math.floor(rnd() * 14 * 60);
    const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    const status = pick(['closed', 'closed', 'closed', 'no_show', 'not_reached', 'abandoned'] as const);
    const agent = pick([...t.agents, undefined]);
    const appointment = agent !== undefined && status !== 'not_reached' && rnd() < 0.6;
    const item: HistoryItem = {
      procedureId: pick([t.p1.id, t.p2.id]),
      channel: pick(['video', 'phone', 'callback'] as const),
      status,
      due: local(day, time),
      agentId: agent?.id,
      appointment,
    };
    if (status === 'closed' || status === 'not_reached') item.waitSeconds = Math.floor(rnd() * 1200);
    if (status === 'closed') {
      item.handlingSeconds = Math.floor(rnd() * 2400);
      item.outcome = pick(['resolved', 'follow_up', 'missing_documents', 'other'] as const);
      item.typologyId = pick([t.t1, t.t2]);
      if (rnd() < 0.5) item.survey = { liked: Math.floor(rnd() * 11), easy: Math.floor(rnd() * 11), again: rnd() < 0.7, answers: { clarity: Math.floor(rnd() * 11) } };
    }
    items.push(item);
  }
  return items;
}
