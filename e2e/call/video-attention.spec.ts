/**
 * The live video attention end to end, through both real pages: the citizen's room (join form →
 * device check → waiting room → call → end) and the agent's console (presence → queue → take →
 * call → recording → close). Media really flows: decoded frames are counted on both sides.
 */
import { simpleParser } from 'mailparser';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from '@playwright/test';
import type { Database } from '../../server/db/client.js';
import {
  becomeAvailable,
  callReport,
  citizenChecksDevices,
  citizenEntersWaitingRoom,
  citizenJoins,
  decodedFrames,
  expectFramesAdvance,
  insertBookedVideo,
  instrumentCalls,
  openConsole,
  type Booked,
} from '../support/live-helpers.js';
import { expect, expectNoAxeViolations, test } from '../support/live-fixtures.js';
import { cutUdp, restoreRules, restoreUdp, whyUdpCannotBeCut } from '../support/netns.js';

/** Two browsers of their own: the citizen on `citizenBase`, the agent on `agentBase`. */
async function twoBrowsers(browser: Browser, citizenBase: string, agentBase: string) {
  const citizenContext = await browser.newContext({ baseURL: citizenBase, locale: 'ca-ES', timezoneId: 'Europe/Madrid' });
  const agentContext = await browser.newContext({ baseURL: agentBase, locale: 'ca-ES', timezoneId: 'Europe/Madrid' });
  await instrumentCalls(citizenContext);
  await instrumentCalls(agentContext);
  return { citizenContext, agentContext, citizen: await citizenContext.newPage(), agent: await agentContext.newPage() };
}

async function attentionOf(db: Database, booked: Booked) {
  const [row] = await db.rows<{ id: string; status: string; typology_id: string | null; outcome: string | null; connected_at: Date | null; ended_at: Date | null; closed_at: Date | null }>(
    sql`SELECT id, status, typology_id, outcome, connected_at, ended_at, closed_at FROM attentions WHERE appointment_id = ${booked.id}`,
  );
  return row;
}

/** The remote video on each side. */
const citizenRemote = (citizen: Page) => citizen.getByRole('region', { name: "Trucada amb l'ajuntament" }).getByLabel(/^Vídeo de /);
const agentRemote = (agent: Page) => agent.getByRole('group', { name: 'Vídeo dels altres participants' }).locator('video');

/** The agent takes the waiting citizen from the queue; both sides see the call start. */
async function agentTakes(agent: Page, citizen: Page, name: string) {
  const row = agent.getByRole('row', { name: new RegExp(name) });
  await row.getByRole('button', { name: `Agafa ${name}` }).click();
  await expect(agent.getByRole('heading', { name: `Atenent ${name}` })).toBeFocused();
  await expect(citizen.getByRole('heading', { level: 2, name: "Trucada amb l'ajuntament" })).toBeVisible();
}

/** Video both ways: a picture and new frames decoded on each side; both indicators say connected. */
async function expectVideoBothWays(agent: Page, citizen: Page) {
  await expect(citizenRemote(citizen)).toHaveCount(1);
  await expect(agentRemote(agent)).toHaveCount(1);
  await expectFramesAdvance(citizenRemote(citizen), 'the citizen sees the agent');
  await expectFramesAdvance(agentRemote(agent), 'the agent sees the citizen');
  await expect(agent.getByRole('status').filter({ hasText: /^Connectat$/ })).toBeVisible();
  await expect(citizen.getByRole('status').filter({ hasText: /^Connectat$/ })).toBeVisible();
}

/** Chat both ways; a link the citizen writes is a link the agent can open. */
async function chatBothWays(agent: Page, citizen: Page) {
  const link = 'https://example.org/volant?id=7';
  await citizen.getByLabel('Escriviu un missatge').fill(`Aquí teniu el volant: ${link}`);
  await citizen.getByLabel('Escriviu un missatge').press('Enter');
  await expect(citizen.getByLabel('Escriviu un missatge')).toHaveValue('');
  const agentLog = agent.getByRole('log', { name: 'Xat' });
  await expect(agentLog).toContainText(`Ciutadà/ana`);
  await expect(agentLog).toContainText(`Aquí teniu el volant: ${link}`);
  const anchor = agentLog.getByRole('link', { name: link });
  await expect(anchor).toHaveAttribute('href', link);
  await expect(anchor).toHaveAttribute('rel', 'noopener noreferrer');
  // it opens (in a new window; the address is answered here: the test network has no internet)
  await agent.context().route('https://example.org/**', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Volant</title><p>Volant</p>' }));
  const [opened] = await Promise.all([agent.context().waitForEvent('page'), anchor.click()]);
  await expect(opened).toHaveURL(link);
  await opened.close();

  await agent.getByLabel('Missatge', { exact: true }).fill('Gràcies, ja el veig. Un moment, si us plau.');
  await agent.getByRole('button', { name: 'Envia' }).click();
  const citizenLog = citizen.getByRole('log', { name: 'Missatges' });
  await expect(citizenLog).toContainText('Ajuntament');
  await expect(citizenLog).toContainText('Gràcies, ja el veig. Un moment, si us plau.');
}

/** The agent closes the attention as resolved, with a consultation type. */
async function agentCloses(agent: Page) {
  await agent.getByLabel('Tipus de consulta').selectOption({ label: 'Informació general' });
  await agent.getByRole('radio', { name: 'Resolta' }).check();
  await agent.getByRole('button', { name: "Tanca l'atenció" }).click();
  await expect(agent.getByRole('status').filter({ hasText: 'Atenció tancada. Torneu a estar disponible.' })).toBeVisible();
  await expect(agent.getByRole('heading', { name: 'Cua' })).toBeFocused();
  await expect(agent.getByText('Esteu: Disponible')).toBeVisible();
}

async function expectClosedResolved(db: Database, booked: Booked) {
  const row = await attentionOf(db, booked);
  expect(row).toMatchObject({ status: 'closed', outcome: 'resolved' });
  expect(row.typology_id).not.toBeNull();
  expect(row.connected_at).not.toBeNull();
  expect(row.ended_at).not.toBeNull();
  expect(row.closed_at).not.toBeNull();
  return row;
}

test('one process: join, device check, waiting room, take, video both ways, screen, chat, a network cut, consented recording, hang up, close', async ({ browser, tenant, env }) => {
  test.setTimeout(90_000);
  const slug = tenant.tenant.slug;
  const booked = await insertBookedVideo(env.db, { tenantId: tenant.tenant.id, slug, minutes: 5 });
  const { citizenContext, agentContext, citizen, agent } = await twoBrowsers(browser, env.server.base, env.server.base);
  try {
    // the citizen: join form → lobby → device check
    await citizenJoins(citizen, slug, booked, { axe: true });
    await expect(citizen.locator('dd.reference')).toHaveText(booked.reference);
    await citizenChecksDevices(citizen, { axe: true });

    // the agent: console, available, nobody waiting yet
    await openConsole(agent, slug, booked.agentEmail, tenant.password);
    await becomeAvailable(agent);
    await expect(agent.getByText('No hi ha ningú esperant.')).toBeVisible();

    // the citizen enters the waiting room; the agent is alerted
    await citizenEntersWaitingRoom(citizen, { axe: true });
    const row = agent.getByRole('row', { name: new RegExp(booked.citizenName) });
    await expect(row).toBeVisible();
    await expect(row).toContainText(booked.reference);
    await expect(row).toContainText('Videotrucada');
    await expect(agent.getByRole('alert').filter({ hasText: 'Persona en espera' })).toHaveText(/^Persona en espera \(\d+ min\)$/);
    await expectNoAxeViolations(agent, 'console with a citizen waiting');

    await agentTakes(agent, citizen, booked.citizenName);
    await expectVideoBothWays(agent, citizen);
    await expectNoAxeViolations(agent, 'console in a video call');
    const attention = await attentionOf(env.db, booked);
    expect(attention.status).toBe('in_progress');
    await expect.poll(async () => (await attentionOf(env.db, booked)).connected_at, { message: 'talk time started' }).not.toBeNull();

    // the citizen shares the screen: the agent is told, and the picture keeps coming
    const share = citizen.getByRole('button', { name: 'Comparteix la meva pantalla' });
    await share.click();
    await expect(share).toHaveAttribute('aria-pressed', 'true');
    await expect(agent.getByRole('status').filter({ hasText: /comparteix la pantalla\.$/ })).toBeVisible();
    await expectFramesAdvance(agentRemote(agent), 'the agent sees the shared screen');
    await share.click();
    await expect(share).toHaveAttribute('aria-pressed', 'false');
    await expect(agent.getByRole('status').filter({ hasText: /comparteix la pantalla\.$/ })).toHaveCount(0);

    await chatBothWays(agent, citizen);

    // The network drops (UDP on loopback refused; pages and sockets keep working over TCP) for longer
    // than a first attempt to restore the media path, and comes back.
    const cannot = whyUdpCannotBeCut();
    if (cannot) {
      test.info().annotations.push({ type: 'skipped step', description: `network cut: ${cannot}` });
    } else {
      const mark = (await callReport(agent)).ice.length;
      const framesAtCut = await decodedFrames(agentRemote(agent));
      try {
        cutUdp();
        await expect(agent.getByRole('status').filter({ hasText: /^Reconnectant…$/ }), 'the console shows the connection reconnecting').toBeVisible({ timeout: 30_000 });
        await expect(citizen.getByRole('status').filter({ hasText: "S'ha perdut la connexió. Tornant a connectar…" })).toBeVisible({ timeout: 30_000 });
        // the agent's page restarted ICE during the cut and that did not bring the media back either:
        // it tried again, or the browser gave the connection up
        await expect
          .poll(
            async () => {
              const log = (await callReport(agent)).ice.slice(mark);
              return log.some((e) => e.endsWith('conn:failed')) || log.filter((e) => e.endsWith('negotiationneeded')).length >= 2;
            },
            { timeout: 40_000, message: 'an ICE restart made during the cut failed' },
          )
          .toBe(true);
        const during = { agent: await callReport(agent), citizen: await callReport(citizen) };
        const framesInCut = await decodedFrames(agentRemote(agent));
        restoreUdp();
        await expect(agent.getByRole('status').filter({ hasText: /^Connectat$/ })).toBeVisible({ timeout: 30_000 });
        await expect(citizen.getByRole('status').filter({ hasText: /^Connectat$/ })).toBeVisible({ timeout: 30_000 });
        await expectFramesAdvance(citizenRemote(citizen), 'the citizen sees the agent again');
        await expectFramesAdvance(agentRemote(agent), 'the agent sees the citizen again');
        const after = { agent: await callReport(agent), citizen: await callReport(citizen) };
        test.info().annotations.push({
          type: 'network cut',
          description: JSON.stringify({ framesAtCut, framesInCut, during: { agent: during.agent.ice.slice(mark), transport: during.agent.transport }, after: { agent: after.agent.ice.slice(mark), transport: after.agent.transport, citizenTransport: after.citizen.transport } }),
        });
      } finally {
        restoreRules();
      }
      // the attention lived through it
      const still = await attentionOf(env.db, booked);
      expect(still).toMatchObject({ status: 'in_progress', ended_at: null });
      await expect(agent.getByRole('heading', { name: `Atenent ${booked.citizenName}` })).toBeVisible();
      await expect(citizen.getByRole('heading', { level: 2, name: "Trucada amb l'ajuntament" })).toBeVisible();
    }

    // recording, after the citizen's consent
    await agent.getByRole('button', { name: 'Demana consentiment per enregistrar' }).click();
    await expect(agent.getByText('Esperant la resposta de la persona…')).toBeVisible();
    const dialog = citizen.getByRole('dialog', { name: 'Enregistrament de la trucada' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: "Hi estic d'acord", exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(citizen.getByText("S'està enregistrant", { exact: true })).toBeVisible();
    await expect(agent.getByText(/^Enregistrant · ([2-9]|\d\d+) parts pujades$/)).toBeVisible({ timeout: 30_000 });
    const [{ chunks }] = await env.db.rows<{ chunks: number }>(sql`
      SELECT count(*)::int AS chunks FROM recording_chunks c JOIN recordings r ON r.id = c.recording_id WHERE r.attention_id = ${attention.id}`);
    expect(chunks).toBeGreaterThanOrEqual(2);

    // the agent hangs up: the recording is finished, the citizen sees the end
    await agent.getByRole('button', { name: 'Penja' }).click();
    await expect(agent.getByText("L'enregistrament s'ha aturat i s'ha desat.")).toBeVisible({ timeout: 30_000 });
    await expect(agent.getByText('La trucada ha acabat. Empleneu el formulari de tancament.')).toBeVisible();
    await expect(citizen.getByRole('heading', { level: 2, name: 'La trucada ha acabat' })).toBeFocused();
    await agentCloses(agent);

    await expectClosedResolved(env.db, booked);
    await expect
      .poll(async () => (await env.db.rows<{ status: string; sha256: string | null; chunks: number }>(sql`SELECT status, sha256, chunks FROM recordings WHERE attention_id = ${attention.id}`))[0], {
        timeout: 20_000,
        message: 'the recording is assembled',
      })
      .toMatchObject({ status: 'complete', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), chunks: expect.any(Number) });
    const [rec] = await env.db.rows<{ chunks: number }>(sql`SELECT chunks FROM recordings WHERE attention_id = ${attention.id}`);
    expect(rec.chunks).toBeGreaterThanOrEqual(2);
  } finally {
    await citizenContext.close();
    await agentContext.close();
  }
});

test('two server processes on one PostgreSQL: the citizen on A, the agent on B — waiting, take, video both ways, chat, close', async ({ browser, postgresPair }) => {
  const { db, a, b, town } = postgresPair;
  const slug = town.tenant.slug;
  const booked = await insertBookedVideo(db, { tenantId: town.tenant.id, slug, minutes: 5, citizenName: 'Núria Prats' });
  const { citizenContext, agentContext, citizen, agent } = await twoBrowsers(browser, a.base, b.base);
  try {
    await citizenJoins(citizen, slug, booked);
    await citizenChecksDevices(citizen);
    await openConsole(agent, slug, booked.agentEmail, town.password);
    await becomeAvailable(agent);
    await citizenEntersWaitingRoom(citizen);
    // entered on A, heard on B
    await expect(agent.getByRole('row', { name: /Núria Prats/ })).toBeVisible();
    await expect(agent.getByRole('alert').filter({ hasText: 'Persona en espera' })).toBeVisible();

    await agentTakes(agent, citizen, booked.citizenName);
    await expectVideoBothWays(agent, citizen);
    await chatBothWays(agent, citizen);

    await agent.getByRole('button', { name: 'Penja' }).click();
    await expect(citizen.getByRole('heading', { level: 2, name: 'La trucada ha acabat' })).toBeFocused();
    await agentCloses(agent);
    await expectClosedResolved(db, booked);
  } finally {
    await citizenContext.close();
    await agentContext.close();
  }
});

test('a booked video citizen who never came: no-show in the agenda, an email with a link to book again', async ({ page, browser, tenant, env, sweepingServer }) => {
  const slug = tenant.tenant.slug;
  const email = `absent.${slug}@example.com`;
  // the agent has the agenda open (on the worker's server; another server does the sweeping)
  await page.goto(`/${slug}/staff/login`);
  await page.getByLabel('Correu electrònic').fill(`agent1@${slug}.example`);
  await page.getByLabel('Contrasenya').fill(tenant.password);
  await page.getByRole('button', { name: 'Entra' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Agenda');
  await expect(page.getByText('No hi ha cites amb aquests filtres.')).toBeVisible();

  // an appointment that started 11 minutes ago (noShowMinutes is 10), never joined
  const booked = await insertBookedVideo(env.db, { tenantId: tenant.tenant.id, slug, minutes: -11, citizenName: 'Jana Roig', email });
  expect(sweepingServer.base).not.toBe(env.server.base);

  // the sweep marks it; the open agenda hears it and shows it as no-show
  await expect(page.getByRole('status').filter({ hasText: "L'agenda ha canviat." })).toBeVisible({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Actualitza' }).click();
  const startedToday =
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Madrid' }).format(new Date(Date.now() - 11 * 60_000)) ===
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Madrid' }).format(new Date());
  if (startedToday) {
    const row = page.getByRole('row').filter({ hasText: booked.reference });
    await expect(row).toContainText('Jana Roig');
    await expect(row).toContainText('No presentat');
  } else {
    test.info().annotations.push({ type: 'skipped step', description: "the appointment started yesterday: today's agenda cannot list it" });
  }
  const [att] = await env.db.rows<{ status: string }>(sql`SELECT at.status FROM attentions at WHERE at.appointment_id = ${booked.id}`);
  expect(att.status).toBe('no_show');

  // the console's queue does not show it
  await page.getByRole('navigation', { name: 'Àrea del personal' }).getByRole('link', { name: 'Consola' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Consola');
  await expect(page.getByText('No hi ha ningú esperant.')).toBeVisible();
  await expect(page.getByRole('row', { name: /Jana Roig/ })).toHaveCount(0);

  // the email, in Catalan, with the link to book again
  await expect.poll(() => env.smtp.received.filter((m) => m.to.includes(email)).length, { timeout: 15_000, message: 'the no-show email' }).toBe(1);
  const mail = await simpleParser(env.smtp.received.find((m) => m.to.includes(email))!.raw);
  expect(mail.subject).toMatch(/^No us vau connectar a la cita: Certificat d'empadronament, /);
  expect(mail.text).toContain('Jana Roig');
  expect(mail.text).toContain(booked.reference);
  const link = new RegExp(`Demaneu una altra cita: (http\\S+/${slug}\\?lang=ca)`).exec(mail.text ?? '');
  expect(link, 'the link to book again').not.toBeNull();
  expect(mail.html).toContain(`href="${link![1]}"`);

  // following it opens the booking pages
  const citizen = await browser.newPage({ locale: 'ca-ES' });
  try {
    await citizen.goto(link![1]);
    await expect(citizen.getByRole('heading', { level: 1 })).toHaveText('Ajuda amb un tràmit');
    await citizen.getByRole('link', { name: "Demana cita: Certificat d'empadronament" }).click();
    await expect(citizen.getByRole('heading', { level: 1 })).toHaveText('Com voleu que us atenguem?');
  } finally {
    await citizen.close();
  }
});
