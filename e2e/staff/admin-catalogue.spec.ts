import { expect, expectNoAxeViolations, test } from '../support/fixtures.js';

test('an admin adds a procedure in the browser, citizens see it, and opens the email outbox', async ({ page, tenant }) => {
  const slug = tenant.tenant.slug;
  await page.goto(`/${slug}/staff/procedures?lang=en`);
  // not signed in: sent to the sign-in page
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Staff sign-in');
  await page.getByLabel('Email').fill(`admin@${slug}.example`);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('The email or the password is not correct.');
  await page.getByLabel('Password').fill(tenant.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Agenda');
  await expectNoAxeViolations(page, 'agenda');

  await page.getByRole('navigation', { name: 'Staff area' }).getByRole('link', { name: 'Procedures' }).click();
  await expect(page.getByRole('row')).toHaveCount(10); // header + 9 demo procedures
  await page.getByRole('link', { name: 'New procedure' }).click();
  await page.getByLabel('Code').fill('gual-cotxes');
  const ca = page.getByRole('group', { name: 'Texts in CA' });
  await ca.getByLabel('Name').fill('Gual per a vehicles');
  await ca.getByLabel('Help text').fill('Permís per entrar vehicles a través de la vorera.');
  await ca.getByLabel('Documents you need').fill('DNI\nPlànol del gual');
  const es = page.getByRole('group', { name: 'Texts in ES' });
  await es.getByLabel('Name').fill('Vado para vehículos');
  await es.getByLabel('Documents you need').fill('DNI\nPlano del vado');
  await page.getByRole('checkbox', { name: 'Video call' }).check();
  await page.getByRole('button', { name: 'Save' }).click();
  // the English name is missing: the form says so and keeps what was typed
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByRole('group', { name: 'Texts in EN' }).getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
  await expect(ca.getByLabel('Name')).toHaveValue('Gual per a vehicles');
  await expectNoAxeViolations(page, 'procedure form with errors');
  await page.getByRole('group', { name: 'Texts in EN' }).getByLabel('Name').fill('Driveway permit');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('The procedure has been saved.');
  await expect(page.getByRole('link', { name: 'Driveway permit' })).toBeVisible();

  // citizens see it at once, with its documents, in their language
  const citizen = await page.context().browser()!.newPage({ baseURL: page.url() });
  await citizen.goto(`${new URL(page.url()).origin}/${slug}?lang=es`);
  const card = citizen.getByRole('listitem').filter({ has: citizen.getByRole('heading', { name: 'Vado para vehículos' }) });
  await card.getByText('Documentos que necesita').click();
  await expect(card.getByText('Plano del vado')).toBeVisible();
  await citizen.close();

  await page.getByRole('navigation', { name: 'Staff area' }).getByRole('link', { name: 'Outbox' }).click();
  await expect(page.getByText('Emails are sent through the configured SMTP server.')).toBeVisible();
  await expectNoAxeViolations(page, 'outbox');
  await page.getByRole('button', { name: /Sign out/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Staff sign-in');
  await page.goto(`/${slug}/staff`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Staff sign-in');
});
