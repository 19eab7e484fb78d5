import { expect, expectNoAxeViolations, tabTo, test } from '../support/fixtures.js';

test('an admin sets the case-management webhook by keyboard, sees a bad address explained, and gets a secret shown once', async ({ page, tenant }) => {
  const slug = tenant.tenant.slug;
  await page.goto(`/${slug}/staff/login?lang=ca`);
  await page.getByLabel('Correu electrònic').fill(`admin@${slug}.example`);
  await page.getByLabel('Contrasenya').fill(tenant.password);
  await page.getByRole('button', { name: 'Entra' }).click();
  await page.waitForURL(`**/${slug}/staff**`);
  await page.getByRole('navigation').getByRole('link', { name: 'Connexió amb el gestor d’expedients' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Connexió amb el gestor d’expedients');
  await expectNoAxeViolations(page, 'integration');

  // an http address to another machine is refused: the summary explains and takes focus
  const url = page.getByRole('textbox', { name: 'Adreça del webhook' });
  await tabTo(page, url);
  await page.keyboard.type('http://expedients.example.cat/hook');
  await tabTo(page, page.getByRole('button', { name: 'Desa l’adreça' }));
  await page.keyboard.press('Enter');
  const summary = page.getByRole('alert');
  await expect(summary).toContainText('https://');
  await expect(summary).toBeFocused();
  await expectNoAxeViolations(page, 'integration with errors');

  await tabTo(page, url);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('https://expedients.example.cat/hook');
  await tabTo(page, page.getByRole('button', { name: 'Desa l’adreça' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toContainText('S’ha desat l’adreça del webhook.');
  await expect(url).toHaveValue('https://expedients.example.cat/hook');

  // a new signing secret, shown this once
  await tabTo(page, page.getByRole('button', { name: 'Genera un secret de signatura nou' }));
  await page.keyboard.press('Enter');
  const secret = page.getByRole('textbox', { name: 'Secret de signatura nou' });
  await expect(secret).toHaveValue(/^whsec_/);
  await expect(page.getByText('Hi ha un secret de signatura.')).toBeVisible();
  await page.goto(`/${slug}/staff/integration`);
  await expect(page.getByRole('textbox', { name: 'Secret de signatura nou' })).toHaveCount(0);
});
