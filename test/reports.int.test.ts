/**
 * The monthly report on both databases: the PDF's text (pdftotext) carries the
 * month's figures and the comparison with the previous month, in Catalan and
 * Spanish; the scheduled pass queues one job per month across passes and
 * concurrent "processes"; the job stores the PDF and emails it (test SMTP);
 * the page and API ask for reports and download them, tenant- and role-checked;
 * malformed months get their own clear error.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMonthlyReport } from '../server/modules/reports/generate-monthly-report.js';
import { addMonths, currentMonth, monthDays } from '../server/modules/reports/report-month.js';
import { findReport } from '../server/modules/reports/reports.repository.js';
import { scheduleMonthlyReports } from '../server/modules/reports/schedule-monthly-reports.js';
import { createStaff } from '../server/modules/staff/create-staff.js';
import { insertAttentionHistory, type HistoryItem } from './support/attention-history.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { getPage, postForm } from './support/pages.js';
import { startSmtp } from './support/smtp.js';
import { api, smallTenant, startTestServer, type TestServer, apiSession } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

const PASSWORD = 'correct horse battery staple';
const ZONE = 'Europe/Madrid';
const local = (day: string, time: string) => DateTime.fromISO(`${day}T${time}`, { zone: ZONE }).toUTC().toISO()!;

/** The PDF's text as pdftotext lays it out, no-break spaces as spaces. */
function pdfText(pdf: Buffer, layout = true): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fin-report-'));
  try {
    const file = path.join(dir, 'r.pdf');
    writeFileSync(file, pdf);
    return execFileSync('pdftotext', [...(layout ? ['-layout'] : []), '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/[\u00a0\u202f]/g, ' ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function pdfInfo(pdf: Buffer): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fin-report-'));
  try {
    const file = path.join(dir, 'r.pdf');
    writeFileSync(file, pdf);
    const out = execFileSync('pdfinfo', ['-enc', 'UTF-8', file], { encoding: 'utf8' });
    return Object.fromEntries(out.split('\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A line of the report: the label, then the cells separated by runs of spaces. */
const row = (...cells: string[]) =>
  new RegExp(`^\\s*${cells.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, ' ?')).join('\\s{2,}')}\\s*$`, 'm');

describe.each(DATABASE_KINDS)('monthly report on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let server: TestServer;
  const deps = () => ({ database: db, jobMaxAttempts: 8 });

  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    smtp = await startSmtp();
    server = await startTestServer(db, { SMTP_URL: smtp.url, LIVE_SWEEP_SECONDS: '3600' });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  async function town() {
    const base = await smallTenant(db);
    const supervisor = await createStaff({ db: db.db, tenantId: base.tenant.id, email: 'sup@prova.example', fullName: 'Sílvia Supervisora', password: PASSWORD, role: 'supervisor' });
    return { ...base, supervisor };
  }

  async function signIn(slug: string, email: string) {
    return apiSession(server.base, slug, email, PASSWORD);
  }

  /** October 2025: 4 attentions; November 2025: 6 (figures in the test below). */
  function history(procedureId: string, agentId: string, previous: string, current: string): HistoryItem[] {
    return [
      // previous month
      { procedureId, channel: 'video', status: 'closed', due: local(`${previous}-06`, '10:00'), waitSeconds: 60, handlingSeconds: 300, appointment: true, agentId, survey: { liked: 6, easy: 7, again: false } },
      { procedureId, channel: 'video', status: 'no_show', due: local(`${previous}-07`, '10:00'), appointment: true, agentId },
      { procedureId, channel: 'phone', status: 'closed', due: local(`${previous}-08`, '11:00'), waitSeconds: 120, handlingSeconds: 300 },
      { procedureId, channel: 'callback', status: 'closed', due: local(monthDays(previous).to, '23:30'), waitSeconds: 300, handlingSeconds: 300 },
      // the month (the first one at 00:30 local on the 1st: still this month in Madrid, the previous one in UTC)
      { procedureId, channel: 'video', status: 'closed', due: local(`${current}-01`, '00:30'), waitSeconds: 60, handlingSeconds: 600, appointment: true, agentId, survey: { liked: 8, easy: 9, again: true } },
      { procedureId, channel: 'video', status: 'closed', due: local(`${current}-04`, '10:00'), waitSeconds: 120, handlingSeconds: 600, appointment: true, agentId, survey: { liked: 10, easy: 10, again: true } },
      { procedureId, channel: 'phone', status: 'closed', due: local(`${current}-05`, '12:00'), waitSeconds: 60, handlingSeconds: 300 },
      { procedureId, channel: 'callback', status: 'closed', due: local(`${current}-06`, '09:00'), waitSeconds: 60, handlingSeconds: 300 },
      { procedureId, channel: 'callback', status: 'not_reached', due: local(`${current}-07`, '09:00') },
      { procedureId, channel: 'phone', status: 'closed', due: local(`${current}-20`, '13:00'), waitSeconds: 300, handlingSeconds: 300, outcome: 'missing_documents' },
    ];
  }

  it('prints the month, its figures and the change from the previous month, in Catalan and in Spanish', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, procedure, agents } = await town();
    await insertAttentionHistory(db, tenant.id, history(procedure.id, agents[0].id, '2025-10', '2025-11'));
    const now = new Date('2025-12-02T08:00:00Z');

    const ca = await generateMonthlyReport(deps(), { tenantId: tenant.id, month: '2025-11', trigger: 'manual', language: 'ca', sourceJob: randomUUID(), now });
    expect(ca.emails).toBe(0);
    const caPdf = (await findReport(db.db, tenant.id, ca.reportId))!.pdf;
    expect(caPdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(caPdf);
    expect(text).toContain('Ajuntament de Prova');
    expect(text).toContain("Informe mensual d'indicadors");
    expect(text).toContain('Novembre del 2025');
    expect(text).toContain('Comparat amb octubre del 2025.');
    expect(text).toMatch(row('Indicador', 'novembre del 2025', 'octubre del 2025', 'Canvi'));
    expect(text).toMatch(row('Atencions', '6', '4', '+2'));
    expect(text).toMatch(row('Atencions tancades', '5', '3', '+2'));
    expect(text).toMatch(row('Taxa de no presentats', '0 %', '50 %', '-50,0 p.p.'));
    expect(text).toMatch(row('Trucades de retorn no localitzades', '1', '0', '+1'));
    expect(text).toMatch(row('No conclosos per manca de documents', '1', '0', '+1'));
    expect(text).toMatch(row('Resolució al primer contacte', '80 %', '100 %', '-20,0 p.p.'));
    // waits 60, 120, 60, 60, 300 → 120 s; before 60, 120, 300 → 160 s
    expect(text).toMatch(row("Temps d'espera mitjà", '2,0 min', '2,7 min', '-0,7 min'));
    expect(text).toMatch(row("Durada mitjana de l'atenció", '7,0 min', '5,0 min', '+2,0 min'));
    expect(text).toMatch(row("Respostes a l'enquesta de satisfacció", '2', '1', '+1'));
    expect(text).toMatch(row('Us ha agradat? (mitjana 0–10)', '9,0', '6,0', '+3,0'));
    expect(text).toMatch(row('Ho tornarien a fer servir', '100 %', '0 %', '+100,0 p.p.'));
    // the call-back target (within 4 minutes): met this month, not the previous one
    expect(text).toMatch(/90% de les trucades de retorn en 4 minuts\s+90 %\s+100 % \(n = 1\)\s+0 % \(n = 1\)\s+\+100,0 p\.p\.\s+Assolit/);
    // charts and tables with the previous month beside
    expect(text).toContain('Atencions per dia del mes');
    expect(text).toContain('Atencions per canal');
    expect(text).toMatch(row('Tràmit', '6', '100', '4', '+2'));
    expect(text).toMatch(row('Videotrucada', '2', '33,3', '2', '0'));
    expect(text).toMatch(row('Trucada de retorn', '2', '33,3', '1', '+1'));
    expect(text).toMatch(/Generat el .+ · Pàgina 1 de 3/);
    expect(text).toContain('Pàgina 3 de 3');
    // aggregates only: no citizen, no agent
    expect(text).not.toContain('Queue Citizen');
    expect(text).not.toContain('@');
    const info = pdfInfo(caPdf);
    expect(info.Title).toBe("Informe mensual d'indicadors · Novembre del 2025 · Ajuntament de Prova");
    expect(info.Author).toBe('Ajuntament de Prova');
    expect(info.Pages).toBe('3');
    expect(caPdf.toString('latin1')).toContain('/Lang (ca)');

    const es = await generateMonthlyReport(deps(), { tenantId: tenant.id, month: '2025-11', trigger: 'manual', language: 'es', sourceJob: randomUUID(), now });
    const esPdf = (await findReport(db.db, tenant.id, es.reportId))!.pdf;
    const texto = pdfText(esPdf);
    expect(texto).toContain('Informe mensual de indicadores');
    expect(texto).toContain('Noviembre de 2025');
    expect(texto).toContain('Comparado con octubre de 2025.');
    expect(texto).toMatch(row('Atenciones', '6', '4', '+2'));
    expect(texto).toMatch(row('Tasa de no presentados', '0 %', '50 %', '-50,0 p. p.'));
    expect(texto).toMatch(row('¿Le ha gustado? (media 0–10)', '9,0', '6,0', '+3,0'));
    expect(texto).toMatch(row('Tiempo de espera medio', '2,0 min', '2,7 min', '-0,7 min'));
    expect(texto).toMatch(/Generado el .+ · Página 1 de 3/);
    expect(esPdf.toString('latin1')).toContain('/Lang (es)');

    // regenerating replaces: one row per month and language, same id
    const again = await generateMonthlyReport(deps(), { tenantId: tenant.id, month: '2025-11', trigger: 'manual', language: 'ca', sourceJob: randomUUID(), now });
    expect(again.reportId).toBe(ca.reportId);
    expect(await db.rows(sql`SELECT language FROM monthly_reports WHERE tenant_id = ${tenant.id} ORDER BY language`)).toEqual([{ language: 'ca' }, { language: 'es' }]);
  });

  it('queues the previous month once across passes and processes, stores the PDF and emails it to the recipients', async (t) => {
    if (state.skip) return t.skip();
    const { tenant, procedure, agents } = await town();
    const month = addMonths(currentMonth(ZONE), -1);
    const before = addMonths(month, -1);
    // the town hall existed during the reported month; its report goes in Spanish to two addresses (one twice, one not an address)
    await db.rows(sql`UPDATE tenants SET created_at = now() - interval '100 days',
      settings = settings || ${JSON.stringify({ indicators: { reportRecipients: ['alcaldia@prova.example', 'dades@prova.example', 'ALCALDIA@prova.example', 'not an address'], reportLanguage: 'es' } })}::jsonb
      WHERE id = ${tenant.id}`);
    await insertAttentionHistory(db, tenant.id, history(procedure.id, agents[0].id, before, month));

    const reportJobs = () => db.rows<{ id: string; payload: Record<string, string> }>(sql`SELECT id, payload FROM jobs WHERE tenant_id = ${tenant.id} AND type = 'monthly_report'`);
    await scheduleMonthlyReports(deps());
    await scheduleMonthlyReports(deps());
    await Promise.all([scheduleMonthlyReports(deps()), scheduleMonthlyReports(deps()), scheduleMonthlyReports(deps())]);
    const jobs = await reportJobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0].payload).toEqual({ tenantId: tenant.id, month, trigger: 'schedule' });
    server.jobs?.kick();

    const mails = await Promise.all(['alcaldia@prova.example', 'dades@prova.example'].map((to) => smtp.waitForTo(to)));
    for (const [mail] of mails) {
      const parsed = await simpleParser(mail.raw);
      expect(parsed.subject).toMatch(/^Informe mensual de indicadores · \S+ de \d{4} · Ajuntament de Prova$/);
      expect(parsed.html).toContain('<html lang="es">');
      expect(parsed.text).toContain('Le enviamos el informe mensual de indicadores de la atención a la ciudadanía (Ajuntament de Prova, ');
      expect(parsed.attachments).toHaveLength(1);
      const [file] = parsed.attachments;
      expect(file.contentType).toBe('application/pdf');
      expect(file.filename).toBe(`${tenant.slug}-informe-${month}-es.pdf`);
      expect(file.content.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdfText(file.content)).toMatch(row('Atenciones', '6', '4', '+2'));
    }
    // the upper-case copy of an address and the non-address got nothing
    const emailJobs = await db.rows<{ payload: Record<string, string> }>(sql`SELECT payload FROM jobs WHERE tenant_id = ${tenant.id} AND type = 'email'`);
    expect(emailJobs.map((j) => j.payload.to).sort()).toEqual(['alcaldia@prova.example', 'dades@prova.example']);
    const stored = await db.rows<{ month: string; language: string; trigger: string }>(sql`
      SELECT to_char(month, 'YYYY-MM') AS month, language, trigger FROM monthly_reports WHERE tenant_id = ${tenant.id}`);
    expect(stored).toEqual([{ month, language: 'es', trigger: 'schedule' }]);

    // the same job run again (a lost lease) replaces the PDF and queues no email twice
    const rerun = await generateMonthlyReport(deps(), { tenantId: tenant.id, month, trigger: 'schedule', sourceJob: jobs[0].id });
    expect(rerun.emails).toBe(0);
    // a month already reported is not queued again, even with its job gone
    await db.rows(sql`DELETE FROM jobs WHERE id = ${jobs[0].id}`);
    await scheduleMonthlyReports(deps());
    expect(await reportJobs()).toHaveLength(0);

    // a town hall created this month has no previous month to report
    const fresh = await town();
    await scheduleMonthlyReports(deps());
    expect(await db.rows(sql`SELECT 1 FROM jobs WHERE tenant_id = ${fresh.tenant.id} AND type = 'monthly_report'`)).toHaveLength(0);
  });

  it('lets supervisors ask for a report and download it; agents and other town halls cannot; bad months are explained', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const b = await town();
    const sup = await signIn(a.tenant.slug, 'sup@prova.example');
    const base = `/api/v1/tenants/${a.tenant.slug}/reports`;
    const month = currentMonth(ZONE);

    // API: ask (202), the job makes it, list, download
    const asked = await api(server.base, 'POST', base, { month: addMonths(month, -1), language: 'es' }, sup);
    expect(asked.status).toBe(202);
    expect(asked.json).toMatchObject({ month: addMonths(month, -1), language: 'es', status: 'pending' });
    let list = await api(server.base, 'GET', base, undefined, sup);
    for (const until = Date.now() + 15_000; list.json.reports.length === 0; list = await api(server.base, 'GET', base, undefined, sup)) {
      if (Date.now() > until) throw new Error('report not made');
      await new Promise((r) => setTimeout(r, 100));
    }
    const [report] = list.json.reports;
    expect(report).toMatchObject({ month: addMonths(month, -1), language: 'es', trigger: 'manual' });
    const pdf = await fetch(`${server.base}${report.pdf}`, { headers: sup });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toBe(`attachment; filename="${a.tenant.slug}-informe-${addMonths(month, -1)}-es.pdf"`);
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');

    // API: bad months, each with its own message (the town hall's language: Catalan)
    const bad = async (body: unknown, headers: Record<string, string> = sup) => api(server.base, 'POST', base, body, headers);
    const malformed = await bad({ month: '2025-13' });
    expect(malformed.status).toBe(422);
    expect(malformed.json).toMatchObject({ code: 'period_invalid', message: 'Trieu un mes de la llista (AAAA-MM).', details: { fields: [{ path: 'month', code: 'month_malformed' }] } });
    const future = await bad({ month: addMonths(month, 1) });
    expect(future.status).toBe(422);
    expect(future.json.message).toBe("Aquest mes encara no ha començat: no en podem fer l'informe.");
    expect((await bad({ month: addMonths(month, -24) })).json.details.fields[0].code).toBe('month_too_old');
    expect((await bad({ month: 202511 })).status).toBe(400);
    expect((await bad({ month: '2025-11', language: 'fr' })).status).toBe(400);
    expect((await bad('{not json')).status).toBe(400);
    expect((await bad({ month: '2025-11' }, { cookie: sup.cookie })).status).toBe(403); // no CSRF token

    // agents may not; another town hall's report is not found; without a session, unauthenticated
    const agent = await signIn(a.tenant.slug, 'agent0@prova.example');
    expect((await api(server.base, 'GET', base, undefined, agent)).status).toBe(403);
    expect((await api(server.base, 'GET', `${base}/${report.id}/pdf`, undefined, agent)).status).toBe(403);
    expect((await getPage(server.base, `/${a.tenant.slug}/staff/reports`, { cookie: agent.cookie })).status).toBe(403);
    expect((await getPage(server.base, `/${a.tenant.slug}/staff/reports/${report.id}.pdf`, { cookie: agent.cookie })).status).toBe(403);
    const other = await signIn(b.tenant.slug, 'sup@prova.example');
    const foreign = await api(server.base, 'GET', `/api/v1/tenants/${b.tenant.slug}/reports/${report.id}/pdf`, undefined, other);
    expect(foreign.status).toBe(404);
    expect(foreign.json.code).toBe('report_not_found');
    expect((await getPage(server.base, `/${b.tenant.slug}/staff/reports/${report.id}.pdf`, { cookie: other.cookie })).status).toBe(404);
    expect((await api(server.base, 'GET', `/api/v1/tenants/${b.tenant.slug}/reports`, undefined, other)).json.reports).toEqual([]);
    expect((await api(server.base, 'GET', base)).status).toBe(401);
    const anonymous = await getPage(server.base, `/${a.tenant.slug}/staff/reports`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toContain(`/${a.tenant.slug}/staff/login`);

    // the page: the list with its download link, the form, errors on the field, then PRG and the notice
    const page = await getPage(server.base, `/${a.tenant.slug}/staff/reports?lang=ca`, { cookie: sup.cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Informes mensuals</h1>');
    expect(page.text).toContain(`href="/${a.tenant.slug}/staff/reports/${report.id}.pdf"`);
    expect(page.text).toContain('<label for="f-month">Mes</label>');
    expect(page.text).toContain('(en curs)');
    const form = `/${a.tenant.slug}/staff/reports?lang=ca`;
    expect((await postForm(server.base, form, [['month', addMonths(month, -2)], ['language', 'ca']], { cookie: sup.cookie })).status).toBe(403);
    for (const [fields, message] of [
      [[['month', 'x'], ['language', 'ca']], 'Trieu un mes de la llista (AAAA-MM).'],
      [[['month', addMonths(month, 3)], ['language', 'ca']], "Aquest mes encara no ha començat: no en podem fer l'informe."],
      [[['month', addMonths(month, -2)], ['language', 'de']], "Trieu una de les llengües de l'ajuntament."],
      [[['month', 'a'], ['month', 'b']], 'Trieu un mes de la llista (AAAA-MM).'],
    ] as Array<[Array<[string, string]>, string]>) {
      const res = await postForm(server.base, form, [...fields, ['_csrf', sup['x-csrf-token']]], { cookie: sup.cookie });
      expect(res.status).toBe(422);
      expect(res.text).toContain('class="error-summary"');
      expect(res.text).toContain(message);
    }
    const posted = await postForm(server.base, form, [['month', addMonths(month, -2)], ['language', 'ca'], ['_csrf', sup['x-csrf-token']]], { cookie: sup.cookie });
    expect(posted.status).toBe(303);
    const jobId = /[?&]job=([0-9a-f-]{36})/.exec(posted.location!)![1];
    let after = await getPage(server.base, posted.location!, { cookie: sup.cookie });
    expect(after.text).toMatch(/S'està preparant l'informe|ja està a punt/);
    for (const until = Date.now() + 15_000; !after.text.includes('ja està a punt'); after = await getPage(server.base, posted.location!, { cookie: sup.cookie })) {
      if (Date.now() > until) throw new Error(`report job ${jobId} not done`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const id = (await db.rows<{ id: string }>(sql`SELECT id FROM monthly_reports WHERE tenant_id = ${a.tenant.id} AND language = 'ca'`))[0].id;
    expect(after.text).toContain(`href="/${a.tenant.slug}/staff/reports/${id}.pdf"`);
    const download = await fetch(`${server.base}/${a.tenant.slug}/staff/reports/${id}.pdf`, { headers: { cookie: sup.cookie } });
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename=".+-informe-\d{4}-\d{2}-ca\.pdf"$/);
    expect(pdfText(Buffer.from(await download.arrayBuffer()))).toContain("Informe mensual d'indicadors");
    // not a PDF name, or not an id: not found
    expect((await getPage(server.base, `/${a.tenant.slug}/staff/reports/${id}`, { cookie: sup.cookie })).status).toBe(404);
    expect((await getPage(server.base, `/${a.tenant.slug}/staff/reports/nothing.pdf`, { cookie: sup.cookie })).status).toBe(404);
  });
});
