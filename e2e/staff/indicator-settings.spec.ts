import { expect, expectNoAxeViolations, signInInCatalan, tabTo, test } from '../support/fixtures.js';

test('an admin sets "90% of call-backs within 4 minutes" and a report recipient by keyboard', async ({ page, tenant }) => {
  const slug = tenant.tenant.slug;
  await signInInCatalan(page, slug, `admin@${slug}.example`, tenant.password);
  await page.goto(`/${slug}/staff/indicator-settings?lang=ca`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Configuració dels indicadors');
  await expectNoAxeViolations(page, 'indicator settings');

  const row = (n: number) => page.getByRole('group', { name: `Objectiu ${n}`, exact: true });
  // the defaults come first: call-backs within 4 minutes and an appointment within 5 working days
  await expect(row(1).getByRole('combobox', { name: 'Canal' })).toHaveValue('callback');
  await expect(row(2).getByRole('spinbutton', { name: 'Dies feiners (primera cita lliure)' })).toHaveValue('5');

  // remove both, and write a new one in the first empty row, with the keyboard only
  await tabTo(page, page.getByRole('checkbox', { name: "Elimina l'objectiu 1" }));
  await page.keyboard.press('Space');
  await tabTo(page, page.getByRole('checkbox', { name: "Elimina l'objectiu 2" }));
  await page.keyboard.press('Space');
  const third = row(3);
  await tabTo(page, third.getByRole('combobox', { name: 'Què mesura' }));
  await page.keyboard.type("Temps d'espera");
  await expect(third.getByRole('combobox', { name: 'Què mesura' })).toHaveValue('wait');
  await page.keyboard.press('Tab');
  await page.keyboard.type("Truca'm");
  await expect(third.getByRole('combobox', { name: 'Canal' })).toHaveValue('callback');
  await page.keyboard.press('Tab');
  await page.keyboard.type('90');
  await page.keyboard.press('Tab');
  await page.keyboard.type('4');
  await page.keyboard.press('Tab');
  await page.keyboard.type('10');
  await tabTo(page, page.getByRole('textbox', { name: 'Qui el rep per correu electrònic' }));
  await page.keyboard.type('direccio@ajuntament.example');
  await tabTo(page, page.getByRole('button', { name: 'Desa' }));
  await page.keyboard.press('Enter');

  // 4 min 10 s is not a step: explained, and what was typed is kept
  const summary = page.getByRole('alert');
  await expect(summary).toContainText('Objectiu 3: escriviu minuts i segons amb els passos permesos');
  await expect(summary).toBeFocused();
  await expect(third.getByRole('spinbutton', { name: 'Segons' })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('checkbox', { name: "Elimina l'objectiu 1" })).toBeChecked();
  await expect(page.getByRole('textbox', { name: 'Qui el rep per correu electrònic' })).toHaveValue('direccio@ajuntament.example');
  await expectNoAxeViolations(page, 'indicator settings with errors');

  // follow the link of the summary to the box, and fix it
  await page.keyboard.press('Tab');
  await expect(summary.getByRole('link').first()).toBeFocused();
  await page.keyboard.press('Enter');
  await tabTo(page, third.getByRole('spinbutton', { name: 'Segons' }));
  await page.keyboard.press('Control+A');
  await page.keyboard.type('0');
  await tabTo(page, page.getByRole('button', { name: 'Desa' }));
  await page.keyboard.press('Enter');

  await expect(page.getByRole('status')).toHaveText("S'ha desat la configuració dels indicadors.");
  // saved: one target, now first, with a code made for it, and the recipient
  await expect(row(1).getByRole('combobox', { name: 'Què mesura' })).toHaveValue('wait');
  await expect(row(1).getByRole('combobox', { name: 'Canal' })).toHaveValue('callback');
  await expect(row(1).getByRole('spinbutton', { name: 'Objectiu (%)' })).toHaveValue('90');
  await expect(row(1).getByRole('spinbutton', { name: 'Minuts' })).toHaveValue('4');
  await expect(row(1).getByRole('spinbutton', { name: 'Segons' })).toHaveValue('0');
  await expect(row(1).getByRole('textbox', { name: 'Codi (opcional)' })).toHaveValue('wait-callback-240');
  await expect(row(2).getByRole('combobox', { name: 'Què mesura' })).toHaveValue('');
  await expect(page.getByRole('checkbox', { name: "Elimina l'objectiu 2" })).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'Qui el rep per correu electrònic' })).toHaveValue('direccio@ajuntament.example');

  // still there on a fresh visit
  await page.goto(`/${slug}/staff/indicator-settings?lang=ca`);
  await expect(row(1).getByRole('spinbutton', { name: 'Minuts' })).toHaveValue('4');
  await expect(page.getByRole('textbox', { name: 'Qui el rep per correu electrònic' })).toHaveValue('direccio@ajuntament.example');
  await expectNoAxeViolations(page, 'indicator settings saved');
});
