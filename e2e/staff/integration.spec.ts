import { expect, expectNoAxeViolations, signInInCatalan, tabTo, test } from '../support/fixtures.js';

test('an admin sets the case-management webhook by keyboard, sees a bad address explained, and gets a secret shown once', async ({ page, tenant }) => {
  const slug = tenant.tenant.slug;
  await signInInCatalan(page, slug, `admin@${slug}.example`, tenant.password);
  await page.getByRole('navigation').getByRole('link', { name: 'Connexió amb el gestor d’expedients' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Connexió amb el gestor d’expedients');
  await expectNoAxeViolations(page, 'integration');

  // an http address is refused: the summary explains and takes focus
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
  // a public address (a literal: the test does not depend on outside DNS)
  await page.keyboard.type('https://203.0.113.10/hook');
  await tabTo(page, page.getByRole('button', { name: 'Desa l’adreça' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toContainText('S’ha desat l’adreça del webhook.');
  await expect(url).toHaveValue('https://203.0.113.10/hook');

  // a new signing secret, shown this once
  await tabTo(page, page.getByRole('button', { name: 'Genera un secret de signatura nou' }));
  await page.keyboard.press('Enter');
  const secret = page.getByRole('textbox', { name: 'Secret de signatura nou' });
  await expect(secret).toHaveValue(/^whsec_/);
  await expect(page.getByText('Hi ha un secret de signatura.')).toBeVisible();
  await page.goto(`/${slug}/staff/integration`);
  await expect(page.getByRole('textbox', { name: 'Secret de signatura nou' })).toHaveCount(0);
});

test('an admin sets the formal procedure by keyboard: a bad value explained, then saved', async ({ page, tenant }) => {
  const slug = tenant.tenant.slug;
  await signInInCatalan(page, slug, `admin@${slug}.example`, tenant.password);
  await page.goto(`/${slug}/staff/integration`);
  await expect(page.getByRole('heading', { level: 2, name: 'Procediment formal' })).toBeVisible();

  const hours = page.getByRole('spinbutton', { name: 'Termini per pujar documents (hores abans de la cita)' });
  const days = page.getByRole('spinbutton', { name: 'Dies que es conserven les dades personals' });
  await expect(hours).toHaveValue('48');
  await expect(days).toHaveValue('90');
  await tabTo(page, hours);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('1000');
  await tabTo(page, page.getByRole('button', { name: 'Desa el procediment formal' }));
  await page.keyboard.press('Enter');
  const summary = page.getByRole('alert');
  await expect(summary).toContainText('Escriviu un nombre enter d’hores entre 0 i 720.');
  await expect(summary).toBeFocused();
  await expectNoAxeViolations(page, 'formal settings with errors');

  await tabTo(page, hours);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('24');
  // the consent code: radios, chosen with the arrow keys
  await tabTo(page, page.getByRole('radio', { name: 'Sense codi' }));
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('radio', { name: 'Codi enviat per correu electrònic' })).toBeChecked();
  await tabTo(page, days);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('30');
  await tabTo(page, page.getByRole('button', { name: 'Desa el procediment formal' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toContainText('S’ha desat la configuració del procediment formal.');
  await expect(hours).toHaveValue('24');
  await expect(days).toHaveValue('30');
  await expect(page.getByRole('radio', { name: 'Codi enviat per correu electrònic' })).toBeChecked();
});
