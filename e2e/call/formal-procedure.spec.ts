/**
 * The formal procedure in a video call, through both real pages: the agent identifies the citizen
 * (ID front and back captured from the citizen's video, a DNI checked by its letter, the face
 * confirmed), fills the request form while the citizen watches it live, asks for consent, the
 * citizen consents in a dialog, the agent files → register number on both screens → the citizen
 * downloads the sealed receipt, which `pdfsig` finds validly signed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import type { Browser, Page } from '@playwright/test';
import type { Database } from '../../server/db/client.js';
import {
  becomeAvailable,
  citizenChecksDevices,
  citizenEntersWaitingRoom,
  citizenJoins,
  expectFramesAdvance,
  insertBookedVideo,
  openConsole,
  prepareFormalProcedure,
} from '../support/live-helpers.js';
import { expect, expectNoAxeViolations, test } from '../support/live-fixtures.js';

async function twoBrowsers(browser: Browser, base: string) {
  const citizenContext = await browser.newContext({ baseURL: base, locale: 'ca-ES', timezoneId: 'Europe/Madrid', acceptDownloads: true });
  const agentContext = await browser.newContext({ baseURL: base, locale: 'ca-ES', timezoneId: 'Europe/Madrid' });
  return { citizenContext, agentContext, citizen: await citizenContext.newPage(), agent: await agentContext.newPage() };
}

const agentRemote = (agent: Page) => agent.getByRole('group', { name: 'Vídeo dels altres participants' }).locator('video');
const citizenRemote = (citizen: Page) => citizen.getByRole('region', { name: "Trucada amb l'ajuntament" }).getByLabel(/^Vídeo de /);

async function filingOf(db: Database, appointmentId: string) {
  const [row] = await db.rows<{ id: string; code: string; status: string; form_data: Record<string, unknown> }>(sql`
    SELECT f.id, e.code, f.status, f.form_data
      FROM filings f JOIN attentions a ON a.id = f.attention_id JOIN register_entries e ON e.id = f.register_entry_id
     WHERE a.appointment_id = ${appointmentId}`);
  return row;
}

type Tenant = { tenant: { id: string; slug: string }; password: string };

/** The citizen joins and waits; the agent takes them; media flows both ways; the agent opens the formal panel. */
async function intoCall(browser: Browser, base: string, db: Database, town: Tenant, citizenName?: string) {
  const slug = town.tenant.slug;
  await prepareFormalProcedure(db, { tenantId: town.tenant.id, slug });
  const booked = await insertBookedVideo(db, { tenantId: town.tenant.id, slug, minutes: 5, citizenName });
  const pages = await twoBrowsers(browser, base);
  const { citizen, agent } = pages;
  await citizenJoins(citizen, slug, booked);
  await citizenChecksDevices(citizen);
  await openConsole(agent, slug, booked.agentEmail, town.password);
  await becomeAvailable(agent);
  await citizenEntersWaitingRoom(citizen);
  const row = agent.getByRole('row', { name: new RegExp(booked.citizenName) });
  await row.getByRole('button', { name: `Agafa ${booked.citizenName}` }).click();
  await expect(agent.getByRole('heading', { name: `Atenent ${booked.citizenName}` })).toBeFocused();
  await expect(citizen.getByRole('heading', { level: 2, name: "Trucada amb l'ajuntament" })).toBeVisible();
  await expectFramesAdvance(agentRemote(agent), 'the agent sees the citizen');
  await expectFramesAdvance(citizenRemote(citizen), 'the citizen sees the agent');

  // the agent opens the formal procedure panel (a disclosure button)
  const panel = agent.getByRole('region', { name: 'Tràmit formal' });
  const toggle = panel.getByRole('button', { name: 'Obre el tràmit formal' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await expect(panel.getByRole('button', { name: 'Amaga el tràmit formal' })).toHaveAttribute('aria-expanded', 'true');
  await expect(panel.getByText("Tràmit: Certificat d'empadronament")).toBeVisible();
  return { ...pages, booked, panel };
}

test('in the call: identity from the video, the form co-viewed, consent, filing, register number and sealed receipt', async ({ browser, tenant, env }) => {
  test.setTimeout(120_000);
  const year = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Madrid', year: 'numeric' }).format(new Date());
  const registerCode = `E/${year}/000001`;
  const { citizenContext, agentContext, citizen, agent, booked, panel } = await intoCall(browser, env.server.base, env.db, tenant);
  try {
    await expect(panel.getByText('No sou al registre de funcionaris habilitats', { exact: false })).toBeHidden();

    // 1. identity: confirming without the ID images names what is missing, by field
    const identity = panel.getByRole('region', { name: '1. Identitat' });
    await identity.getByLabel('Nom i cognoms').fill(booked.citizenName);
    await identity.getByLabel('Número del document (DNI, NIE, NIF o CIF)').fill('12345678A');
    await identity.getByRole('button', { name: 'Confirma la identitat' }).click();
    await expect(identity.getByText('Captureu l’anvers i el revers del document d’identitat.')).toBeVisible();
    await expect(identity.getByText('Confirmeu que la cara coincideix amb el document d’identitat.')).toBeVisible();

    // the ID, front and back, captured from the citizen's video
    await identity.getByRole('button', { name: "Captura l'anvers" }).click();
    await expect(panel.getByRole('status').filter({ hasText: "S'ha desat l'anvers del document." })).toBeVisible();
    await expect(identity.getByRole('img', { name: 'Anvers del document capturat' })).toBeVisible();
    await identity.getByRole('button', { name: 'Captura el revers' }).click();
    await expect(panel.getByRole('status').filter({ hasText: "S'ha desat el revers del document." })).toBeVisible();
    await expect(identity.getByRole('img', { name: 'Revers del document capturat' })).toBeVisible();
    expect(await identity.getByRole('img', { name: 'Revers del document capturat' }).evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(240);
    const images = await env.db.rows<{ kind: string; content_type: string; bytes: number }>(sql`
      SELECT d.kind, d.content_type, d.bytes FROM documents d WHERE d.appointment_id = ${booked.id} AND d.kind IN ('id_front', 'id_back') ORDER BY d.kind DESC`);
    expect(images.map((i) => [i.kind, i.content_type])).toEqual([
      ['id_front', 'image/jpeg'],
      ['id_back', 'image/jpeg'],
    ]);
    for (const i of images) expect(i.bytes).toBeGreaterThan(2_000);

    // a DNI with the wrong letter is refused by the server, next to its field
    await identity.getByLabel('La cara coincideix amb la del document').check();
    await identity.getByRole('button', { name: 'Confirma la identitat' }).click();
    const idNumber = identity.getByLabel('Número del document (DNI, NIE, NIF o CIF)');
    await expect(identity.getByText('El DNI, NIE o NIF no és vàlid: reviseu el número i la lletra.')).toBeVisible();
    await expect(idNumber).toHaveAttribute('aria-invalid', 'true');
    await expect(idNumber).toBeFocused();
    await idNumber.fill('12345678Z');
    await identity.getByRole('button', { name: 'Confirma la identitat' }).click();
    await expect(identity.getByText(/^Identitat comprovada \(DNI\/NIF\) a les \d\d:\d\d\.$/)).toBeFocused();
    await expect(identity.getByRole('button', { name: 'Confirma la identitat' })).toBeDisabled();

    // 2. the request form, seen live by the citizen
    const form = panel.getByRole('region', { name: '2. Sol·licitud' });
    const seen = citizen.getByRole('region', { name: 'La vostra sol·licitud' });
    await form.getByLabel('Adreça de l’obra').fill('Carrer Major, 12');
    await expect(seen.locator('dd[data-field="street"]')).toHaveText('Carrer Major, 12');
    await expect(seen.locator('dt', { hasText: 'Adreça de l’obra' })).toBeVisible();
    await form.getByLabel('Tipus d’obra').selectOption({ label: 'Obra major' });
    await form.getByLabel('Pressupost (€)').fill('-5');
    await form.getByLabel('Pressupost (€)').blur();
    await expect(form.getByText('El valor més petit permès és 0.')).toBeVisible();
    await form.getByLabel('Pressupost (€)').fill('12500');
    await form.getByLabel('Pressupost (€)').blur();
    await expect(form.getByText('El valor més petit permès és 0.')).toBeHidden();
    await form.getByLabel('Cal bastida').check();
    await form.getByLabel('Start date').fill('2026-05-04');
    await form.getByLabel('notes').fill('Façana i balcons');
    await expect(seen.locator('dd[data-field="kind"]')).toHaveText('Obra major');
    await expect(seen.locator('dd[data-field="budget"]')).toHaveText('12500');
    await expect(seen.locator('dd[data-field="scaffolding"]')).toHaveText('Sí');
    await expect(seen.locator('dd[data-field="startDate"]')).toHaveText(/^4 de maig/);
    await expect(seen.locator('dd[data-field="notes"]')).toHaveText('Façana i balcons');
    // read-only for the citizen: no form controls
    await expect(seen.locator('input, select, textarea')).toHaveCount(0);

    // 3. consent
    await panel.getByRole('button', { name: 'Demana el consentiment' }).click();
    await expect(panel.getByText('Esperant el consentiment de la persona…', { exact: true }).first()).toBeVisible();
    const dialog = citizen.getByRole('dialog', { name: 'Doneu el consentiment per registrar aquesta sol·licitud?' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('heading', { name: 'Doneu el consentiment per registrar aquesta sol·licitud?' })).toBeFocused();
    await expect(dialog.locator('#formal-consent-text')).not.toBeEmpty();
    await expect(dialog.locator('dd[data-field="street"]')).toHaveText('Carrer Major, 12');
    await expect(dialog.locator('dd[data-field="kind"]')).toHaveText('Obra major');
    await expectNoAxeViolations(citizen, 'room with the consent dialog open');
    await dialog.getByRole('button', { name: 'Hi dono el consentiment' }).click();
    await expect(dialog).toBeHidden();
    // said to screen readers, and shown
    await expect(citizen.getByRole('status').filter({ hasText: "Gràcies. S'ha desat el vostre consentiment." })).toHaveCount(1);
    await expect(citizen.getByRole('paragraph').filter({ hasText: "Gràcies. S'ha desat el vostre consentiment." })).toBeVisible();
    await expect(panel.getByText(/^La persona ha donat el consentiment a les \d\d:\d\d\.$/)).toBeVisible();
    await expectNoAxeViolations(agent, 'console with the formal procedure panel');

    // the agent changes the request after the consent: the panel says so, and filing is refused
    await form.getByLabel('notes').fill('Façana, balcons i coberta');
    await expect(seen.locator('dd[data-field="notes"]')).toHaveText('Façana, balcons i coberta');
    await expect(panel.getByText('La sol·licitud ha canviat després del consentiment: torneu-lo a demanar.')).toBeVisible();
    await panel.getByRole('button', { name: 'Registra la sol·licitud' }).click();
    await expect(panel.getByRole('alert')).toHaveText('La sol·licitud ha canviat després del consentiment. Torneu a demanar-lo.');
    // asked again, the citizen sees the request as it stands now
    await panel.getByRole('button', { name: 'Torna a demanar el consentiment' }).click();
    await expect(dialog).toBeVisible();
    await expect(dialog.locator('dd[data-field="notes"]')).toHaveText('Façana, balcons i coberta');
    await dialog.getByRole('button', { name: 'Hi dono el consentiment' }).click();
    await expect(dialog).toBeHidden();
    await expect(panel.getByText(/^La persona ha donat el consentiment a les \d\d:\d\d\.$/)).toBeVisible();

    // 4. filing → the register number on both screens
    await panel.getByRole('button', { name: 'Registra la sol·licitud' }).click();
    await expect(panel.getByText(new RegExp(`^Sol·licitud registrada amb el número ${registerCode.replace(/\//g, '\\/')} a les \\d\\d:\\d\\d\\.`))).toBeFocused();
    await expect(citizen.getByRole('heading', { level: 2, name: 'La vostra sol·licitud està registrada' })).toBeVisible();
    await expect(citizen.getByRole('paragraph').filter({ hasText: `La vostra sol·licitud està registrada amb el número ${registerCode}.` })).toBeVisible();
    const filed = await filingOf(env.db, booked.id);
    expect(filed.code).toBe(registerCode);
    expect(filed.form_data).toEqual({ street: 'Carrer Major, 12', kind: 'major', budget: 12500, scaffolding: true, startDate: '2026-05-04', notes: 'Façana, balcons i coberta' });
    const [consents] = await env.db.rows<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM filing_consents c JOIN attentions a ON a.id = c.attention_id WHERE a.appointment_id = ${booked.id}`);
    expect(consents.n).toBe(2);

    // the receipt: sealed by the job, then downloaded by the citizen
    const download = citizen.getByRole('link', { name: 'Descarregueu el justificant' });
    await expect(download).toBeVisible({ timeout: 30_000 });
    await expect(citizen.getByRole('status').filter({ hasText: 'El vostre justificant està a punt.' })).toBeVisible();
    const [file] = await Promise.all([citizen.waitForEvent('download'), download.click()]);
    const pdfPath = test.info().outputPath('receipt.pdf');
    await file.saveAs(pdfPath);
    const pdf = readFileSync(pdfPath);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    let report: string;
    try {
      report = execFileSync('pdfsig', [pdfPath], { encoding: 'utf8' });
    } catch (e) {
      // pdfsig answers non-zero when the certificate is not trusted (a demo seal is self-signed): keep its report
      report = String((e as { stdout?: string }).stdout ?? '');
    }
    expect(report, report).toMatch(/Signature Validation: Signature is Valid\./);
    await expect(panel.getByRole('link', { name: `Justificant segellat ${registerCode} (PDF)` })).toBeVisible({ timeout: 15_000 });

    // the call ends: the number and the receipt stay on the citizen's screen
    await agent.getByRole('button', { name: 'Penja' }).click();
    await expect(citizen.getByRole('heading', { level: 2, name: 'La trucada ha acabat' })).toBeFocused();
    await expect(citizen.getByRole('link', { name: 'Descarregueu el justificant' })).toBeVisible();
    await expect(citizen.getByRole('paragraph').filter({ hasText: `La vostra sol·licitud està registrada amb el número ${registerCode}.` })).toBeVisible();
  } finally {
    await citizenContext.close();
    await agentContext.close();
  }
});

test('with a one-time code: the citizen consents, types a wrong code, then the one emailed; the agent sees it verified', async ({ browser, tenant, env }) => {
  test.setTimeout(90_000);
  // before any page of this town hall is read (tenants are cached for a few seconds)
  await env.db.rows(sql`UPDATE tenants SET settings = jsonb_set(settings, '{formal}', coalesce(settings->'formal', '{}'::jsonb) || '{"consentOtp":"email"}'::jsonb)
                         WHERE id = ${tenant.tenant.id}`);
  const { citizenContext, agentContext, citizen, booked, panel } = await intoCall(browser, env.server.base, env.db, tenant, 'Marta Ribas');
  try {
    const form = panel.getByRole('region', { name: '2. Sol·licitud' });
    // asking with a required field empty says what to correct first
    await panel.getByRole('button', { name: 'Demana el consentiment' }).click();
    await expect(panel.getByRole('alert')).toHaveText('Primer corregiu el formulari de la sol·licitud.');
    // the focus on the first field to correct (both required fields are empty)
    await expect(form.locator('[aria-invalid="true"]:focus')).toHaveCount(1);
    await expect(form.getByText('Ompliu aquest camp.')).toHaveCount(2);
    await expect(form.getByLabel('Adreça de l’obra')).toHaveAccessibleDescription('Ompliu aquest camp.');
    await form.getByLabel('Adreça de l’obra').fill('Plaça de la Vila, 3');
    await form.getByLabel('Tipus d’obra').selectOption({ label: 'Obra menor' });
    await panel.getByRole('button', { name: 'Demana el consentiment' }).click();

    const dialog = citizen.getByRole('dialog', { name: 'Doneu el consentiment per registrar aquesta sol·licitud?' });
    await expect(dialog.locator('dd[data-field="street"]')).toHaveText('Plaça de la Vila, 3');
    await dialog.getByRole('button', { name: 'Hi dono el consentiment' }).click();
    const code = dialog.getByLabel("Codi d'un sol ús");
    await expect(code).toBeFocused();
    await expect(panel.getByText("Esperant el codi d'un sol ús enviat a la persona.", { exact: false })).toBeVisible();

    await expect.poll(() => env.smtp.received.filter((m) => m.to.includes(booked.email)).length, { timeout: 15_000, message: 'the code is emailed' }).toBeGreaterThan(0);
    const mail = await simpleParser(env.smtp.received.filter((m) => m.to.includes(booked.email)).at(-1)!.raw);
    const sent = /\b(\d{6})\b/.exec(mail.text ?? '')?.[1];
    expect(sent, 'a six-digit code in the email').toBeTruthy();
    const wrong = sent === '123456' ? '654321' : '123456';
    await code.fill(wrong);
    await dialog.getByRole('button', { name: 'Confirma el codi' }).click();
    await expect(dialog.getByText('El codi no és correcte', { exact: false })).toBeVisible();
    await expect(code).toHaveAttribute('aria-invalid', 'true');
    await expectNoAxeViolations(citizen, 'consent dialog asking for the one-time code');
    await code.fill(sent!);
    await dialog.getByRole('button', { name: 'Confirma el codi' }).click();
    await expect(dialog).toBeHidden();
    await expect(citizen.getByRole('paragraph').filter({ hasText: "Gràcies. S'ha desat el vostre consentiment." })).toBeVisible();
    await expect(panel.getByText(/^La persona ha donat el consentiment a les \d\d:\d\d\. S'ha verificat el codi d'un sol ús\.$/)).toBeVisible();
  } finally {
    await citizenContext.close();
    await agentContext.close();
  }
});
