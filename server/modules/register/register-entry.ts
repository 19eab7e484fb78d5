/**
 * Gives a filed request its register number (registre d'entrada), INSIDE the
 * transaction that files it: the number, the entry row and the audit event
 * `entry_registered` commit or roll back together with the filing. Numbers run
 * 1, 2, 3… per tenant and registration year (the year in the tenant's time
 * zone) without gaps or repeats, whatever the number of processes: the
 * counter row's lock (register.repository.ts) serialises filers until commit,
 * and a filing that rolls back gives its number back.
 *
 * Before the counter, this takes the tenant's audit lock (the one appendAudit
 * takes anyway, held to commit). That fixes one lock order for every filer,
 * so a filing that appended an audit entry earlier in its transaction (e.g.
 * consent_given) cannot deadlock with another filer; and because the time is
 * read once it is this filing's turn, registration times never go down as
 * numbers go up. Call it late in the filing transaction: the tenant's other
 * legal events wait for the commit.
 */
import { appendAudit } from '../audit/append-audit.js';
import { lockTenantChain } from '../audit/audit.repository.js';
import { formatRegisterCode } from './register-code.js';
import { registerEntryInput, type RegisterEntryInput } from './register.schemas.js';
import { insertRegisterEntry, nextRegisterNumber, type RegisterEntry, type RegisterTx } from './register.repository.js';

export type { RegisterEntry } from './register.repository.js';

export async function registerEntry(tx: RegisterTx, input: RegisterEntryInput): Promise<RegisterEntry> {
  const parsed = registerEntryInput.safeParse(input);
  if (!parsed.success) {
    // programming error; the message names fields, never values
    throw new Error(`invalid register entry: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  }
  const o = parsed.data;
  await lockTenantChain(tx, o.tenantId);
  const { year, number, registeredAt } = await nextRegisterNumber(tx, { tenantId: o.tenantId, timeZone: o.timeZone, at: o.at });
  const code = formatRegisterCode(year, number);
  const entry = await insertRegisterEntry(tx, {
    tenantId: o.tenantId,
    year,
    number,
    code,
    registeredAt,
    attentionId: o.attentionId ?? null,
    procedureId: o.procedureId,
    officialId: o.officialId,
    requestSha256: o.requestSha256,
  });
  await appendAudit(tx, {
    tenantId: o.tenantId,
    event: 'entry_registered',
    actor: { kind: 'staff', staffId: o.officialId },
    subjects: { registerEntry: entry.id, procedure: o.procedureId, ...(o.attentionId ? { attention: o.attentionId } : {}) },
    data: { code },
  });
  return entry;
}
