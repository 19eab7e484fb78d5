/**
 * A call-back nobody answers, through both real pages: the citizen asks to be called back from the
 * queue form and waits on the room page; the agent takes the request in the console and records
 * three failed calls; the attention ends "not reached", the citizen's page says so and the citizen
 * gets an email (with only the last digits of the number). e2e/staff/console.spec.ts covers a
 * call-back that is answered after one failed attempt.
 */
import { simpleParser } from 'mailparser';
import { sql } from 'drizzle-orm';
import { becomeAvailable, openConsole } from '../support/live-helpers.js';
import { expect, expectNoAxeViolations, test } from '../support/live-fixtures.js';

test('three failed calls end a call-back as not reached: the console frees the agent, the citizen is told on the page and by email', async ({ page, browser, tenant, env }) => {
  const slug = tenant.tenant.slug;
  const email = `marta.${slug}@example.com`;

  // the agent is available in the console
  const agentContext = await browser.newContext({ baseURL: env.server.base, locale: 'ca-ES' });
  const agent = await agentContext.newPage();
  try {
    await openConsole(agent, slug, `agent2@${slug}.example`, tenant.password);
    await becomeAvailable(agent);

    // the citizen asks to be called back, from the queue form
    await page.goto(`/${slug}`);
    await page.getByRole('link', { name: "Posa't a la cua ara, sense cita" }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ser atès ara, sense cita');
    await page.getByLabel('Amb què necessiteu ajuda?').selectOption({ label: "Sol·licitud d'ajuts i subvencions" });
    await page.getByRole('radio', { name: "Truca'm" }).check();
    await page.getByLabel('Nom i cognoms').fill('Marta Ribas');
    await page.getByLabel('Correu electrònic').fill(email);
    await page.getByLabel('Telèfon mòbil').fill('612 345 678');
    await page.getByRole('checkbox', { name: /He llegit l'avís de privacitat/ }).check();
    await page.getByRole('button', { name: "Posa'm a la cua" }).click();
    await expect(page).toHaveURL(new RegExp(`/${slug}/room/[A-Za-z0-9_-]{43}$`));
    await expect(page.getByRole('heading', { level: 2, name: "Sou a la sala d'espera" })).toBeVisible();
    await expect(page.getByRole('status').getByText('El vostre torn a la cua: 1')).toBeVisible();

    // the agent is alerted and takes her
    const row = agent.getByRole('row', { name: /Marta Ribas/ });
    await expect(row).toContainText("Truca'm");
    await expect(agent.getByRole('alert').filter({ hasText: 'Persona en espera' })).toHaveText(/^Persona en espera \(\d+ min\)$/);
    await row.getByRole('button', { name: 'Agafa Marta Ribas' }).click();
    await expect(agent.getByRole('heading', { name: 'Atenent Marta Ribas' })).toBeFocused();
    await expect(page.getByText('Ja és el vostre torn: un agent us està trucant per telèfon.')).toBeVisible();
    await expect(agent.getByRole('link', { name: /^Truca al / })).toHaveAttribute('href', /^tel:/);
    await expect(agent.getByText('Intents de trucada sense èxit fins ara: 0 de 3')).toBeVisible();
    await expectNoAxeViolations(agent, 'console attending a call-back');

    // three calls nobody answers
    await agent.getByRole('button', { name: 'No respon' }).click();
    await expect(agent.getByText('Intents de trucada sense èxit fins ara: 1 de 3')).toBeVisible();
    await expect(agent.getByText('Anotat: No respon.')).toBeVisible();
    await agent.getByRole('button', { name: 'Comunica' }).click();
    await expect(agent.getByText('Intents de trucada sense èxit fins ara: 2 de 3')).toBeVisible();
    await expect(agent.getByText('Anotat: Comunica.')).toBeVisible();
    await agent.getByRole('button', { name: 'No respon' }).click();

    // over: the agent is back at the queue, available
    await expect(agent.getByRole('status').filter({ hasText: "No s'ha pogut contactar amb la persona." })).toHaveText(
      "No s'ha pogut contactar amb la persona. L'atenció s'ha acabat i se li ha comunicat per correu electrònic.",
    );
    await expect(agent.getByRole('heading', { name: 'Cua' })).toBeFocused();
    await expect(agent.getByText('Esteu: Disponible')).toBeVisible();
    await expect(agent.getByRole('row', { name: /Marta Ribas/ })).toHaveCount(0);

    // the citizen's page says so
    await expect(page.getByRole('heading', { level: 2, name: "No s'ha pogut fer l'atenció" })).toBeFocused();
    await expect(page.getByText("Poseu-vos en contacte amb l'ajuntament o demaneu una nova cita, si us plau.")).toBeVisible();
    await expectNoAxeViolations(page, 'room: not reached');

    const [att] = await env.db.rows<{ status: string; attempts: number; closed_at: Date | null }>(
      sql`SELECT status, attempts, closed_at FROM attentions WHERE tenant_id = ${tenant.tenant.id} AND email = ${email}`,
    );
    expect(att).toMatchObject({ status: 'not_reached', attempts: 3 });
    expect(att.closed_at).not.toBeNull();

    // and by email, in Catalan, with only the last digits of the number
    await expect.poll(() => env.smtp.received.filter((m) => m.to.includes(email)).length, { timeout: 15_000, message: 'the not-reached email' }).toBe(1);
    const mail = await simpleParser(env.smtp.received.find((m) => m.to.includes(email))!.raw);
    expect(mail.subject).toBe("No us hem pogut localitzar: Sol·licitud d'ajuts i subvencions");
    expect(mail.text).toContain('Us hem trucat 3 vegades');
    expect(mail.text).toContain('acabat en 678');
    expect(mail.text).not.toContain('612345678');
    expect(mail.text).not.toContain('612 345 678');
    expect(mail.text).toContain(`/${slug}?lang=ca`);
  } finally {
    await agentContext.close();
  }
});
