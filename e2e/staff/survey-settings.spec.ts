import { sql } from 'drizzle-orm';
import { ALL_AGENTS, ALL_PROCEDURES } from '../../server/db/schema.js';
import { joinQueue } from '../../server/modules/attention/join-queue.js';
import { expect, expectNoAxeViolations, signInInCatalan, tabTo, test } from '../support/fixtures.js';

test("an admin adds an own survey question by keyboard; the citizen's survey asks it and counts the answer", async ({ page, tenant, env }) => {
  const slug = tenant.tenant.slug;
  const db = env.db;
  await signInInCatalan(page, slug, `admin@${slug}.example`, tenant.password);
  await page.goto(`/${slug}/staff/survey-settings?lang=ca`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Enquesta de satisfacció');
  await expect(page.getByRole('heading', { level: 3 })).toHaveText([
    "Us ha agradat l'atenció que heu rebut?",
    'Us ha resultat fàcil?',
    'Tornaríeu a fer servir aquest servei?',
    'Voleu dir-nos alguna cosa més?',
  ]);
  await expectNoAxeViolations(page, 'survey settings');

  // the new question, by keyboard only; its Spanish wording forgotten at first
  const add = page.getByRole('region', { name: 'Afegeix una pregunta' });
  await tabTo(page, add.getByRole('textbox', { name: 'Codi' }));
  await page.keyboard.type('espera');
  await tabTo(page, add.getByRole('radio', { name: 'Escala del 0 al 10' }));
  await page.keyboard.press('Space');
  await tabTo(page, add.getByRole('textbox', { name: 'Pregunta (CA)' }));
  await page.keyboard.type("Com valoreu el temps d'espera?");
  await tabTo(page, add.getByRole('textbox', { name: 'Pregunta (EN)' }));
  await page.keyboard.type('How do you rate the waiting time?');
  await tabTo(page, add.getByRole('checkbox', { name: "La ciutadania l'ha de respondre" }));
  await page.keyboard.press('Space');
  await tabTo(page, add.getByRole('button', { name: 'Afegeix la pregunta' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).toContainText('Escriviu la pregunta en aquesta llengua (ES).');
  await expect(add.getByRole('textbox', { name: 'Pregunta (ES)' })).toHaveAttribute('aria-invalid', 'true');
  await expect(add.getByRole('textbox', { name: 'Codi' })).toHaveValue('espera');
  await expectNoAxeViolations(page, 'survey settings with errors');

  await tabTo(page, add.getByRole('textbox', { name: 'Pregunta (ES)' }));
  await page.keyboard.type('¿Cómo valora el tiempo de espera?');
  await tabTo(page, add.getByRole('button', { name: 'Afegeix la pregunta' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toHaveText("S'han desat les preguntes de l'enquesta.");
  // one place up: before the comment
  await tabTo(page, page.getByRole('button', { name: "Puja: Com valoreu el temps d'espera?" }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toBeVisible();
  await expect(page.getByRole('heading', { level: 3 })).toHaveText([
    "Us ha agradat l'atenció que heu rebut?",
    'Us ha resultat fàcil?',
    'Tornaríeu a fer servir aquest servei?',
    "Com valoreu el temps d'espera?",
    'Voleu dir-nos alguna cosa més?',
  ]);

  // a citizen attended by video answers the survey from the end screen's link
  const [procedure] = await db.rows<{ code: string }>(sql`
    SELECT code FROM procedures WHERE tenant_id = ${tenant.tenant.id} AND 'video' = ANY(channels) ORDER BY position LIMIT 1`);
  const { attention, token: roomToken } = await joinQueue(
    { database: db },
    { tenant: tenant.tenant, input: { procedure: procedure.code, channel: 'video', name: 'Pau Serra', email: `pau.${slug}@example.com`, language: 'ca', priority: [], privacyAccepted: true, accessibility: { needs: [] } } },
  );
  await db.rows(sql`
    UPDATE attentions SET status = 'closed', outcome = 'resolved',
           agent_id = (SELECT id FROM staff WHERE tenant_id = ${tenant.tenant.id} ORDER BY email LIMIT 1),
           typology_id = (SELECT id FROM typologies WHERE tenant_id = ${tenant.tenant.id} ORDER BY position LIMIT 1),
           taken_at = now() - interval '10 minutes', connected_at = now() - interval '9 minutes', ended_at = now() - interval '1 minute', closed_at = now()
     WHERE id = ${attention.id}`);
  const citizen = await page.context().newPage();
  await citizen.goto(`/${slug}/survey/room/${roomToken}?lang=ca`);
  await expect(citizen.getByRole('heading', { level: 1 })).toHaveText('Com ha anat?');
  const waiting = citizen.getByRole('group', { name: "Com valoreu el temps d'espera?" });
  await expect(waiting.getByRole('radio')).toHaveCount(11);
  await expectNoAxeViolations(citizen, 'survey with an own question');

  for (const [name, value] of [
    ["Us ha agradat l'atenció que heu rebut?", 8],
    ['Us ha resultat fàcil?', 9],
  ] as const) {
    await citizen.getByRole('group', { name }).getByRole('radio', { name: String(value), exact: true }).check();
  }
  await citizen.getByRole('radio', { name: 'Sí' }).check();
  await tabTo(citizen, waiting.getByRole('radio').first());
  for (let i = 0; i < 4; i++) await citizen.keyboard.press('ArrowRight');
  await expect(waiting.getByRole('radio', { name: '4', exact: true })).toBeChecked();
  await tabTo(citizen, citizen.getByRole('button', { name: 'Envia les respostes' }));
  await citizen.keyboard.press('Enter');
  await expect(citizen.getByRole('heading', { level: 1 })).toHaveText('Gràcies per les vostres respostes');
  expect(new URL(citizen.url()).pathname).toBe(`/${slug}/survey/thanks`);

  const [answer] = await db.rows<{ liked: number; easy: number; again: boolean; answers: Record<string, unknown> }>(sql`
    SELECT liked, easy, again, answers FROM survey_responses WHERE attention_id = ${attention.id}`);
  expect(answer).toEqual({ liked: 8, easy: 9, again: true, answers: { espera: 4 } });
  const [counted] = await db.rows<{ n: number }>(sql`
    SELECT sum((counts->>'sq:espera:4')::int)::int AS n FROM indicator_rollups WHERE tenant_id = ${tenant.tenant.id} AND grain = 'month'
       AND agent_key = ${ALL_AGENTS} AND procedure_id <> ${ALL_PROCEDURES}`);
  expect(counted.n).toBe(1);
  await citizen.close();
});
