import { expect, expectNoAxeViolations, signInInCatalan, test } from '../support/fixtures.js';

test('an admin sets a holiday and adds an agent with a weekly schedule; citizens see the change', async ({ page, tenant }) => {
  const slug = tenant.tenant.slug;
  await signInInCatalan(page, slug, `admin@${slug}.example`, tenant.password);
  await page.getByRole('navigation', { name: 'Àrea del personal' }).getByRole('link', { name: 'Calendari' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Calendari');
  await expectNoAxeViolations(page, 'calendar');

  // The first day a citizen could book becomes a holiday
  const citizen = await page.context().newPage();
  await citizen.goto(`/${slug}/book/queixes-suggeriments/slots?channel=video&lang=ca`);
  const firstDay = citizen.getByRole('navigation', { name: 'Dies amb hores lliures' }).getByRole('link').first();
  const href = (await firstDay.getAttribute('href'))!;
  const day = new URL(href, 'http://x').searchParams.get('day')!;
  await page.getByLabel('Data').fill(day);
  await page.getByLabel('Nom (CA)').fill('Festa major');
  await page.getByRole('button', { name: 'Afegeix un festiu' }).click();
  await expect(page.getByRole('status')).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Festa major' })).toBeVisible();
  await citizen.reload();
  await expect(citizen.getByRole('navigation', { name: 'Dies amb hores lliures' }).getByRole('link').first()).not.toHaveAttribute('href', href);

  // A wrong office-hours entry is explained, nothing is saved
  await page.getByRole('textbox', { name: 'Dissabte', exact: true }).fill('10:00-09:00');
  await page.getByRole('button', { name: 'Desa' }).click();
  await expect(page.getByRole('alert')).toContainText('Escriviu hores com 08:00-14:00');
  await expect(page.getByRole('textbox', { name: 'Dissabte', exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page, 'calendar with errors');

  // A new agent who works Saturdays
  await page.getByRole('navigation', { name: 'Àrea del personal' }).getByRole('link', { name: 'Persones' }).click();
  await page.getByRole('link', { name: 'Afegeix una persona' }).click();
  await page.getByLabel('Nom i cognoms').fill('Ona Serra');
  await page.getByLabel('Correu electrònic').fill(`ona@${slug}.example`);
  await page.getByLabel('Contrasenya inicial').fill('una contrasenya prou llarga');
  await page.getByRole('textbox', { name: 'Dissabte', exact: true }).fill('09:00-13:00');
  await page.getByRole('button', { name: 'Desa' }).click();
  await expect(page.getByRole('status')).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: 'Ona Serra' });
  await expect(row).toContainText('ds. 09:00-13:00');
  await expectNoAxeViolations(page, 'people');
});
