import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { joinQueue, queueEntryInput } from '../../server/modules/attention/join-queue.js';
import { insertAttentionHistory, type HistoryItem } from '../../test/support/attention-history.js';
import { expect, expectNoAxeViolations, expectNoHorizontalScroll, signInInCatalan, tabTo, test } from '../support/fixtures.js';

const DAY = 86_400_000;

test('a supervisor reads the indicators, filters them by keyboard, downloads a table and sees the queue move live', async ({ page, tenant, env }) => {
  const slug = tenant.tenant.slug;
  const [ids] = await env.db.rows<{ procedure_id: string; agent_id: string }>(sql`
    SELECT p.id AS procedure_id, s.id AS agent_id FROM procedures p, staff s
     WHERE p.tenant_id = ${tenant.tenant.id} AND p.code = 'certificat-empadronament'
       AND s.tenant_id = ${tenant.tenant.id} AND s.email = ${`agent1@${slug}.example`}`);
  // three video calls and two call-backs in the last days (all inside the default 30 days)
  const at = (days: number, hours = 0) => new Date(Date.now() - days * DAY - hours * 3_600_000).toISOString();
  const item = (channel: 'video' | 'callback', due: string, wait: number): HistoryItem => ({
    procedureId: ids.procedure_id,
    channel,
    status: 'closed',
    due,
    waitSeconds: wait,
    handlingSeconds: 420,
    agentId: ids.agent_id,
  });
  await insertAttentionHistory(env.db, tenant.tenant.id, [item('video', at(1), 60), item('video', at(2), 120), item('video', at(3), 180), item('callback', at(2, 2), 30), item('callback', at(4), 90)]);

  // no script fails and the CSP refuses nothing (Chart.js is served from the same origin)
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused/i.test(m.text())) problems.push(m.text());
  });
  await signInInCatalan(page, slug, `supervisor@${slug}.example`, tenant.password);
  await expect(page).toHaveURL(new RegExp(`/${slug}/staff$`));
  await page.goto(`/${slug}/staff/indicators`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Indicadors');

  const attentions = page.locator('[data-figure="attentions"] .value');
  await expect(attentions).toHaveText('5');
  await expect(page.getByRole('navigation', { name: 'Períodes ràpids' }).getByRole('link', { name: 'Darrers 30 dies' })).toHaveAttribute('aria-current', 'true');

  // every chart is drawn by Chart.js on a canvas of real size, with its table beside it
  const canvases = page.locator('.chart canvas');
  await expect(canvases).toHaveCount(8);
  await expect
    .poll(() =>
      page.evaluate(() => {
        const Chart = (window as unknown as { Chart?: { getChart(c: HTMLCanvasElement): unknown } }).Chart;
        return [...document.querySelectorAll<HTMLCanvasElement>('.chart canvas')].map((c) => Boolean(Chart?.getChart(c)) && c.clientWidth > 100 && c.clientHeight > 50);
      }),
    )
    .toEqual(Array(8).fill(true));
  await expect(page.getByRole('img', { name: /^Atencions per canal\./ })).toBeVisible();
  const byChannel = page.getByRole('table', { name: 'Atencions per canal' });
  await expect(byChannel.getByRole('row', { name: /Videotrucada/ })).toContainText('3');
  await expect(byChannel.getByRole('row', { name: /Trucada de retorn/ })).toContainText('2');
  await expectNoAxeViolations(page, 'indicators dashboard');
  if (process.env.SCREENSHOTS) await page.screenshot({ path: 'test-results/indicators.png', fullPage: true });

  // only the video calls, chosen with the keyboard
  const channel = page.getByRole('combobox', { name: 'Canal' });
  await tabTo(page, channel);
  await page.keyboard.press('ArrowDown');
  await expect(channel).toHaveValue('video');
  await tabTo(page, page.getByRole('button', { name: 'Mostra els indicadors' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/[?&]channel=video(&|$)/);
  await expect(attentions).toHaveText('3');
  await expect(page.getByRole('combobox', { name: 'Canal' })).toHaveValue('video');
  await expect(page.getByRole('table', { name: 'Atencions per canal' }).getByRole('row', { name: /Trucada de retorn/ })).toContainText('0');

  // a quick period, by keyboard too: the filter stays
  await tabTo(page, page.getByRole('link', { name: 'Darrers 7 dies' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('link', { name: 'Darrers 7 dies' })).toHaveAttribute('aria-current', 'true');
  await expect(page).toHaveURL(/[?&]channel=video(&|$)/);
  await expect(attentions).toHaveText('3');

  // the table as CSV, with the page's session
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Baixeu-ho en CSV: Atencions per canal' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(new RegExp(`^${slug}-by-channel-\\d{4}-\\d{2}-\\d{2}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv).toBe('\uFEFFCanal,Atencions,Percentatge (%)\r\nVideotrucada,3,100\r\nTrucada telefònica,0,0\r\nTrucada de retorn,0,0\r\n');

  // the "now" panel follows the queue without reloading
  const waiting = page.locator('#now-panel [data-now="waiting"]');
  await expect(waiting).toHaveText('0');
  const before = await page.locator('#now-at').getAttribute('datetime');
  await joinQueue(
    { database: env.db },
    {
      tenant: tenant.tenant,
      input: queueEntryInput.parse({ procedure: 'ajuts-subvencions', channel: 'callback', name: 'Marta Ribas', phone: '+34 612 345 678', language: 'ca', privacyAccepted: true }),
    },
  );
  await expect(waiting).toHaveText('1');
  await expect(page.locator('#now-panel [data-now="waiting-callback"]')).toHaveText('1');
  await expect(page.locator('#now-live')).toHaveAttribute('aria-live', 'polite');
  await expect(page.locator('#now-live')).toContainText('Ciutadans esperant: 1 (abans 0)');
  await expect(page.locator('#now-panel [data-now="longest"]')).toHaveText(/^\d+ s$|^\d+ min \d+ s$/);
  expect(await page.locator('#now-at').getAttribute('datetime')).not.toBe(before);
  await expectNoAxeViolations(page, 'indicators dashboard after a citizen joined the queue');

  // on a phone nothing scrolls sideways (wide tables scroll in their own box) and the charts fit
  await page.setViewportSize({ width: 360, height: 800 });
  await expect.poll(() => canvases.first().evaluate((c) => c.clientWidth)).toBeLessThanOrEqual(330);
  await expectNoHorizontalScroll(page, 'indicators dashboard on a phone');
  expect(problems).toEqual([]);
});

test('without the live socket the "now" panel is read again every 15 seconds', async ({ page, tenant, env }) => {
  const slug = tenant.tenant.slug;
  await page.addInitScript(() => {
    delete (window as unknown as { WebSocket?: unknown }).WebSocket;
  });
  await page.goto(`/${slug}/staff/login?lang=en`);
  await page.getByLabel('Email').fill(`admin@${slug}.example`);
  await page.getByLabel('Password').fill(tenant.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`/${slug}/staff$`));
  await page.goto(`/${slug}/staff/indicators`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Indicators');
  const waiting = page.locator('#now-panel [data-now="waiting"]');
  await expect(waiting).toHaveText('0');
  await joinQueue(
    { database: env.db },
    { tenant: tenant.tenant, input: queueEntryInput.parse({ procedure: 'ajuts-subvencions', channel: 'video', name: 'Laura Vidal', email: 'laura@example.com', language: 'en', privacyAccepted: true }) },
  );
  await expect(waiting).toHaveText('1', { timeout: 20_000 });
  await expect(page.locator('#now-panel [data-now="waiting-video"]')).toHaveText('1');
  await expect(page.locator('#now-live')).toContainText('Citizens waiting: 1 (was 0)');
});

test('an agent is not let into the indicators', async ({ page, tenant }) => {
  const slug = tenant.tenant.slug;
  await signInInCatalan(page, slug, `agent1@${slug}.example`, tenant.password);
  await expect(page).toHaveURL(new RegExp(`/${slug}/staff$`));
  const res = await page.goto(`/${slug}/staff/indicators`);
  expect(res?.status()).toBe(403);
  await expect(page.locator('#now-panel')).toHaveCount(0);
});
