/**
 * Helpers for the live-attention specs (e2e/call/): a booked video appointment written straight
 * into the database, the citizen's way from the join form to the waiting room, the agent's way into
 * the console, and the checks that video really plays (decoded frames, not just a connected state).
 */
import type { BrowserContext, Locator, Page } from '@playwright/test';
import { sql } from 'drizzle-orm';
import type { Database } from '../../server/db/client.js';
import { insertAppointment } from '../../test/support/appointments.js';
import { expect, expectNoAxeViolations } from './fixtures.js';

export type Booked = { id: string; reference: string; accessCode: string; agentEmail: string; citizenName: string; email: string };

/**
 * A booked video appointment starting `minutes` from now (negative: in the past), written with SQL
 * because the booking rules forbid short notice and past slots. The access code is hashed the way
 * the booking does it, so that the citizen can type it in the join form.
 */
export async function insertBookedVideo(
  db: Database,
  o: { tenantId: string; slug: string; minutes: number; agent?: string; procedure?: string; citizenName?: string; email?: string; language?: string },
): Promise<Booked> {
  const agentEmail = `${o.agent ?? 'agent1'}@${o.slug}.example`;
  const citizenName = o.citizenName ?? 'Pere Casals';
  const email = o.email ?? `pere.${o.slug}@example.com`;
  const [ids] = await db.rows<{ procedure_id: string; agent_id: string }>(sql`
    SELECT p.id AS procedure_id, s.id AS agent_id FROM procedures p, staff s
     WHERE p.tenant_id = ${o.tenantId} AND p.code = ${o.procedure ?? 'certificat-empadronament'}
       AND s.tenant_id = ${o.tenantId} AND s.email = ${agentEmail}`);
  expect(ids, 'the procedure and the agent exist').toBeTruthy();
  const { id, reference, accessCode } = await insertAppointment(db, {
    tenantId: o.tenantId,
    procedureId: ids.procedure_id,
    agentId: ids.agent_id,
    channel: 'video',
    startsAt: new Date(Date.now() + o.minutes * 60_000),
    durationMinutes: 15,
    citizenName,
    email,
    phone: null,
    language: o.language ?? 'ca',
  });
  return { id, reference, accessCode, agentEmail, citizenName, email };
}

/** The citizen types reference and code on /{slug}/join and lands in the room's lobby. */
export async function citizenJoins(page: Page, slug: string, booked: Booked, o: { axe?: boolean } = {}) {
  await page.goto(`/${slug}/join`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Entra a la meva cita');
  if (o.axe) await expectNoAxeViolations(page, 'join page');
  await page.getByLabel('Referència').fill(booked.reference);
  await page.getByLabel("Codi d'accés").fill(booked.accessCode);
  await page.getByRole('button', { name: 'Entra' }).click();
  await expect(page).toHaveURL(new RegExp(`/${slug}/room/[A-Za-z0-9_-]{43}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('La vostra videotrucada');
  await expect(page.getByRole('heading', { level: 2, name: 'Abans de començar: comproveu la càmera i el micròfon' })).toBeVisible();
}

/** The device check in the lobby: the camera preview plays. */
export async function citizenChecksDevices(page: Page, o: { axe?: boolean } = {}) {
  await page.getByRole('button', { name: 'Comprova la càmera i el micròfon' }).click();
  await expect(page.getByText('La càmera i el micròfon funcionen.')).toBeFocused();
  const preview = page.getByLabel('Previsualització de la vostra càmera');
  await expect.poll(() => preview.evaluate((v: HTMLVideoElement) => !v.paused && v.readyState >= 2 && v.videoWidth > 0), { message: 'the camera preview plays' }).toBe(true);
  await expectFramesAdvance(preview, 'camera preview');
  await expect(page.locator('#connection-check')).toContainText('La connexió funciona');
  if (o.axe) await expectNoAxeViolations(page, 'room lobby after the device check');
}

/** From the lobby into the waiting room, first in the queue. */
export async function citizenEntersWaitingRoom(page: Page, o: { axe?: boolean } = {}) {
  await page.getByRole('button', { name: "Entra a la sala d'espera" }).click();
  await expect(page.getByRole('heading', { level: 2, name: "Sou a la sala d'espera" })).toBeFocused();
  await expect(page.getByRole('status').getByText('El vostre torn a la cua: 1')).toBeVisible();
  if (o.axe) await expectNoAxeViolations(page, 'waiting room');
}

/** Signs in on /{slug}/staff/login (Catalan) and opens the console from the staff navigation. */
export async function openConsole(page: Page, slug: string, email: string, password: string) {
  await page.goto(`/${slug}/staff/login`);
  await page.getByLabel('Correu electrònic').fill(email);
  await page.getByLabel('Contrasenya').fill(password);
  await page.getByRole('button', { name: 'Entra' }).click();
  await page.getByRole('navigation', { name: 'Àrea del personal' }).getByRole('link', { name: 'Consola' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Consola');
}

/** The agent becomes available (and the first click in the page lets the console beep). */
export async function becomeAvailable(page: Page) {
  await page.getByRole('heading', { name: 'La meva presència' }).click();
  await page.getByRole('combobox', { name: 'La meva presència' }).selectOption('available');
  await expect(page.getByText('Esteu: Disponible')).toBeVisible();
}

/** Frames decoded so far by a <video> (0 before it has any). */
export function decodedFrames(video: Locator): Promise<number> {
  return video.evaluate((v: HTMLVideoElement) => (v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : 0));
}

/**
 * The <video> shows a picture and keeps decoding new frames: media really flows (a connected ICE
 * state alone could hide a frozen picture).
 */
export async function expectFramesAdvance(video: Locator, what: string, o: { timeout?: number; frames?: number } = {}) {
  const timeout = o.timeout ?? 20_000;
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState >= 2 && v.videoWidth > 0), { timeout, message: `${what}: a picture` })
    .toBe(true);
  const before = await decodedFrames(video);
  await expect.poll(() => decodedFrames(video), { timeout, message: `${what}: new frames are decoded` }).toBeGreaterThan(before + (o.frames ?? 10));
}

/**
 * Test-side instruments, installed before any page script: every RTCPeerConnection the page makes
 * (to read which candidate pair carries the media) and what happened to it — ICE and connection
 * states, offers it had to make (`negotiationneeded`: an ICE restart during a call), signaling states
 * with the local ICE ufrag — plus the texts the page showed in its connection indicator (#conn-state
 * in the console, #call-connection in the room). Observation only: the page behaves as without it.
 */
export async function instrumentCalls(context: BrowserContext) {
  await context.addInitScript(() => {
    type W = Window & { __pcs: RTCPeerConnection[]; __iceLog: string[]; __connLog: string[] };
    const w = window as unknown as W;
    w.__pcs = [];
    w.__iceLog = [];
    w.__connLog = [];
    const Native = window.RTCPeerConnection;
    if (Native) {
      const Watched = class extends Native {
        constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
          super(...args);
          w.__pcs.push(this);
          this.addEventListener('iceconnectionstatechange', () => w.__iceLog.push(`${Math.round(performance.now())}ms ${this.iceConnectionState}`));
          this.addEventListener('connectionstatechange', () => w.__iceLog.push(`${Math.round(performance.now())}ms conn:${this.connectionState}`));
          this.addEventListener('negotiationneeded', () => w.__iceLog.push(`${Math.round(performance.now())}ms negotiationneeded`));
          this.addEventListener('signalingstatechange', () => w.__iceLog.push(`${Math.round(performance.now())}ms sig:${this.signalingState} ufrag:${/a=ice-ufrag:(\S+)/.exec(this.localDescription?.sdp ?? '')?.[1]}`));
        }
      };
      window.RTCPeerConnection = Watched as typeof RTCPeerConnection;
    }
    document.addEventListener('DOMContentLoaded', () => {
      for (const id of ['conn-state', 'call-connection']) {
        const el = document.getElementById(id);
        if (!el) continue;
        new MutationObserver(() => w.__connLog.push(`${Math.round(performance.now())}ms ${el.textContent}`)).observe(el, { childList: true, characterData: true, subtree: true });
      }
    });
  });
}

/** What the instruments saw on a page: connection events (`ice`), indicator texts (`shown`), and the candidate pair carrying the media now (`transport`, e.g. `udp/host`). */
export async function callReport(page: Page): Promise<{ ice: string[]; shown: string[]; transport: string | null }> {
  return page.evaluate(async () => {
    const w = window as unknown as { __pcs: RTCPeerConnection[]; __iceLog: string[]; __connLog: string[] };
    const pc = w.__pcs.filter((p) => p.connectionState !== 'closed').at(-1);
    let transport: string | null = null;
    if (pc) {
      const stats = await pc.getStats();
      stats.forEach((r) => {
        if (r.type === 'transport' && r.selectedCandidatePairId) {
          const pair = stats.get(r.selectedCandidatePairId);
          const local = pair && stats.get(pair.localCandidateId);
          if (local) transport = `${local.protocol}/${local.candidateType}`;
        }
      });
    }
    return { ice: [...w.__iceLog], shown: [...w.__connLog], transport };
  });
}

/**
 * Makes the demo procedure `certificat-empadronament` a formal one for a spec: the request form of
 * test/support/filings.ts (every feature of the schema subset) and the agent in the register of
 * authorised officials (kept if already there).
 */
export async function prepareFormalProcedure(db: Database, o: { tenantId: string; slug: string; agent?: string; procedure?: string }) {
  const { TEST_REQUEST_SCHEMA } = await import('../../test/support/filings.js');
  const { withFieldOrder } = await import('../../server/modules/filing/request-schema.js');
  const { grantOfficial } = await import('../../server/modules/officials/officials.js');
  await db.rows(sql`UPDATE procedures SET request_schema = ${JSON.stringify(withFieldOrder(TEST_REQUEST_SCHEMA))}::jsonb
                     WHERE tenant_id = ${o.tenantId} AND code = ${o.procedure ?? 'certificat-empadronament'}`);
  const [agent] = await db.rows<{ id: string; granted: boolean }>(sql`
    SELECT s.id, EXISTS (SELECT 1 FROM authorised_officials a WHERE a.tenant_id = s.tenant_id AND a.staff_id = s.id AND a.revoked_at IS NULL) AS granted
      FROM staff s WHERE s.tenant_id = ${o.tenantId} AND s.email = ${`${o.agent ?? 'agent1'}@${o.slug}.example`}`);
  expect(agent, 'the agent exists').toBeTruthy();
  if (!agent.granted) await grantOfficial({ db: db.db, tenantId: o.tenantId, input: { staffId: agent.id, appointmentAct: 'Decret 12/2026', validFrom: '2000-01-01', validUntil: null } });
}
