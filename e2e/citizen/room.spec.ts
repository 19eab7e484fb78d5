import { sql } from 'drizzle-orm';
import type { Page } from '@playwright/test';
import type { TestDatabase } from '../../test/support/databases.js';
import { expect, expectNoAxeViolations, expectNoHorizontalScroll, test } from '../support/fixtures.js';

type Env = { server: { base: string }; db: TestDatabase };

/**
 * A video appointment whose waiting room is open now: booked through the API on a free slot,
 * then moved (in the database, past the booking rules' minimum notice) to start in 5 minutes.
 */
async function videoAppointmentStartingSoon(env: Env, slug: string, tenantId: string) {
  const base = env.server.base;
  const slots = (await (await fetch(`${base}/api/v1/tenants/${slug}/procedures/certificat-empadronament/slots?channel=video&days=20`)).json()) as Array<{ start: string }>;
  const res = await fetch(`${base}/api/v1/tenants/${slug}/appointments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      procedure: 'certificat-empadronament',
      channel: 'video',
      start: slots[0].start,
      name: 'Pere Casals',
      email: `pere.${slug}@example.com`,
      language: 'ca',
      privacyAccepted: true,
    }),
  });
  expect(res.status).toBe(201);
  const booked = (await res.json()) as { reference: string; accessCode: string };
  await env.db.rows(sql`
    UPDATE appointments SET starts_at = now() + interval '5 minutes', ends_at = now() + interval '20 minutes', blocked_until = now() + interval '20 minutes'
     WHERE tenant_id = ${tenantId} AND reference = ${booked.reference}`);
  return booked;
}

/** The citizen joins with reference and code and reaches the waiting room after the device check. */
async function joinAndWait(page: Page, slug: string, booked: { reference: string; accessCode: string }) {
  await page.goto(`/${slug}/join`);
  await page.getByLabel('Referència').fill(booked.reference);
  await page.getByLabel("Codi d'accés").fill(booked.accessCode);
  await page.getByRole('button', { name: 'Entra' }).click();
  await expect(page).toHaveURL(new RegExp(`/${slug}/room/[A-Za-z0-9_-]{43}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('La vostra videotrucada');
}

test('a booked citizen joins with the code, checks camera, microphone and connection, and waits first in the queue', async ({ page, tenant, env }) => {
  const slug = tenant.tenant.slug;
  const booked = await videoAppointmentStartingSoon(env, slug, tenant.tenant.id);

  // A wrong code is refused the same way as a reference that does not exist.
  await page.goto(`/${slug}/join`);
  await page.getByLabel('Referència').fill(booked.reference);
  await page.getByLabel("Codi d'accés").fill('00000000');
  await page.getByRole('button', { name: 'Entra' }).click();
  const refusedReal = (await page.getByRole('alert').textContent())!.trim();
  await page.getByLabel('Referència').fill('ZZZ-ZZZ');
  await page.getByLabel("Codi d'accés").fill('12345678');
  await page.getByRole('button', { name: 'Entra' }).click();
  await expect(page.getByRole('alert')).toHaveText(refusedReal);
  expect(refusedReal).toContain("La referència o el codi d'accés no són correctes");
  await expect(page).toHaveURL(new RegExp(`/${slug}/join$`));

  await joinAndWait(page, slug, booked);
  await expect(page.getByRole('heading', { level: 2, name: 'Abans de començar: comproveu la càmera i el micròfon' })).toBeVisible();
  await expect(page.locator('dd.reference')).toHaveText(booked.reference);
  await expect(page.getByRole('heading', { name: 'Documents que necessiteu' })).toBeVisible();
  await expect(page.locator('#connection-check')).toContainText('La connexió funciona');
  await expectNoAxeViolations(page, 'room lobby');

  await page.getByRole('button', { name: 'Comprova la càmera i el micròfon' }).click();
  await expect(page.getByText('La càmera i el micròfon funcionen.')).toBeFocused();
  await expect(page.getByRole('button', { name: 'Comprova la càmera i el micròfon' })).toBeHidden();
  const preview = page.getByRole('region', { name: /Abans de començar/ }).locator('video');
  await expect(preview).toHaveAttribute('aria-label', 'Previsualització de la vostra càmera');
  await expect.poll(() => preview.evaluate((v: HTMLVideoElement) => v.readyState >= 2 && v.videoWidth > 0)).toBe(true);
  // the microphone level moves (the fake microphone beeps)
  const meter = page.getByLabel('Nivell del micròfon');
  const levels = new Set<number>();
  await expect
    .poll(async () => {
      levels.add(await meter.evaluate((m: HTMLMeterElement) => m.value));
      return levels.size;
    }, { timeout: 15_000 })
    .toBeGreaterThan(2);
  await expect(page.getByText('Us sentim bé.')).toBeVisible();
  const lobby = page.getByRole('region', { name: /Abans de començar/ });
  await expect(lobby.getByLabel('Càmera', { exact: true })).toBeVisible();
  await expect(lobby.getByLabel('Micròfon', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Reprodueix un so de prova' }).click();
  await expectNoAxeViolations(page, 'room lobby after the device check');

  await page.getByRole('button', { name: "Entra a la sala d'espera" }).click();
  await expect(page.getByRole('heading', { level: 2, name: "Sou a la sala d'espera" })).toBeFocused();
  await expect(page.locator('#queue-position')).toHaveText('El vostre torn a la cua: 1');
  await expect(page.locator('#queue-estimate')).toContainText("Temps d'espera aproximat:");
  await expect(page.getByRole('heading', { name: 'Documents que necessiteu' })).toBeVisible();
  await expectNoAxeViolations(page, 'waiting room');
  const [row] = await env.db.rows<{ status: string }>(sql`
    SELECT at.status FROM attentions at JOIN appointments ap ON ap.id = at.appointment_id WHERE ap.reference = ${booked.reference} AND ap.tenant_id = ${tenant.tenant.id}`);
  expect(row.status).toBe('waiting');
});

test('an agent takes the waiting citizen: video both ways, safe chat links, consent, recording notice, the end', async ({ page, tenant, env, browser }) => {
  const slug = tenant.tenant.slug;
  const booked = await videoAppointmentStartingSoon(env, slug, tenant.tenant.id);
  await joinAndWait(page, slug, booked);
  await page.getByRole('button', { name: "Entra a la sala d'espera" }).click();
  await expect(page.locator('#queue-position')).toHaveText('El vostre torn a la cua: 1');
  const [{ email, attention }] = await env.db.rows<{ email: string; attention: string }>(sql`
    SELECT s.email, at.id AS attention FROM appointments ap JOIN staff s ON s.id = ap.agent_id JOIN attentions at ON at.appointment_id = ap.id
     WHERE ap.reference = ${booked.reference} AND ap.tenant_id = ${tenant.tenant.id}`);

  // The agent signs in and joins with the same FinCall module the console uses.
  const agentContext = await browser.newContext({ baseURL: env.server.base, locale: 'ca-ES' });
  const agent = await agentContext.newPage();
  await agent.goto(`/${slug}/staff/login`);
  await agent.getByLabel('Correu electrònic').fill(email);
  await agent.getByLabel('Contrasenya').fill(tenant.password);
  await agent.getByRole('button', { name: 'Entra' }).click();
  await expect(agent).toHaveURL(new RegExp(`/${slug}/staff`));
  const csrf = await agent.locator('input[name=_csrf]').first().inputValue();
  const taken = await agent.evaluate(
    async ([path, token, id]) => (await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token }, body: JSON.stringify({ attentionId: id }) })).status,
    [`/${slug}/staff/console/api/attentions/take`, csrf, attention] as const,
  );
  expect(taken).toBe(200);
  // the citizen is taken to the call at once
  await expect(page.getByRole('heading', { level: 2, name: "Trucada amb l'ajuntament" })).toBeVisible();

  await agent.addScriptTag({ url: '/assets/call.js' });
  await agent.evaluate(async (wsUrl) => {
    const w = window as unknown as Record<string, any>;
    const remote = document.createElement('div');
    remote.id = 'agent-remote';
    const local = document.createElement('video');
    document.body.append(remote, local);
    w.events = [] as unknown[];
    const log = (name: string) => (m: unknown) => w.events.push({ name, m });
    w.agentCall = new w.FinCall({
      wsUrl,
      polite: false,
      localVideo: local,
      remoteContainer: remote,
      labels: { remoteVideo: 'Vídeo de {label}' },
      handlers: { onChat: log('chat'), onConsent: log('consent'), onMedia: log('media'), onConnectionState: log('state') },
    });
    await w.agentCall.connect();
    await w.agentCall.startMedia({ audio: true, video: true });
  }, `/${slug}/staff/attentions/${attention}/live`);

  // media flows both ways
  const citizenRemote = page.locator('#remote-videos video');
  await expect(citizenRemote).toHaveCount(1);
  await expect(citizenRemote).toHaveAttribute('aria-label', /^Vídeo de /);
  await expect.poll(() => citizenRemote.evaluate((v: HTMLVideoElement) => v.readyState >= 2 && v.videoWidth > 0), { timeout: 20_000 }).toBe(true);
  const agentRemote = agent.locator('#agent-remote video');
  await expect.poll(() => agentRemote.evaluate((v: HTMLVideoElement) => v.readyState >= 2 && v.videoWidth > 0), { timeout: 20_000 }).toBe(true);
  await expect(page.locator('#call-connection')).toHaveText('Connectat');
  await expect(page.locator('#self-video')).toBeVisible();
  await expectNoAxeViolations(page, 'call');

  // An interpreter joins by a one-time link: device check, then straight into the call (three in the mesh).
  const invited = await agent.evaluate(
    async ([path, token]) => (await (await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': token }, body: JSON.stringify({ label: 'Intèrpret' }) })).json()).url as string,
    [`/${slug}/staff/console/api/attentions/${attention}/invite`, csrf] as const,
  );
  const guestContext = await browser.newContext({ baseURL: env.server.base, locale: 'ca-ES' });
  const guest = await guestContext.newPage();
  await guest.goto(new URL(invited).pathname);
  await expect(guest.getByRole('heading', { level: 1 })).toHaveText('Us conviden a una videotrucada');
  await expectNoAxeViolations(guest, 'guest invitation');
  await guest.getByRole('button', { name: 'Entra a la trucada' }).click();
  await expect(guest).toHaveURL(new RegExp(`/${slug}/room/[A-Za-z0-9_-]{43}$`));
  await expect(guest.getByRole('heading', { level: 1 })).toHaveText("Videotrucada amb l'ajuntament");
  await expect(guest.locator('#connection-check')).toContainText('La connexió funciona');
  await expectNoAxeViolations(guest, 'guest lobby');
  await guest.getByRole('button', { name: 'Entra a la trucada' }).click();
  await expect(guest.getByRole('heading', { level: 2, name: "Trucada amb l'ajuntament" })).toBeFocused();
  for (const [who, videos] of [
    ['guest', guest.locator('#remote-videos video')],
    ['citizen', page.locator('#remote-videos video')],
    ['agent', agent.locator('#agent-remote video')],
  ] as const) {
    await expect(videos, who).toHaveCount(2);
    for (const i of [0, 1]) {
      await expect.poll(() => videos.nth(i).evaluate((v: HTMLVideoElement) => v.readyState >= 2 && v.videoWidth > 0 && !v.muted), { timeout: 20_000, message: `${who} sees video ${i}` }).toBe(true);
    }
  }
  await expect(guest.locator('#remote-videos video[aria-label="Vídeo de Ciutadà/ana"]')).toHaveCount(1);
  await expect(page.locator('#remote-videos video[aria-label="Vídeo de Intèrpret"]')).toHaveCount(1);
  await page.setViewportSize({ width: 360, height: 740 });
  await expectNoHorizontalScroll(page, 'call with three on a phone');
  if (process.env.SCREENSHOTS) await page.screenshot({ path: 'test-results/room-call-360.png', fullPage: true });
  await guestContext.close();

  // The agent's socket drops: it comes back as the same peer and the call resumes on the same connection (ICE restart).
  await agent.evaluate(() => {
    const w = window as any;
    const citizen = [...w.agentCall.present.values()].find((p: any) => p.role === 'citizen');
    w.pcBefore = w.agentCall.peerConnections.get(citizen.id);
    w.agentCall.ws.close();
  });
  await expect.poll(() => agent.evaluate(() => (window as any).events.filter((e: any) => e.name === 'state').map((e: any) => e.m))).toContain('reconnecting');
  await expect.poll(() => agent.evaluate(() => (window as any).agentCall.connState), { timeout: 20_000 }).toBe('connected');
  expect(await agent.evaluate(() => [...(window as any).agentCall.peerConnections.values()].includes((window as any).pcBefore))).toBe(true);
  const videoBytes = () =>
    agent.evaluate(async () => {
      let bytes = 0;
      (await (window as any).pcBefore.getStats()).forEach((r: any) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') bytes += r.bytesReceived;
      });
      return bytes;
    });
  const before = await videoBytes();
  await expect.poll(videoBytes).toBeGreaterThan(before + 10_000);

  // chat: links become safe links, markup stays text
  await agent.evaluate(() => (window as any).agentCall.chat('Mireu https://example.org/tramit?a=1, i no <b>això</b> ni javascript:alert(1)'));
  const line = page.getByRole('log').locator('p').last();
  await expect(line).toContainText('<b>això</b>');
  const link = line.getByRole('link');
  await expect(link).toHaveCount(1);
  await expect(link).toHaveAttribute('href', 'https://example.org/tramit?a=1');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(line.locator('b')).toHaveCount(0);
  await page.getByLabel('Escriviu un missatge').fill('Ja tinc el DNI a punt');
  await page.getByLabel('Escriviu un missatge').press('Enter');
  await expect(page.getByRole('log')).toContainText('Vós');
  await expect.poll(() => agent.evaluate(() => (window as any).events.filter((e: any) => e.name === 'chat').map((e: any) => `${e.m.role}:${e.m.text}`))).toContain('citizen:Ja tinc el DNI a punt');
  await expect(page.getByLabel('Escriviu un missatge')).toHaveValue('');

  // mute: the agent hears about it
  await page.getByRole('button', { name: 'Silencia el meu micròfon' }).click();
  await expect(page.getByRole('button', { name: 'Silencia el meu micròfon' })).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => agent.evaluate(() => (window as any).events.some((e: any) => e.name === 'media' && e.m.audio === false))).toBe(true);

  // share the screen in place of the camera (from a click), and stop
  const share = page.getByRole('button', { name: 'Comparteix la meva pantalla' });
  await share.click();
  await expect(share).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => agent.evaluate(() => (window as any).events.some((e: any) => e.name === 'media' && e.m.screen === true))).toBe(true);
  await share.click();
  await expect(share).toHaveAttribute('aria-pressed', 'false');

  // consent to the recording: a modal dialog that takes the focus
  await agent.evaluate(() => (window as any).agentCall.requestConsent());
  const dialog = page.getByRole('dialog', { name: "Enregistrament de la trucada" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("Aquesta trucada s'enregistra");
  await expect(dialog.getByRole('button', { name: "Hi estic d'acord", exact: true })).toBeFocused();
  await expectNoAxeViolations(page, 'consent dialog');
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect.poll(() => agent.evaluate(() => (window as any).events.find((e: any) => e.name === 'consent')?.m.given)).toBe(true);
  await agent.evaluate(() => (window as any).agentCall.send({ type: 'recording', state: 'started' }));
  await expect(page.getByText("S'està enregistrant", { exact: true })).toBeVisible();

  await agent.evaluate(() => (window as any).agentCall.hangup());
  await expect(page.getByRole('heading', { level: 2, name: 'La trucada ha acabat' })).toBeFocused();
  await expect(page.locator('#self-video')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Torna a la trucada' })).toBeHidden();
  await expect(page.getByRole('link', { name: 'Torna a posar-te a la cua' })).toBeHidden();
  await expect(page.getByRole('link', { name: "Torna a l'inici" })).toBeVisible();
  await expectNoAxeViolations(page, 'end of the call');
  if (process.env.SCREENSHOTS) await page.screenshot({ path: 'test-results/room-end-360.png', fullPage: true });
  await agentContext.close();
});

test('entering too early shows when the room opens, counts down, and goes in by itself', async ({ page, tenant, env }) => {
  const slug = tenant.tenant.slug;
  const booked = await videoAppointmentStartingSoon(env, slug, tenant.tenant.id);
  // the waiting room opens 10 minutes before: in 4 seconds
  await env.db.rows(sql`
    UPDATE appointments SET starts_at = now() + interval '10 minutes 4 seconds' WHERE tenant_id = ${tenant.tenant.id} AND reference = ${booked.reference}`);
  await joinAndWait(page, slug, booked);
  await expect(page.getByText(/La sala d'espera s'obre el .+, 10 minuts abans de la vostra cita/)).toBeVisible();
  await page.getByRole('button', { name: "Entra a la sala d'espera" }).click();
  await expect(page.locator('#waiting-line')).toContainText("És una mica d'hora. La sala d'espera s'obre a les");
  await expect(page.locator('#waiting-line')).toContainText('No cal que feu res');
  await expect(page.locator('#opens-countdown')).toHaveText('Falten: 1 min');
  await expectNoAxeViolations(page, 'waiting room, too early');
  await expect(page.locator('#queue-position')).toHaveText('El vostre torn a la cua: 1', { timeout: 20_000 });
  await expect(page.locator('#opens-box')).toBeHidden();
});

test('without permission for the camera: plain help, then the written chat only', async ({ page, tenant }) => {
  const slug = tenant.tenant.slug;
  const res = await page.request.post(`/${slug}/queue?lang=en`, {
    form: { procedure: 'certificat-empadronament', channel: 'video', name: 'Joan Pi', email: `joan.${slug}@example.com`, privacyAccepted: 'yes', lang: 'en' },
    maxRedirects: 0,
  });
  expect(res.status()).toBe(303);
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
  });
  await page.goto(`${res.headers().location}?lang=en`);
  await page.getByRole('button', { name: 'Check my camera and microphone' }).click();
  const help = page.getByText('You have not allowed the camera and the microphone.');
  await expect(help).toBeFocused();
  await expect(page.getByRole('button', { name: 'Continue with sound only' })).toBeVisible();
  await expectNoAxeViolations(page, 'device check, permission denied');
  await page.getByRole('button', { name: 'Continue with the written chat only' }).click();
  await expect(page.getByText('You will take part with the written chat only.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Enter the waiting room' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#queue-position')).toHaveText('Your place in the queue: 1');
});

test.describe('on a 360-px phone', () => {
  test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

  test('a citizen joins the virtual queue in Spanish with priority, sees place and wait, and leaves', async ({ page, tenant, env }) => {
    const slug = tenant.tenant.slug;
    await page.goto(`/${slug}?lang=es`);
    await page.getByRole('link', { name: 'Ponerse en la cola ahora, sin cita' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ser atendido ahora, sin cita');
    await expectNoHorizontalScroll(page, 'queue form');
    await expectNoAxeViolations(page, 'queue form (es)');

    // every problem at once, in a summary that takes the focus
    await page.getByRole('button', { name: 'Ponerme en la cola' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toBeFocused();
    for (const m of ['Elija un trámite de la lista.', 'Escriba su nombre y apellidos', 'Denos al menos un correo electrónico o un teléfono móvil.', 'Debe aceptar el aviso de privacidad para ponerse en la cola.']) {
      await expect(alert).toContainText(m);
    }
    await expectNoHorizontalScroll(page, 'queue form with errors');
    if (process.env.SCREENSHOTS) await page.screenshot({ path: 'test-results/queue-errors-360.png', fullPage: true });
    await expectNoAxeViolations(page, 'queue form with errors (es)');
    await alert.getByRole('link', { name: 'Elija un trámite de la lista.' }).click();
    await expect(page.getByLabel('¿Con qué necesita ayuda?')).toBeFocused();

    await page.getByLabel('¿Con qué necesita ayuda?').selectOption({ label: 'Certificado de empadronamiento' });
    await expect(page.getByRole('radio', { name: 'Videollamada' })).toBeChecked();
    await page.getByLabel('Nombre y apellidos').fill('Carmen Ruiz');
    await page.getByLabel('Correo electrónico').fill(`carmen.${slug}@example.com`);
    await page.getByRole('checkbox', { name: 'Tengo más de 65 años' }).check();
    await page.getByRole('checkbox', { name: /He leído el aviso de privacidad/ }).check();
    await page.getByRole('button', { name: 'Ponerme en la cola' }).click();

    await expect(page).toHaveURL(new RegExp(`/${slug}/room/[A-Za-z0-9_-]{43}$`));
    await expect(page.getByRole('heading', { level: 2, name: 'Antes de empezar: compruebe la cámara y el micrófono' })).toBeVisible();
    await expect(page.locator('.room-summary')).toContainText('Certificado de empadronamiento');
    await page.getByRole('button', { name: 'Comprobar la cámara y el micrófono' }).click();
    await expect(page.getByText('La cámara y el micrófono funcionan.')).toBeVisible();
    await expectNoHorizontalScroll(page, 'room lobby');
    if (process.env.SCREENSHOTS) await page.screenshot({ path: 'test-results/room-lobby-360.png', fullPage: true });
    await expectNoAxeViolations(page, 'room lobby (es)');

    await page.getByRole('button', { name: 'Entrar en la sala de espera' }).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Está en la sala de espera' })).toBeFocused();
    await expect(page.locator('#queue-position')).toHaveText('Su turno en la cola: 1');
    await expect(page.locator('#queue-estimate')).toHaveText(/^Tiempo de espera aproximado: \d+ min$/);
    await expectNoHorizontalScroll(page, 'waiting room');
    if (process.env.SCREENSHOTS) await page.screenshot({ path: 'test-results/room-waiting-360.png', fullPage: true });
    await expectNoAxeViolations(page, 'waiting room (es)');
    const [row] = await env.db.rows<{ status: string; priority_reasons: string[]; language: string }>(
      sql`SELECT status, priority_reasons, language FROM attentions WHERE tenant_id = ${tenant.tenant.id}`,
    );
    expect(row).toEqual({ status: 'waiting', priority_reasons: ['over_65'], language: 'es' });

    await page.getByRole('region', { name: 'Está en la sala de espera' }).getByRole('button', { name: 'Salir de la cola' }).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Ha salido de la cola' })).toBeFocused();
    await expect(page.getByRole('link', { name: 'Volver a ponerse en la cola' })).toBeVisible();
    await expectNoHorizontalScroll(page, 'left the queue');
    await expectNoAxeViolations(page, 'left the queue (es)');
    const [after] = await env.db.rows<{ status: string }>(sql`SELECT status FROM attentions WHERE tenant_id = ${tenant.tenant.id}`);
    expect(after.status).toBe('abandoned');
  });
});
