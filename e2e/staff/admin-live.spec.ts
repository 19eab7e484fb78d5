import { expect, expectNoAxeViolations, signInInCatalan, test } from '../support/fixtures.js';

test('an admin tunes the live attention and manages the consultation types', async ({ page, tenant }) => {
  const slug = tenant.tenant.slug;
  await signInInCatalan(page, slug, `admin@${slug}.example`, tenant.password);
  await page.getByRole('navigation', { name: 'Àrea del personal' }).getByRole('link', { name: 'Atenció en directe' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Atenció en directe');
  await expectNoAxeViolations(page, 'live settings');

  const noShow = page.getByRole('spinbutton', { name: 'Absent després de (minuts)' });
  const pregnancy = page.getByRole('group', { name: 'Prioritat de cada motiu' }).getByRole('spinbutton', { name: 'Embaràs' });
  const link = page.getByRole('textbox', { name: 'Enllaç per trucar amb un clic' });
  await expect(noShow).toHaveValue('10');
  await expect(pregnancy).toHaveValue('1');
  await expect(link).toHaveValue('tel:{number}');

  // a script link is refused, the rest of what was typed is kept
  await noShow.fill('25');
  await pregnancy.fill('6');
  await link.fill('javascript:alert({number})');
  await page.getByRole('button', { name: 'Desa' }).click();
  await expect(page.getByRole('alert')).toContainText("no s'accepten enllaços web ni de script");
  await expect(link).toHaveAttribute('aria-invalid', 'true');
  await expect(noShow).toHaveValue('25');
  await expect(pregnancy).toHaveValue('6');
  await expectNoAxeViolations(page, 'live settings with errors');

  await link.fill('sip:{number}@pbx.example.org');
  await page.getByRole('button', { name: 'Desa' }).click();
  await expect(page.getByRole('status')).toHaveText("S'ha desat la configuració de l'atenció en directe.");
  await expect(noShow).toHaveValue('25');
  await expect(pregnancy).toHaveValue('6');
  await expect(link).toHaveValue('sip:{number}@pbx.example.org');
  await page.goto(`/${slug}/staff/live-settings?lang=ca`);
  await expect(noShow).toHaveValue('25');
  await expect(pregnancy).toHaveValue('6');

  // a new consultation type in the three languages
  await page.getByRole('link', { name: 'Gestioneu els tipus de consulta' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tipus de consulta');
  await expect(page.getByRole('row')).toHaveCount(7); // header + 6 default types
  await page.getByRole('textbox', { name: 'Codi' }).fill('padro');
  await page.getByRole('textbox', { name: 'Nom (CA)' }).fill("Padró d'habitants");
  await page.getByRole('textbox', { name: 'Nom (ES)' }).fill('Padrón de habitantes');
  await page.getByRole('textbox', { name: 'Nom (EN)' }).fill('Register of residents');
  await page.getByRole('button', { name: 'Afegeix un tipus de consulta' }).click();
  await expect(page.getByRole('status')).toHaveText("S'ha desat el tipus de consulta.");
  await expect(page.getByRole('row').filter({ hasText: 'padro' })).toContainText("Padró d'habitants");

  // the same code again is explained on the field
  await page.getByRole('textbox', { name: 'Codi' }).fill('padro');
  await page.getByRole('textbox', { name: 'Nom (CA)' }).fill('Padró');
  await page.getByRole('textbox', { name: 'Nom (ES)' }).fill('Padrón');
  await page.getByRole('textbox', { name: 'Nom (EN)' }).fill('Census');
  await page.getByRole('button', { name: 'Afegeix un tipus de consulta' }).click();
  await expect(page.getByRole('alert')).toContainText('Un altre tipus de consulta ja fa servir aquest codi.');
  await expect(page.getByRole('textbox', { name: 'Codi' })).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page, 'typologies with errors');

  // another one is deactivated, never deleted
  await page.getByRole('button', { name: 'Desactiva: Altres' }).click();
  await expect(page.getByRole('status')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Reactiva: Altres' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Altres' }).getByRole('cell', { name: 'No', exact: true })).toBeVisible();
  await expect(page.getByRole('row')).toHaveCount(8);
  await expectNoAxeViolations(page, 'typologies');

  // the console offers the active ones only
  const consoleView = await page.request.get(`/${slug}/staff/console/api/console`);
  const codes = ((await consoleView.json()) as { typologies: Array<{ code: string }> }).typologies.map((x) => x.code);
  expect(codes).toContain('padro');
  expect(codes).not.toContain('other');
});
