import { readFileSync } from 'node:fs';
import { expect, expectNoAxeViolations, signInInCatalan, tabTo, test } from '../support/fixtures.js';

test('a supervisor generates a monthly report by keyboard and downloads the PDF', async ({ page, tenant }) => {
  const slug = tenant.tenant.slug;
  await signInInCatalan(page, slug, `supervisor@${slug}.example`, tenant.password);

  await page.goto(`/${slug}/staff/reports?lang=ca`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Informes mensuals');
  await expect(page.getByText("Encara no s'ha generat cap informe.")).toBeVisible();
  await expectNoAxeViolations(page, 'reports');

  // the month before the one preselected (the previous month), in Spanish
  const month = page.getByRole('combobox', { name: 'Mes' });
  await tabTo(page, month);
  const preselected = await month.inputValue();
  await page.keyboard.press('ArrowDown');
  const chosen = await month.inputValue();
  expect(chosen < preselected).toBe(true);
  const language = page.getByRole('combobox', { name: "Llengua de l'informe" });
  await tabTo(page, language);
  await page.keyboard.press('ArrowDown');
  await expect(language).toHaveValue('es');
  await tabTo(page, page.getByRole('button', { name: "Genera l'informe" }));
  await page.keyboard.press('Enter');

  // the job makes it: the page says so, and its link shows when it is ready
  const notice = page.getByRole('status');
  await expect(notice).toContainText(/S'està preparant l'informe|ja està a punt/);
  await expect(async () => {
    if (!(await notice.textContent())?.includes('ja està a punt')) {
      await tabTo(page, page.getByRole('link', { name: 'Actualitza la pàgina' }).first());
      await page.keyboard.press('Enter');
    }
    await expect(notice).toContainText('ja està a punt', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expectNoAxeViolations(page, 'reports with the new report');
  await expect(page.getByRole('row', { name: /Castellà/ })).toContainText('A petició');

  const link = notice.getByRole('link', { name: 'Descarrega el PDF' });
  await tabTo(page, link);
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  expect(download.suggestedFilename()).toBe(`${slug}-informe-${chosen}-es.pdf`);
  const bytes = readFileSync((await download.path())!);
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  expect(bytes.toString('latin1')).toContain('/Lang (es)');
});
