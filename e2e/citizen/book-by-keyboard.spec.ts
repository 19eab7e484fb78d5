import ICAL from 'ical.js';
import { simpleParser } from 'mailparser';
import { sql } from 'drizzle-orm';
import { expect, expectNoAxeViolations, tabTo, test } from '../support/fixtures.js';

test('a citizen books by keyboard alone, gets the email and calendar file, an agent sees it, the citizen cancels from the link', async ({ page, tenant, env }) => {
  const slug = tenant.tenant.slug;
  const email = `maria.${slug}@example.com`;
  await page.goto(`/${slug}`);
  await expectNoAxeViolations(page, 'home');

  // Catalogue → the procedure
  await tabTo(page, page.getByRole('link', { name: "Demana cita: Certificat d'empadronament" }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Com voleu que us atenguem?');
  await expectNoAxeViolations(page, 'channel');

  // Channel: video is preselected; move to phone and back with the arrow keys
  await tabTo(page, page.getByRole('radio', { name: 'Videotrucada' }));
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('radio', { name: 'Trucada telefònica' })).toBeChecked();
  await page.keyboard.press('ArrowUp');
  await expect(page.getByRole('radio', { name: 'Videotrucada' })).toBeChecked();
  await tabTo(page, page.getByRole('button', { name: 'Continua' }));
  await page.keyboard.press('Enter');

  // Day and time: the second day with free times (a whole day, whatever the hour now), its second time
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Trieu dia i hora');
  await expectNoAxeViolations(page, 'slots');
  const secondDay = page.getByRole('navigation', { name: 'Dies amb hores lliures' }).getByRole('link').nth(1);
  await tabTo(page, secondDay);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('navigation', { name: 'Dies amb hores lliures' }).getByRole('link').nth(1)).toHaveAttribute('aria-current', 'date');
  const times = page.getByRole('radio');
  await tabTo(page, times.first());
  await page.keyboard.press('ArrowDown');
  const chosen = (await times.nth(1).getAttribute('value'))!;
  await expect(times.nth(1)).toBeChecked();
  await tabTo(page, page.getByRole('button', { name: 'Continua' }));
  await page.keyboard.press('Enter');

  // Details: submit once without accepting the privacy notice
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Les vostres dades');
  await expectNoAxeViolations(page, 'details');
  await tabTo(page, page.getByLabel('Nom i cognoms'));
  await page.keyboard.type('Maria Garcia Puig');
  await tabTo(page, page.getByLabel('Correu electrònic'));
  await page.keyboard.type(email);
  await tabTo(page, page.getByLabel('Telèfon mòbil'));
  await page.keyboard.type('612 345 678');
  await tabTo(page, page.getByLabel('DNI, NIE o NIF (opcional)'));
  await page.keyboard.type('12345678Z');
  await tabTo(page, page.getByRole('checkbox', { name: 'Subtítols i xat escrit' }));
  await page.keyboard.press('Space');
  await tabTo(page, page.getByRole('button', { name: 'Confirma la cita' }));
  await page.keyboard.press('Enter');
  const summary = page.getByRole('alert');
  await expect(summary).toContainText("Cal que accepteu l'avís de privacitat per reservar.");
  await expect(summary).toBeFocused();
  await expectNoAxeViolations(page, 'details with errors');
  // what was typed is kept
  await expect(page.getByLabel('Nom i cognoms')).toHaveValue('Maria Garcia Puig');
  await expect(page.getByRole('checkbox', { name: 'Subtítols i xat escrit' })).toBeChecked();
  await tabTo(page, page.getByRole('checkbox', { name: /He llegit l'avís de privacitat/ }));
  await page.keyboard.press('Space');
  await tabTo(page, page.getByRole('button', { name: 'Confirma la cita' }));
  await page.keyboard.press('Enter');

  // Confirmation
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('La cita està reservada');
  await expectNoAxeViolations(page, 'confirmation');
  const reference = (await page.locator('dd.reference').textContent())!.trim();
  const code = (await page.locator('p.code').textContent())!.trim();
  expect(reference).toMatch(/^[A-Z0-9]{3}-[A-Z0-9]{3}$/);
  expect(code).toMatch(/^\d{4} \d{4}$/);
  await expect(page.getByText(`Us hem enviat la confirmació a ${email}`)).toBeVisible();

  // The email, with its calendar file
  const mails = await env.smtp.waitForTo(email, 1);
  const raw = mails[0];
  expect(raw).toBeTruthy();
  const mail = await simpleParser(raw!.raw);
  expect(mail.subject).toContain("Cita reservada: Certificat d'empadronament");
  expect(mail.text).toContain(reference);
  expect(mail.text).toContain(code);
  expect(mail.text).toContain('DNI, NIE o passaport vigent');
  const ics = mail.attachments.find((a) => a.filename === 'cita.ics')!;
  const comp = new ICAL.Component(ICAL.parse(ics.content.toString('utf8')));
  ICAL.TimezoneService.register(comp.getFirstSubcomponent('vtimezone')!);
  const event = new ICAL.Event(comp.getFirstSubcomponent('vevent')!);
  expect(event.startDate.toJSDate().toISOString()).toBe(new Date(chosen).toISOString());
  expect(event.startDate.zone.tzid).toBe('Europe/Madrid');
  const manageUrl = /(http\S+\/manage\/\S+)/.exec(mail.text!)![1];

  // The agent the appointment went to signs in and sees it
  const [{ email: agentEmail }] = await env.db.rows<{ email: string }>(
    sql`SELECT s.email FROM appointments a JOIN staff s ON s.id = a.agent_id WHERE a.reference = ${reference} AND a.tenant_id = ${tenant.tenant.id}`,
  );
  const agent = await page.context().browser()!.newContext({ baseURL: env.server.base, locale: 'ca-ES' });
  const console = await agent.newPage();
  await console.goto(`/${slug}/staff`);
  await expect(console.getByRole('heading', { level: 1 })).toHaveText('Accés del personal');
  await console.getByLabel('Correu electrònic').fill(agentEmail);
  await console.getByLabel('Contrasenya').fill(tenant.password);
  await console.getByRole('button', { name: 'Entra' }).click();
  await console.getByLabel('Període').selectOption('month');
  await console.getByRole('button', { name: 'Aplica' }).click();
  const row = console.getByRole('row').filter({ hasText: reference });
  await expect(row).toContainText('Maria Garcia Puig');
  await expect(row).toContainText('Reservada');
  await expect(row).toContainText('Subtítols i xat escrit');

  // The citizen cancels from the email link
  await page.goto(manageUrl);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('La vostra cita');
  await expectNoAxeViolations(page, 'manage');
  await tabTo(page, page.getByRole('link', { name: 'Anul·la la cita' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Anul·lar la cita');
  await expectNoAxeViolations(page, 'cancel confirmation');
  await tabTo(page, page.getByRole('button', { name: 'Sí, anul·la-la' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toContainText("La cita s'ha anul·lat");
  await expect(page.locator('dl.summary')).toContainText('Anul·lada');
  const after = await env.smtp.waitForTo(email, 2);
  const cancelMail = await simpleParser(after.at(-1)!.raw);
  expect(cancelMail.subject).toContain('Cita anul·lada');

  // the console hears it live and offers to refresh
  await expect(console.getByRole('status').filter({ hasText: "L'agenda ha canviat." })).toBeVisible();
  await console.getByRole('button', { name: 'Actualitza' }).click();
  await expect(console.getByRole('row').filter({ hasText: reference })).toContainText('Anul·lada');
  await agent.close();
});
