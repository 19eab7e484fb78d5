import type { Page } from '@playwright/test';
import { sql } from 'drizzle-orm';
import { joinQueue, queueEntryInput } from '../../server/modules/attention/join-queue.js';
import { expect, expectNoAxeViolations, test } from '../support/fixtures.js';

async function openConsole(page: Page, slug: string, email: string, password: string) {
  await page.goto(`/${slug}/staff/login?lang=en`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Staff area' }).getByRole('link', { name: 'Console' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Console');
}

test('an agent hears a citizen arrive, takes the call-back, records the attempts and closes it; a colleague sees it live', async ({ page, browser, tenant, env }) => {
  const slug = tenant.tenant.slug;
  // count the beeps the console plays
  await page.addInitScript(() => {
    const w = window as unknown as { __beeps: number };
    w.__beeps = 0;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (this: OscillatorNode, ...args: Parameters<OscillatorNode['start']>) {
      w.__beeps++;
      return start.apply(this, args);
    };
  });
  await openConsole(page, slug, `agent1@${slug}.example`, tenant.password);
  await expect(page.getByText('Nobody is waiting.')).toBeVisible();
  await expectNoAxeViolations(page, 'console');

  // the first click in the page unlocks the sound; then the agent is available
  await page.getByRole('heading', { name: 'My presence' }).click();
  await page.getByRole('combobox', { name: 'My presence' }).selectOption('available');
  await expect(page.getByText('You are: Available')).toBeVisible();

  // a colleague in another browser sees the agent available
  const otherBrowser = await browser.newContext({ baseURL: env.server.base, locale: 'en-GB' });
  const colleague = await otherBrowser.newPage();
  await openConsole(colleague, slug, `agent2@${slug}.example`, tenant.password);
  const colleagues = colleague.getByRole('region', { name: 'Colleagues' }).getByRole('listitem');
  await expect(colleagues.filter({ hasText: 'Laia Soler' })).toContainText('Available');

  // a citizen joins the virtual queue to be called back
  await joinQueue(
    { database: env.db },
    {
      tenant: tenant.tenant,
      input: queueEntryInput.parse({
        procedure: 'ajuts-subvencions',
        channel: 'callback',
        name: 'Marta Ribas',
        phone: '+34 612 345 678',
        language: 'ca',
        privacyAccepted: true,
        priority: ['over_65'],
      }),
    },
  );

  // it appears without reloading, with the alert seen and heard
  const row = page.getByRole('row', { name: /Marta Ribas/ });
  await expect(row).toBeVisible();
  await expect(row).toContainText('Call me back');
  await expect(row).toContainText('Over 65');
  await expect(row).toContainText(/\d\d:\d\d/);
  await expect(page.getByRole('alert').filter({ hasText: 'Citizen waiting' })).toHaveText(/^Citizen waiting \(\d+ min\)$/);
  await expect.poll(() => page.evaluate(() => (window as unknown as { __beeps: number }).__beeps)).toBeGreaterThan(0);
  await expect(colleague.getByRole('row', { name: /Marta Ribas/ })).toBeVisible();
  await expectNoAxeViolations(page, 'console with a citizen waiting');
  if (process.env.SCREENSHOTS) await page.screenshot({ path: 'test-results/console-queue.png', fullPage: true });

  // the agent takes her: focus moves to the attention, the colleague sees the row go
  await row.getByRole('button', { name: 'Take Marta Ribas' }).click();
  await expect(page.getByRole('heading', { name: 'Attending Marta Ribas' })).toBeFocused();
  await expect(colleague.getByRole('row', { name: /Marta Ribas/ })).toHaveCount(0);
  await expect(colleague.getByRole('list', { name: 'In course' })).toContainText('Laia Soler attends Marta Ribas');
  await expect(colleagues.filter({ hasText: 'Laia Soler' })).toContainText('Busy (attending)');
  await expect(page.getByRole('combobox', { name: 'My presence' })).toBeDisabled();

  const callLink = page.getByRole('link', { name: 'Call +34612345678' });
  await expect(callLink).toHaveAttribute('href', 'tel:%2B34612345678');
  await expect(page.getByText('Failed call attempts so far: 0 of 3')).toBeVisible();
  await page.getByRole('button', { name: 'No answer' }).click();
  await expect(page.getByText('Failed call attempts so far: 1 of 3')).toBeVisible();
  await expect(page.getByText('Recorded: No answer.')).toBeVisible();
  // a reload finds the attention in course again
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Attending Marta Ribas' })).toBeVisible();
  await expect(page.getByText('Failed call attempts so far: 1 of 3')).toBeVisible();
  await page.getByRole('button', { name: 'Answered' }).click();
  await expect(page.getByText('Recorded: Answered.')).toBeVisible();
  await expect(page.getByText('Failed call attempts so far: 1 of 3')).toBeVisible();
  await expectNoAxeViolations(page, 'console attending a call-back');
  if (process.env.SCREENSHOTS) await page.screenshot({ path: 'test-results/console-callback.png', fullPage: true });

  // the closing form asks for what is missing
  await page.getByRole('button', { name: 'Close attention' }).click();
  await expect(page.getByText('Choose a consultation type.')).toBeVisible();
  await expect(page.getByLabel('Consultation type')).toBeFocused();
  await page.getByLabel('Consultation type').selectOption({ label: 'General information' });
  await page.getByRole('button', { name: 'Close attention' }).click();
  await expect(page.getByText('Choose an outcome.')).toBeVisible();
  await page.getByRole('radio', { name: 'Resolved' }).check();
  await page.getByLabel('Notes').fill('Explained the grant and the documents to bring.');
  await page.getByRole('button', { name: 'Close attention' }).click();

  // back to the queue, available again
  await expect(page.getByRole('status').filter({ hasText: 'Attention closed. You are available again.' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Queue' })).toBeFocused();
  await expect(page.getByRole('row', { name: /Marta Ribas/ })).toHaveCount(0);
  await expect(page.getByRole('combobox', { name: 'My presence' })).toHaveValue('available');
  await expect(page.getByRole('combobox', { name: 'My presence' })).toBeEnabled();
  await expect(page.getByText('You are: Available')).toBeVisible();
  await expect(colleagues.filter({ hasText: 'Laia Soler' })).toContainText('Available');
  await expect(colleague.getByText('Nobody is being attended right now.')).toBeVisible();
  await otherBrowser.close();
});

test('the console is for signed-in staff only', async ({ page, tenant }) => {
  const slug = tenant.tenant.slug;
  await page.goto(`/${slug}/staff/console?lang=en`);
  await expect(page).toHaveURL(new RegExp(`/${slug}/staff/login`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Staff sign-in');
});

test('an agent attends a video citizen: media both ways, chat with links, an interpreter link, a consented recording, hang up and close', async ({ page, browser, tenant, env }) => {
  test.setTimeout(120_000);
  const slug = tenant.tenant.slug;
  await page.context().grantPermissions(['camera', 'microphone', 'clipboard-read', 'clipboard-write']);
  await openConsole(page, slug, `agent1@${slug}.example`, tenant.password);
  await page.getByRole('combobox', { name: 'My presence' }).selectOption('available');
  const { attention, token } = await joinQueue(
    { database: env.db },
    { tenant: tenant.tenant, input: queueEntryInput.parse({ procedure: 'ajuts-subvencions', channel: 'video', name: 'Laura Vidal', email: 'laura@example.com', language: 'ca', privacyAccepted: true }) },
  );

  // the citizen, in another browser: the call library on a page of the town hall (the room page is not this spec's business)
  const citizenBrowser = await browser.newContext({ baseURL: env.server.base });
  const citizen = await citizenBrowser.newPage();
  await citizen.goto(`/${slug}?lang=en`);
  await citizen.addScriptTag({ url: '/assets/call.js' });
  await citizen.evaluate(async (wsUrl) => {
    type W = { FinCall: new (o: unknown) => { connect(): Promise<unknown>; startMedia(o: unknown): Promise<unknown> }; heard: string[]; call: unknown };
    const w = window as unknown as W;
    w.heard = [];
    const call = new w.FinCall({
      wsUrl,
      polite: true,
      remoteContainer: document.body,
      handlers: {
        onChat: (l: { role: string; text: string }) => w.heard.push(`chat:${l.role}:${l.text}`),
        onConsentRequest: () => w.heard.push('consent_request'),
        onRecording: (m: { state: string }) => w.heard.push(`recording:${m.state}`),
        onCallEnded: () => w.heard.push('call_ended'),
      },
    });
    w.call = call;
    await call.connect();
    await call.startMedia({ audio: true, video: true });
  }, `/${slug}/room/${token}/live`);
  const heard = () => citizen.evaluate(() => (window as unknown as { heard: string[] }).heard);
  const citizenDoes = (what: string, arg?: unknown) =>
    citizen.evaluate(([w, a]) => (window as unknown as { call: Record<string, (x?: unknown) => unknown> }).call[w as string](a), [what, arg] as const);

  await expect(page.getByRole('row', { name: /Laura Vidal/ })).toBeVisible();
  await page.getByRole('button', { name: 'Take next' }).click();
  await expect(page.getByRole('heading', { name: 'Attending Laura Vidal' })).toBeFocused();
  await expect(page.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible({ timeout: 20_000 });
  const remote = page.getByRole('group', { name: 'Video of the other participants' }).locator('video');
  await expect.poll(() => remote.evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect(page.getByRole('button', { name: 'Mute' })).toHaveAttribute('aria-pressed', 'false');
  await page.getByRole('button', { name: 'Mute' }).click();
  await expect(page.getByRole('button', { name: 'Mute' })).toHaveAttribute('aria-pressed', 'true');
  const share = page.getByRole('button', { name: 'Share my screen' });
  await share.click();
  await expect(share).toHaveAttribute('aria-pressed', 'true');
  await share.click();
  await expect(share).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByLabel('Camera', { exact: true })).toBeVisible();
  await expect(page.getByLabel('Microphone', { exact: true })).toBeVisible();
  // talk time started once media flowed
  await expect
    .poll(async () => (await env.db.rows<{ connected_at: Date | null }>(sql`SELECT connected_at FROM attentions WHERE id = ${attention.id}`))[0].connected_at)
    .not.toBeNull();

  // chat both ways: links are links, markup is text
  await page.getByLabel('Message').fill('The form is at https://example.org/form.');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect.poll(heard).toContain('chat:agent:The form is at https://example.org/form.');
  await citizenDoes('chat', 'Thanks <b>a lot</b>');
  const log = page.getByRole('log', { name: 'Chat' });
  await expect(log).toContainText('Citizen');
  await expect(log).toContainText('Thanks <b>a lot</b>');
  await expect(log.getByRole('link', { name: 'https://example.org/form' })).toHaveAttribute('href', 'https://example.org/form');

  // a one-time link for an interpreter
  await page.getByRole('button', { name: 'Invite an interpreter' }).click();
  await expect(page.getByRole('textbox', { name: 'One-time link' })).toHaveValue(new RegExp(`/${slug}/guest/`));
  await page.getByRole('button', { name: 'Copy the link' }).click();
  await expect(page.getByText('Link copied.')).toBeVisible();
  await expectNoAxeViolations(page, 'console in a video call');
  if (process.env.SCREENSHOTS) await page.screenshot({ path: 'test-results/console-video.png', fullPage: true });

  // recording, after the citizen's consent
  await expect(page.getByRole('button', { name: 'Stop recording' })).toBeHidden();
  await page.getByRole('button', { name: 'Ask consent to record' }).click();
  await expect(page.getByText("Waiting for the citizen's answer…")).toBeVisible();
  await expect.poll(heard).toContain('consent_request');
  await citizenDoes('answerConsent', true);
  await expect(page.getByText(/^Recording · [1-9]\d* parts? uploaded$/)).toBeVisible({ timeout: 30_000 });
  await expect.poll(heard).toContain('recording:started');
  await page.getByRole('button', { name: 'Stop recording' }).click();
  await expect(page.getByText('The recording has stopped and has been saved.')).toBeVisible({ timeout: 30_000 });
  await expect.poll(heard).toContain('recording:stopped');

  // hang up, then close
  await page.getByRole('button', { name: 'Hang up' }).click();
  await expect(page.getByText('The call has ended. Fill in the closing form.')).toBeVisible();
  await expect.poll(heard).toContain('call_ended');
  await page.getByLabel('Consultation type').selectOption({ label: 'Help with an online procedure' });
  await page.getByRole('radio', { name: 'Could not conclude — missing documents' }).check();
  await page.getByRole('button', { name: 'Close attention' }).click();
  await expect(page.getByRole('heading', { name: 'Queue' })).toBeFocused();
  await expect(page.getByText('You are: Available')).toBeVisible();
  const [row] = await env.db.rows<{ status: string; outcome: string }>(sql`SELECT status, outcome FROM attentions WHERE id = ${attention.id}`);
  expect(row).toEqual({ status: 'closed', outcome: 'missing_documents' });
  await citizenBrowser.close();
});
