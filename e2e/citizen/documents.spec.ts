/**
 * Documents in Chromium. Before the call: the citizen opens the join link days before the appointment
 * and sends two files (the progress bar moves), the agent rejects one in the console with a reason,
 * the citizen gets the email, sends it again with the phone-camera input, and the agent accepts it.
 * During the call: past the upload deadline the citizen still sends a document, the agent sees it in
 * the call's Documents panel and hands the citizen a document, which the citizen downloads.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { simpleParser } from 'mailparser';
import { samplePdf, sampleJpeg } from '../../test/documents-samples.js';
import { expect, expectNoAxeViolations, expectNoHorizontalScroll, test } from '../support/fixtures.js';
import { sql } from 'drizzle-orm';
import { becomeAvailable, citizenChecksDevices, citizenEntersWaitingRoom, citizenJoins, insertBookedVideo, openConsole } from '../support/live-helpers.js';

const PASSWORD = 'correct horse battery staple';

/** Records every value the upload progress bar takes. */
async function watchProgress(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { progressSeen: number[] };
    w.progressSeen = [];
    const bar = document.getElementById('documents-progress-bar') as HTMLProgressElement;
    new MutationObserver(() => w.progressSeen.push(Number(bar.value))).observe(bar, { attributes: true, attributeFilter: ['value'] });
  });
}
const progressSeen = (page: Page) => page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);

test('a citizen sends documents before the call, the agent rejects one, the citizen sends it again from the camera and it is accepted', async ({ page, browser, tenant, env }) => {
  test.setTimeout(120_000);
  const slug = tenant.tenant.slug;
  const booked = await insertBookedVideo(env.db, { tenantId: tenant.tenant.id, slug, minutes: 5 * 24 * 60, email: `marta.${slug}@example.com`, citizenName: 'Marta Vila' });

  // --- the citizen, days before the call, on a phone-sized screen
  await page.setViewportSize({ width: 360, height: 740 });
  await citizenJoins(page, slug, booked);
  const panel = page.getByRole('region', { name: 'Documents', exact: true });
  await expect(panel.getByRole('heading', { name: 'Documents que heu d’enviar' })).toBeVisible();
  await expect(panel.getByText(/Podeu enviar documents fins al/)).toBeVisible();
  await expect(panel.getByRole('listitem').filter({ hasText: 'DNI, NIE o passaport vigent' })).toContainText('Encara no enviat');
  await expectNoAxeViolations(page, 'room with the documents panel');
  await expectNoHorizontalScroll(page, 'room with the documents panel');

  // 1) the ID card as a large PDF (two PATCHes): the progress bar moves
  await watchProgress(page);
  await expect(panel.getByLabel('Quin document és?')).toHaveValue('0');
  const bigPdf = Buffer.concat([samplePdf('DNI'), randomBytes(24 * 1024 * 1024)]);
  await panel.getByLabel('Trieu un fitxer').setInputFiles({ name: 'dni.pdf', mimeType: 'application/pdf', buffer: bigPdf });
  await expect(panel.locator('#documents-progress-text')).toHaveText('S’ha enviat dni.pdf. L’agent el revisarà.', { timeout: 30_000 });
  await expect(panel.getByRole('progressbar', { name: 'Progrés de l’enviament' })).toHaveAttribute('value', '100');
  const seen = await progressSeen(page);
  expect(seen.some((v) => v > 0 && v < 100), `intermediate progress values in ${JSON.stringify(seen)}`).toBe(true);

  // 2) another document (a photo of a bill) chosen as "Un altre document"
  await panel.getByLabel('Quin document és?').selectOption({ label: 'Un altre document' });
  await panel.getByLabel('Trieu un fitxer').setInputFiles({ name: 'rebut.jpg', mimeType: 'image/jpeg', buffer: sampleJpeg(20_000) });
  await expect(panel.locator('#documents-progress-text')).toHaveText('S’ha enviat rebut.jpg. L’agent el revisarà.');
  const mine = panel.getByRole('list', { name: 'Documents que heu enviat' });
  await expect(mine.getByRole('listitem')).toHaveCount(2);
  await expect(mine.getByRole('listitem').filter({ hasText: 'dni.pdf' })).toContainText('Pendent de revisió');
  await expect(panel.getByRole('listitem').filter({ hasText: 'DNI, NIE o passaport vigent' })).toContainText('Pendent de revisió');

  // --- the agent, in the console, before the call
  const staffContext = await browser.newContext({ baseURL: env.server.base, locale: 'ca-ES', timezoneId: 'Europe/Madrid' });
  const agent = await staffContext.newPage();
  await openConsole(agent, slug, booked.agentEmail, PASSWORD);
  const docs = agent.getByRole('region', { name: 'Documents', exact: true });
  await docs.getByRole('button', { name: `Documents de ${booked.reference}` }).click();
  await expect(docs.getByRole('heading', { name: `Documents · ${booked.reference}` })).toBeFocused();
  const fromCitizen = docs.getByRole('list', { name: 'De la ciutadania' });
  await expect(fromCitizen.getByRole('listitem')).toHaveCount(2);
  // the preview opens the decrypted file
  const [preview] = await Promise.all([agent.waitForEvent('popup'), docs.getByRole('link', { name: 'Previsualitza rebut.jpg' }).click()]);
  await expect.poll(() => preview.url()).toContain('/content');
  await preview.close();

  const dniRow = fromCitizen.getByRole('listitem').filter({ hasText: 'dni.pdf' });
  await dniRow.getByRole('button', { name: 'Rebutja dni.pdf' }).click();
  const reason = dniRow.getByLabel('Per què es rebutja? (la persona ho llegirà)');
  await expect(reason).toBeFocused();
  await dniRow.getByRole('button', { name: 'Rebutja i avisa la persona' }).click();
  await expect(dniRow.getByText('Indiqueu per què es rebutja el document.')).toBeVisible();
  await expect(reason).toHaveAttribute('aria-invalid', 'true');
  await reason.fill('La foto del DNI surt borrosa: feu-ne una altra amb més llum.');
  await dniRow.getByRole('button', { name: 'Rebutja i avisa la persona' }).click();
  await expect(fromCitizen.getByRole('listitem').filter({ hasText: 'dni.pdf' })).toContainText('No acceptat');
  await expect(agent.locator('#documents-agent-status')).toHaveText('S’ha rebutjat dni.pdf; s’ha avisat la persona per correu.');

  // --- the citizen gets the email, in Catalan
  await expect.poll(() => env.smtp.received.filter((m) => m.to.includes(booked.email)).length, { timeout: 20_000 }).toBeGreaterThan(0);
  const mail = await simpleParser(env.smtp.received.filter((m) => m.to.includes(booked.email)).at(-1)!.raw);
  expect(mail.subject).toBe("No s’ha acceptat un document del vostre tràmit: Certificat d'empadronament");
  expect(mail.text).toContain('La foto del DNI surt borrosa');
  expect(mail.text).toContain('«DNI, NIE o passaport vigent»');
  expect(mail.text).toContain(`/${slug}/join?ref=${booked.reference}`);

  // --- back to the room: the reason is shown; a new photo with the camera input
  await page.reload();
  await expect(mine.getByRole('listitem').filter({ hasText: 'dni.pdf' })).toContainText('No acceptat');
  await expect(mine.getByRole('listitem').filter({ hasText: 'dni.pdf' })).toContainText('Motiu: La foto del DNI surt borrosa');
  await expect(panel.getByLabel('Quin document és?')).toHaveValue('0');
  const camera = panel.getByLabel('Feu una foto');
  await expect(camera).toHaveAttribute('capture', 'environment');
  await expect(camera).toHaveAttribute('accept', 'image/*');
  await camera.setInputFiles({ name: 'IMG_0042.jpg', mimeType: 'image/jpeg', buffer: sampleJpeg(60_000) });
  await expect(panel.locator('#documents-progress-text')).toHaveText('S’ha enviat IMG_0042.jpg. L’agent el revisarà.');
  await expect(mine.getByRole('listitem')).toHaveCount(3);

  // --- the agent accepts the new photo
  await docs.getByRole('button', { name: 'Actualitza' }).click();
  await docs.getByRole('button', { name: 'Accepta IMG_0042.jpg' }).click();
  await expect(fromCitizen.getByRole('listitem').filter({ hasText: 'IMG_0042.jpg' })).toContainText('Acceptat');

  // --- the citizen sees it accepted; the rejected one stays listed as rejected
  await page.reload();
  await expect(mine.getByRole('listitem').filter({ hasText: 'IMG_0042.jpg' })).toContainText('Acceptat');
  await expect(mine.getByRole('listitem').filter({ hasText: 'dni.pdf' })).toContainText('No acceptat');
  await expect(panel.getByRole('listitem').filter({ hasText: 'DNI, NIE o passaport vigent' })).toContainText('Acceptat');
  await expectNoAxeViolations(page, 'room after review');
  await staffContext.close();
});

test('during the call: the citizen sends a document past the deadline, the agent hands one over', async ({ browser, tenant, env }) => {
  test.setTimeout(120_000);
  const slug = tenant.tenant.slug;
  const booked = await insertBookedVideo(env.db, { tenantId: tenant.tenant.id, slug, minutes: 5 });
  const citizenContext = await browser.newContext({ baseURL: env.server.base, locale: 'ca-ES', timezoneId: 'Europe/Madrid' });
  const agentContext = await browser.newContext({ baseURL: env.server.base, locale: 'ca-ES', timezoneId: 'Europe/Madrid' });
  const citizen = await citizenContext.newPage();
  const agent = await agentContext.newPage();
  try {
    await citizenJoins(citizen, slug, booked);
    const panel = citizen.getByRole('region', { name: 'Documents', exact: true });
    // 5 minutes before the slot the 48-hour deadline has passed
    await expect(panel.getByText(/El termini per enviar documents s’ha acabat/)).toBeVisible();
    await expect(panel.getByLabel('Trieu un fitxer')).toBeHidden();

    await citizenChecksDevices(citizen);
    await openConsole(agent, slug, booked.agentEmail, PASSWORD);
    await becomeAvailable(agent);
    await citizenEntersWaitingRoom(citizen);
    const row = agent.getByRole('row', { name: new RegExp(booked.citizenName) });
    await row.getByRole('button', { name: `Agafa ${booked.citizenName}` }).click();
    await expect(citizen.getByRole('heading', { level: 2, name: "Trucada amb l'ajuntament" })).toBeVisible();

    // in the call the citizen may send documents again (the panel refreshes by itself; a reload is quicker)
    await citizen.reload();
    await expect(panel.getByText('Podeu enviar documents mentre us atenen.')).toBeVisible();
    await panel.getByLabel('Trieu un fitxer').setInputFiles({ name: 'dni.pdf', mimeType: 'application/pdf', buffer: samplePdf('DNI') });
    await expect(panel.locator('#documents-progress-text')).toHaveText('S’ha enviat dni.pdf. L’agent el revisarà.');

    // the agent's panel shows the call's documents
    const docs = agent.getByRole('region', { name: 'Documents', exact: true });
    await expect(docs.getByRole('heading', { name: 'Documents d’aquesta trucada' })).toBeVisible();
    await docs.getByRole('button', { name: 'Actualitza' }).click();
    await expect(docs.getByRole('list', { name: 'De la ciutadania' }).getByRole('listitem').filter({ hasText: 'dni.pdf' })).toContainText('Pendent de revisió');
    await docs.getByRole('button', { name: 'Accepta dni.pdf' }).click();
    await expect(docs.getByRole('list', { name: 'De la ciutadania' }).getByRole('listitem').filter({ hasText: 'dni.pdf' })).toContainText('Acceptat');

    // the agent hands over a document
    const resolution = samplePdf('Resolucio');
    await docs.getByLabel('Lliura un document a la persona').setInputFiles({ name: 'resolucio.pdf', mimeType: 'application/pdf', buffer: resolution });
    await expect(docs.locator('#documents-agent-progress-text')).toHaveText('resolucio.pdf ja és a l’espai de baixades de la persona.');
    await expect(docs.getByRole('list', { name: 'Lliurats a la persona' }).getByRole('listitem')).toContainText('resolucio.pdf');

    // the citizen downloads it
    await citizen.reload();
    const handouts = panel.getByRole('list', { name: 'Documents de l’ajuntament' });
    const link = handouts.getByRole('link', { name: 'Baixa resolucio.pdf' });
    const [download] = await Promise.all([citizen.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('resolucio.pdf');
    const path = await download.path();
    expect((await import('node:fs')).readFileSync(path!).equals(resolution)).toBe(true);
    const [{ n }] = await env.db.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM documents WHERE tenant_id = ${tenant.tenant.id} AND kind = 'handout'`);
    expect(n).toBe(1);
  } finally {
    await citizenContext.close();
    await agentContext.close();
  }
});
