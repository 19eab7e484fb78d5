import { sql } from 'drizzle-orm';
import { joinQueue } from '../../server/modules/attention/join-queue.js';
import { expect, expectNoAxeViolations, tabTo, test } from '../support/fixtures.js';

test('after the attention a citizen answers the satisfaction survey by keyboard; a second answer is refused', async ({ page, tenant, env }) => {
  const slug = tenant.tenant.slug;
  const db = env.db;
  const [procedure] = await db.rows<{ code: string }>(sql`
    SELECT code FROM procedures WHERE tenant_id = ${tenant.tenant.id} AND 'video' = ANY(channels) ORDER BY position LIMIT 1`);
  const { attention, token: roomToken } = await joinQueue(
    { database: db },
    { tenant: tenant.tenant, input: { procedure: procedure.code, channel: 'video', name: 'Rosa Vidal', email: `rosa.${slug}@example.com`, language: 'ca', priority: [], privacyAccepted: true, accessibility: { needs: [] } } },
  );
  // the attention took place and was closed by an agent
  await db.rows(sql`
    UPDATE attentions SET status = 'closed', outcome = 'resolved',
           agent_id = (SELECT id FROM staff WHERE tenant_id = ${tenant.tenant.id} ORDER BY email LIMIT 1),
           typology_id = (SELECT id FROM typologies WHERE tenant_id = ${tenant.tenant.id} ORDER BY position LIMIT 1),
           taken_at = now() - interval '10 minutes', connected_at = now() - interval '9 minutes', ended_at = now() - interval '1 minute', closed_at = now()
     WHERE id = ${attention.id}`);

  // the end screen's link: the citizen's own room pass leads to the survey
  await page.goto(`/${slug}/survey/room/${roomToken}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Com ha anat?');
  await expectNoAxeViolations(page, 'survey');

  // sending nothing lists every missing answer
  await tabTo(page, page.getByRole('button', { name: 'Envia les respostes' }));
  await page.keyboard.press('Enter');
  const summary = page.getByRole('alert');
  await expect(summary).toContainText('Trieu un número del 0 al 10');
  await expectNoAxeViolations(page, 'survey with errors');

  const liked = page.getByRole('group', { name: "Us ha agradat l'atenció que heu rebut?" });
  await tabTo(page, liked.getByRole('radio').first());
  for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowRight');
  await expect(liked.getByRole('radio', { name: '9' })).toBeChecked();
  const easy = page.getByRole('group', { name: 'Us ha resultat fàcil?' });
  await tabTo(page, easy.getByRole('radio').first());
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
  await expect(easy.getByRole('radio', { name: '10' })).toBeChecked();
  await tabTo(page, page.getByRole('radio', { name: 'Sí' }));
  await page.keyboard.press('Space');
  await tabTo(page, page.getByLabel('Voleu dir-nos alguna cosa més? (opcional)'));
  await page.keyboard.type('Molt amables, gràcies.');
  await tabTo(page, page.getByRole('button', { name: 'Envia les respostes' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Gràcies per les vostres respostes');
  await expectNoAxeViolations(page, 'survey thanks');
  // the answer was posted once: refreshing the thank-you page sends nothing again
  expect(new URL(page.url()).pathname).toBe(`/${slug}/survey/thanks`);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Gràcies per les vostres respostes');

  const [answer] = await db.rows<{ liked: number; easy: number; again: boolean; comment: string }>(sql`SELECT liked, easy, again, comment FROM survey_responses WHERE attention_id = ${attention.id}`);
  expect(answer).toEqual({ liked: 9, easy: 10, again: true, comment: 'Molt amables, gràcies.' });

  // the same link again: already answered, and still one invitation from the room
  await page.goto(`/${slug}/survey/room/${roomToken}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Gràcies, ja tenim la vostra resposta');
  expect(await db.rows(sql`SELECT 1 FROM survey_responses WHERE attention_id = ${attention.id}`)).toHaveLength(1);
  // the close wrote no emailed link here (the status was set directly): the one row is the end screen's
  expect(await db.rows(sql`SELECT 1 FROM survey_invitations WHERE attention_id = ${attention.id}`)).toHaveLength(1);
});
