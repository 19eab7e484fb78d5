import { expect, expectNoAxeViolations, signInInCatalan, tabTo, test } from '../support/fixtures.js';

// the demo already empowers Laia Soler (agent1, the call tests' official): this grants Jordi Vidal
test('an admin empowers an official by keyboard, sees a mistake explained, and revokes the empowerment', async ({ page, tenant }) => {
  const slug = tenant.tenant.slug;
  await signInInCatalan(page, slug, `admin@${slug}.example`, tenant.password);
  // reached from the staff navigation
  await page.getByRole('navigation').getByRole('link', { name: 'Funcionaris habilitats' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Funcionaris habilitats');
  await expectNoAxeViolations(page, 'officials');

  // choose a person but leave the act empty: the summary explains and takes focus
  await tabTo(page, page.getByRole('combobox', { name: 'Persona del personal' }));
  await page.keyboard.type('Jordi');
  await expect(page.getByRole('combobox', { name: 'Persona del personal' })).not.toHaveValue('');
  await tabTo(page, page.getByRole('button', { name: 'Habilita' }));
  await page.keyboard.press('Enter');
  const summary = page.getByRole('alert');
  await expect(summary).toContainText("Escriviu l'acte d'habilitació");
  await expect(summary).toBeFocused();
  await expectNoAxeViolations(page, 'officials with errors');

  // write the act and grant
  await tabTo(page, page.getByRole('textbox', { name: "Acte d'habilitació" }));
  await page.keyboard.type('Decret 123/2026');
  await tabTo(page, page.getByRole('button', { name: 'Habilita' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toContainText("S'ha afegit l'habilitació al registre.");
  const row = page.getByRole('row', { name: /Jordi Vidal/ });
  await expect(row).toContainText('Decret 123/2026');
  await expect(row).toContainText('Vigent');

  // revoke it: the row stays, revoked
  await tabTo(page, page.getByRole('button', { name: 'Revoca: Jordi Vidal' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toContainText("S'ha revocat l'habilitació.");
  await expect(page.getByRole('row', { name: /Jordi Vidal/ })).toContainText('Revocada');
});
