/**
 * Each worker runs a real Finestreta server (PGlite in memory) and a local SMTP
 * server on 127.0.0.1; each test gets a town hall of its own.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { freshDatabase, type TestDatabase } from '../../test/support/databases.js';
import { startSmtp } from '../../test/support/smtp.js';
import { seedTenant, startTestServer, uniqueSlug, type TestServer } from '../../test/support/test-server.js';

type Worker = { server: TestServer; db: TestDatabase; smtp: Awaited<ReturnType<typeof startSmtp>> };
type Tenant = Awaited<ReturnType<typeof seedTenant>>;

export const test = base.extend<{ tenant: Tenant }, { env: Worker }>({
  env: [
    async ({}, use) => {
      const smtp = await startSmtp();
      const db = await freshDatabase('pglite');
      const server = await startTestServer(db, { SMTP_URL: smtp.url });
      await use({ server, db, smtp });
      await server.close();
      await db.drop();
      await smtp.close();
    },
    { scope: 'worker' },
  ],
  tenant: async ({ env }, use) => {
    await use(await seedTenant(env.db, uniqueSlug('e2e')));
  },
  baseURL: async ({ env }, use) => use(env.server.base),
});

export { expect };

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core (WCAG 2.1 A/AA and best practices) and fails on any violation. */
export async function expectNoAxeViolations(page: Page, label: string) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run: (ctx: Document, o: unknown) => Promise<{ violations: Array<{ id: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  expect(violations, `axe violations on ${label}`).toEqual([]);
}

/** Presses Tab until `target` has focus, as a keyboard user would; fails after `max` presses. */
export async function tabTo(page: Page, target: ReturnType<Page['locator']>, max = 80) {
  await expect(target).toHaveCount(1);
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement, undefined, { timeout: 2000 })) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`could not reach ${target} with Tab`);
}

/** On a 360-px-wide phone nothing should scroll sideways. */
export async function expectNoHorizontalScroll(page: Page, label: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `horizontal overflow on ${label}`).toBeLessThanOrEqual(0);
}

/** Signs a member of staff in through the Catalan sign-in form and waits for the staff area's navigation. */
export async function signInInCatalan(page: Page, slug: string, email: string, password: string) {
  await page.goto(`/${slug}/staff/login?lang=ca`);
  await page.getByLabel('Correu electrònic').fill(email);
  await page.getByLabel('Contrasenya').fill(password);
  await page.getByRole('button', { name: 'Entra' }).click();
  await expect(page.getByRole('navigation', { name: 'Àrea del personal' })).toBeVisible();
}
