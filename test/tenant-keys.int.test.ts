import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { pgErrorCode } from '../server/db/client.js';
import { joinQueue } from '../server/modules/attention/join-queue.js';
import { DATABASE_KINDS } from './support/databases.js';
import { useDatabase } from './support/use-database.js';
import { smallTenant } from './support/test-server.js';

/** Whatever the code does, the database refuses a row that points into another town hall. */
describe.each(DATABASE_KINDS)('tenant-scoped references on %s', (kind) => {
  const state = useDatabase(kind);

  it('refuses attentions, chat and recordings that refer to another town hall', async (t) => {
    if (state.skip) return t.skip();
    const db = state.db;
    const one = await smallTenant(db);
    const two = await smallTenant(db);
    const code = async (q: ReturnType<typeof sql>) => {
      try {
        await db.rows(q);
        return 'ok';
      } catch (e) {
        return pgErrorCode(e);
      }
    };
    // an attention of town hall one for a procedure of town hall two
    expect(await code(sql`
      INSERT INTO attentions (tenant_id, procedure_id, channel, citizen_name, email, language)
      VALUES (${one.tenant.id}, ${two.procedure.id}, 'video', 'X', 'x@example.com', 'ca')`)).toBe('23503');
    const { attention } = await joinQueue(
      { database: db },
      { tenant: one.tenant, input: { procedure: 'tramit', channel: 'video', name: 'Anna', email: 'anna@example.com', language: 'ca', priority: [], privacyAccepted: true, accessibility: { needs: [] } } },
    );
    // taken by another town hall's agent
    expect(await code(sql`UPDATE attentions SET status = 'in_progress', agent_id = ${two.agents[0].id}, taken_at = now() WHERE id = ${attention.id}`)).toBe('23503');
    // chat and recordings filed under the other town hall
    expect(await code(sql`INSERT INTO chat_messages (tenant_id, attention_id, author_role, body) VALUES (${two.tenant.id}, ${attention.id}, 'agent', 'hola')`)).toBe('23503');
    expect(await code(sql`INSERT INTO recordings (tenant_id, attention_id, consent_at, consent_text) VALUES (${two.tenant.id}, ${attention.id}, now(), 'sí')`)).toBe('23503');
    // and the same rows within one town hall are fine
    expect(await code(sql`INSERT INTO chat_messages (tenant_id, attention_id, author_role, body) VALUES (${one.tenant.id}, ${attention.id}, 'agent', 'hola')`)).toBe('ok');
  });
});
