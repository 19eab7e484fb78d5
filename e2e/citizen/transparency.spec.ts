import { createServer, type Server } from 'node:http';
import { sql } from 'drizzle-orm';
import { addMonths, lastSettledMonth } from '../../server/modules/transparency/public-period.js';
import { insertAttentionHistory, type HistoryItem } from '../../test/support/attention-history.js';
import { expect, expectNoAxeViolations, expectNoHorizontalScroll, tabTo, test } from '../support/fixtures.js';

/** The last published month (15 days after it ended) and the one before. */
const M1 = lastSettledMonth('Europe/Madrid');
const M2 = addMonths(M1, -1);
const at = (month: string, day: number, minute: number) => new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5)) - 1, day, 9, minute)).toISOString();

/** A page of another origin (another port) that frames the panel. */
async function portal(src: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><title>Transparency portal</title></head><body><h1>Transparency portal</h1><iframe title="Service indicators" src="${src}" width="800" height="900"></iframe></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('the public panel: tables and charts, the month changed by keyboard, no axe violation, framed by another site', async ({ page, tenant, env, baseURL }) => {
  const slug = tenant.tenant.slug;
  const [procedure] = await env.db.rows<{ id: string }>(sql`SELECT id FROM procedures WHERE tenant_id = ${tenant.tenant.id} ORDER BY position LIMIT 1`);
  const item = (month: string, day: number, channel: HistoryItem['channel'], i: number): HistoryItem => ({ procedureId: procedure.id, channel, status: 'closed', due: at(month, day, i), waitSeconds: 60, handlingSeconds: 300 });
  await insertAttentionHistory(env.db, tenant.tenant.id, [
    ...Array.from({ length: 9 }, (_, i) => item(M1, 3, 'video', i)),
    ...Array.from({ length: 2 }, (_, i) => item(M1, 4, 'phone', i)),
    ...Array.from({ length: 7 }, (_, i) => item(M1, 5, 'callback', i)),
    ...Array.from({ length: 6 }, (_, i) => item(M2, 3, 'phone', i)),
  ]);

  await page.setViewportSize({ width: 360, height: 800 });
  await page.goto(`/${slug}/transparency`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Indicadors del servei');
  // the last 12 months by default; every table with its chart (phone: 2 this month, so hidden, and call-back with it)
  const byChannel = page.getByRole('table', { name: 'Atencions per canal' });
  await expect(byChannel.getByRole('row', { name: /Videotrucada/ })).toContainText('9');
  await expect(byChannel.getByRole('row', { name: /Trucada telefònica/ })).toContainText('no publicat');
  await expect(page.getByRole('table', { name: 'Atencions per tràmit' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Espera i satisfacció' })).toBeVisible();
  await expect(page.getByRole('img', { name: /Atencions per canal/ })).toBeVisible();
  // Chart.js drew on the canvases
  await expect
    .poll(() => page.evaluate(() => [...document.querySelectorAll('canvas')].filter((c) => (window as unknown as { Chart?: { getChart(c: HTMLCanvasElement): unknown } }).Chart?.getChart(c)).length))
    .toBeGreaterThanOrEqual(3);
  await expectNoHorizontalScroll(page, 'transparency panel on a phone');
  await expectNoAxeViolations(page, 'transparency panel');

  // the month before by keyboard: the period list, two steps down, then Show
  const period = page.getByLabel('Període');
  await tabTo(page, period);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(period).toHaveValue(M2);
  await tabTo(page, page.getByRole('button', { name: 'Mostra' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`period=${M2}`));
  await expect(page.getByLabel('Període')).toHaveValue(M2);
  await expect(page.getByRole('table', { name: 'Atencions per canal' }).getByRole('row', { name: /Trucada telefònica/ })).toContainText('6');
  await expectNoAxeViolations(page, 'transparency panel, one month');

  // the language switch keeps the period
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Service indicators');
  await expect(page.getByLabel('Period')).toHaveValue(M2);

  // inside the town hall's portal, on another origin: no site header, figures readable, no axe violation
  const other = await portal(`${baseURL}/${slug}/transparency?embed=1&lang=en`);
  try {
    await page.setViewportSize({ width: 1000, height: 1000 });
    await page.goto(other.url);
    const frame = page.frameLocator('iframe[title="Service indicators"]');
    await expect(frame.getByRole('heading', { level: 1 })).toHaveText('Service indicators');
    await expect(frame.getByRole('table', { name: 'Attentions by channel' })).toBeVisible();
    await expect(frame.locator('header')).toHaveCount(0);
    await page.goto(`/${slug}/transparency?embed=1&lang=en`);
    await expectNoAxeViolations(page, 'embedded transparency panel');
  } finally {
    await other.close();
  }
});
