/**
 * Public verification on a phone: a citizen types the code of a sealed
 * receipt with the keyboard (loosely: lower case, spaces), sees the result,
 * downloads the sealed receipt; a typo is announced in the field; the QR code's
 * link opens the result directly. No axe violation, nothing scrolls sideways.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import { formatCsvCode } from '../../server/modules/evidence/csv-code.js';
import { filedRequest } from '../../test/support/filings.js';
import { expect, expectNoAxeViolations, expectNoHorizontalScroll, tabTo, test } from '../support/fixtures.js';

test('a citizen checks a receipt by its code, by keyboard, and downloads the sealed original', async ({ page, env }) => {
  // a filed request; the server's job runner seals its receipt
  const f = await filedRequest(env.db, { files: await env.server.ctx.files() });
  await expect
    .poll(async () => (await env.db.rows<{ status: string }>(sql`SELECT status FROM filings WHERE id = ${f.filingId}`))[0].status, { timeout: 20_000 })
    .toBe('sealed');
  const [{ receipt_sha256: receiptSha }] = await env.db.rows<{ receipt_sha256: string }>(sql`SELECT receipt_sha256 FROM filings WHERE id = ${f.filingId}`);
  const csv = formatCsvCode(f.csv);
  const slug = f.tenant.slug;

  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`/${slug}/verify?lang=ca`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Verificació de documents');
  await expectNoAxeViolations(page, 'verification form');
  await expectNoHorizontalScroll(page, 'verification form');

  // a typo first: the field says what is wrong
  const field = page.getByRole('textbox', { name: 'Codi segur de verificació (CSV)' });
  await tabTo(page, field);
  await page.keyboard.type(csv.slice(0, -2));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).toContainText('El codi té 28 caràcters');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page, 'verification form with an error');

  // then the code as people type it: lower case, spaces instead of dashes
  await field.fill('');
  await tabTo(page, field);
  await page.keyboard.type(csv.toLowerCase().replace(/-/g, ' '));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Document vàlid');
  await expect(page.getByText(f.registerCode)).toBeVisible();
  await expect(page.getByText('O=Finestreta, CN=Finestreta demo seal').first()).toBeVisible();
  await expectNoAxeViolations(page, 'verification result');
  await expectNoHorizontalScroll(page, 'verification result');

  // the sealed receipt, by keyboard
  const link = page.getByRole('link', { name: 'Baixeu el justificant segellat (PDF)' });
  await tabTo(page, link);
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  expect(download.suggestedFilename()).toBe(`justificant-${f.registerCode.replace(/\//g, '-')}.pdf`);
  const bytes = await readFile((await download.path())!);
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(receiptSha);

  // the QR code's link opens the result at once, in the language asked for
  await page.goto(`/${slug}/verify?csv=${csv}&lang=es`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Documento válido');
  await expect(page.getByText(f.registerCode)).toBeVisible();
});
