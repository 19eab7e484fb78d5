import { expect, expectNoAxeViolations, expectNoHorizontalScroll, test } from '../support/fixtures.js';

test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

test('on a 360-px phone, in Spanish and English: call-me-back as soon as possible, join, reschedule', async ({ page, tenant }) => {
  const slug = tenant.tenant.slug;
  await page.goto(`/${slug}`, { waitUntil: 'load' });
  // switch language from the header; the choice sticks
  await page.getByRole('navigation', { name: 'Idioma' }).getByRole('link', { name: 'Español' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ayuda con un trámite');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await expectNoHorizontalScroll(page, 'home');
  await expectNoAxeViolations(page, 'home (es)');
  if (process.env.SCREENSHOTS) await page.screenshot({ path: 'test-results/home-360.png', fullPage: true });

  await page.getByRole('link', { name: 'Pedir cita: Queixes i suggeriments' }).or(page.getByRole('link', { name: 'Pedir cita: Quejas y sugerencias' })).click();
  await page.getByRole('radio', { name: 'Que me llamen' }).check();
  await page.getByRole('button', { name: 'Continuar' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Elija día y hora');
  await expect(page.getByRole('radio', { name: 'Lo antes posible' })).toBeChecked();
  await expectNoHorizontalScroll(page, 'slots');
  await expectNoAxeViolations(page, 'slots (es)');
  if (process.env.SCREENSHOTS) await page.screenshot({ path: 'test-results/slots-360.png', fullPage: true });
  await page.getByRole('button', { name: 'Continuar' }).click();
  await page.getByLabel('Nombre y apellidos').fill('J');
  await page.getByLabel('Teléfono móvil').fill('12');
  await page.getByLabel('DNI, NIE o NIF (opcional)').fill('12345678A');
  await page.getByRole('checkbox', { name: /He leído el aviso/ }).check();
  await page.getByRole('button', { name: 'Confirmar la cita' }).click();
  // every problem is listed and linked to its field
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Escriba su nombre y apellidos');
  await expect(alert).toContainText('Escriba un teléfono válido');
  await expectNoHorizontalScroll(page, 'details with errors');
  await expectNoAxeViolations(page, 'details with errors (es)');
  if (process.env.SCREENSHOTS) await page.screenshot({ path: 'test-results/details-errors-360.png', fullPage: true });
  await alert.getByRole('link', { name: /teléfono/ }).click();
  await expect(page.getByLabel('Teléfono móvil')).toBeFocused();
  await page.getByLabel('Nombre y apellidos').fill('Joan Martí');
  await page.getByLabel('Teléfono móvil').fill('+34 612 345 678');
  await page.getByLabel('DNI, NIE o NIF (opcional)').fill('X1234567L');
  await page.getByRole('button', { name: 'Confirmar la cita' }).click();
  await page.getByRole('alert').waitFor({ state: 'detached' }).catch(() => undefined);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('La cita está reservada');
  await expect(page.getByText('Le llamaremos en cuanto haya un agente libre')).toBeVisible();
  await expectNoHorizontalScroll(page, 'confirmation');
  if (process.env.SCREENSHOTS) await page.screenshot({ path: 'test-results/confirmation-360.png', fullPage: true });

  // A video appointment in English, then join with the code and move it
  await page.goto(`/${slug}/book/alta-padro?lang=en`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('How do you want to be attended?');
  await page.getByRole('button', { name: 'Continue' }).click();
  const days = page.getByRole('navigation', { name: 'Days with free times' }).getByRole('link');
  await days.nth(1).click();
  await expect(days.nth(1)).toHaveAttribute('aria-current', 'date');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Full name').fill('Amina Benali');
  await page.getByLabel('Email', { exact: true }).fill('amina@example.com');
  await page.getByRole('checkbox', { name: 'Interpreter for another language' }).check();
  await page.getByLabel('Interpreter for which language?').fill('Arabic');
  await page.getByRole('checkbox', { name: /I have read the privacy notice/ }).check();
  await page.getByRole('button', { name: 'Confirm the appointment' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your appointment is booked');
  await expectNoAxeViolations(page, 'confirmation (en)');
  const reference = (await page.locator('dd.reference').textContent())!.trim();
  const code = (await page.locator('p.code').textContent())!.trim();
  const manage = (await page.getByRole('link', { name: 'Change or cancel the appointment' }).getAttribute('href'))!;
  const ics = await page.request.get((await page.getByRole('link', { name: 'Add to my calendar' }).getAttribute('href'))!);
  expect(ics.headers()['content-type']).toContain('text/calendar');
  expect(await ics.text()).toContain('DTSTART;TZID=Europe/Madrid:');

  await page.goto(`/${slug}/join?lang=en`);
  await expectNoAxeViolations(page, 'join (en)');
  await page.getByLabel('Reference').fill(reference.toLowerCase().replace('-', ' '));
  await page.getByLabel('Access code').fill('00000000');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(page.getByRole('alert')).toContainText('The reference or the access code is not correct.');
  await page.getByLabel('Access code').fill(code);
  await page.getByRole('button', { name: 'Enter' }).click();
  // a video appointment opens its call room (device check first; the waiting room opens later)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your video call');
  await expect(page.getByText(/The waiting room opens on .+, 10 minutes before your appointment/)).toBeVisible();
  await expectNoHorizontalScroll(page, 'room lobby');
  await expectNoAxeViolations(page, 'room lobby (en)');

  await page.goto(manage);
  await page.getByRole('link', { name: 'Change the day or time' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Change the day or time');
  await expectNoAxeViolations(page, 'reschedule (en)');
  await page.getByRole('navigation', { name: 'Days with free times' }).getByRole('link').nth(2).click();
  await page.getByRole('radio').nth(2).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('status')).toContainText('The appointment has been moved');
  await expect(page.getByRole('heading', { name: 'New access code' })).toBeVisible();
  await expectNoHorizontalScroll(page, 'manage');
  await expectNoAxeViolations(page, 'manage (en)');

  await page.goto(`/${slug}/privacy?lang=ca`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Avís de privacitat');
  await expectNoAxeViolations(page, 'privacy (ca)');
  await page.goto(`/${slug}/book/does-not-exist`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Aquest tràmit no existeix o no es pot reservar.');
  await expectNoAxeViolations(page, 'not found (ca)');
});
