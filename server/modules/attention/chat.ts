/** The in-call text chat: kept with the attention so a reconnecting participant sees what was said. */
import { sql } from 'drizzle-orm';
import type { AttentionDeps } from './attention-context.js';

export type ChatRow = { id: string; role: 'agent' | 'citizen' | 'guest'; text: string; at: string };

export async function postChat(deps: AttentionDeps, o: { tenantId: string; attentionId: string; role: ChatRow['role']; text: string }): Promise<ChatRow> {
  const [row] = await deps.database.rows<{ id: string; created_at: Date | string }>(sql`
    INSERT INTO chat_messages (tenant_id, attention_id, author_role, body)
    VALUES (${o.tenantId}, ${o.attentionId}, ${o.role}, ${o.text}) RETURNING id, created_at`);
  return { id: row.id, role: o.role, text: o.text, at: new Date(row.created_at).toISOString() };
}

export async function listChat(deps: AttentionDeps, o: { tenantId: string; attentionId: string }): Promise<ChatRow[]> {
  const rows = await deps.database.rows<{ id: string; role: ChatRow['role']; text: string; at: Date | string }>(sql`
    SELECT id, author_role AS role, body AS text, created_at AS at FROM chat_messages
     WHERE tenant_id = ${o.tenantId} AND attention_id = ${o.attentionId} ORDER BY created_at, id LIMIT 500`);
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}
