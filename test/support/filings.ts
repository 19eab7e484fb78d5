/**
 * Formal attentions and filed requests written straight into the database,
 * for the receipt, filing, package and hand-off tests and the benchmarks:
 *
 * - `prepareFormalAttention` — everything a filing rests on: a town hall (or
 *   the one given) with a procedure that has a request form, an authorised
 *   official, a booked appointment with its attention and the citizen's room
 *   pass, accepted documents (stored encrypted when a FileStore is given), the
 *   identity check with its ID images, and the consent to the form data.
 * - `insertFiling` — the filing transaction as modules/filing/file-request.ts
 *   does it: registerEntry, the `filings` row (only the CSV's hash) and the
 *   `seal_receipt` job with the plain CSV, all committed together.
 * - `filedRequest` — both.
 */
import { createHash, randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { sql } from 'drizzle-orm';
import type { Language } from '../../shared/domain.js';
import type { Database } from '../../server/db/client.js';
import { issuePass } from '../../server/modules/attention/room-passes.js';
import { csvLookupKey, newCsvCode } from '../../server/modules/evidence/csv-code.js';
import { grantOfficial } from '../../server/modules/officials/officials.js';
import { withFieldOrder } from '../../server/modules/filing/request-schema.js';
import { registerEntry } from '../../server/modules/register/register-entry.js';
import type { FileStore } from '../../server/storage/encrypted-files.js';
import { insertAppointment } from './appointments.js';
import { smallTenant } from './test-server.js';

type Town = Awaited<ReturnType<typeof smallTenant>>;

/** A request form using every feature of the schema subset: localized titles, enum titles, integer, boolean, date, plain title, bare name. */
export const TEST_REQUEST_SCHEMA = {
  type: 'object',
  properties: {
    street: { type: 'string', title: 'Street', 'x-title': { ca: 'Adreça de l’obra', es: 'Dirección de la obra', en: 'Address of the works' }, maxLength: 200 },
    kind: {
      type: 'string',
      enum: ['minor', 'major'],
      'x-title': { ca: 'Tipus d’obra', es: 'Tipo de obra', en: 'Kind of works' },
      'x-enum-titles': { ca: ['Obra menor', 'Obra major'], es: ['Obra menor', 'Obra mayor'], en: ['Minor works', 'Major works'] },
    },
    budget: { type: 'integer', 'x-title': { ca: 'Pressupost (€)', es: 'Presupuesto (€)', en: 'Budget (€)' }, minimum: 0 },
    scaffolding: { type: 'boolean', 'x-title': { ca: 'Cal bastida', es: 'Necesita andamio', en: 'Scaffolding needed' } },
    startDate: { type: 'string', format: 'date', title: 'Start date' },
    notes: { type: 'string', multiline: true },
  },
  required: ['street', 'kind'],
} as const;

export const TEST_FORM_DATA = { street: 'Carrer Major, 12', kind: 'minor', budget: 12500, scaffolding: true, startDate: '2026-05-04', notes: 'Façana i balcons' };

/** SHA-256 (hex) of the RFC 8785 canonical JSON of form data (what the consent and the register entry hold). */
export function testFormSha256(formData: unknown): string {
  const text = canonicalize(formData);
  if (text === undefined) throw new Error('form data cannot be canonicalized');
  return createHash('sha256').update(text).digest('hex');
}

export type TestDocument = { kind?: 'citizen' | 'handout'; fileName: string; contentType: string; content: Buffer };

export const TEST_DOCUMENTS: TestDocument[] = [
  { fileName: 'plànol-façana.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4\n% plànol de prova\n%%EOF\n') },
  { fileName: 'foto-balcó.jpg', contentType: 'image/jpeg', content: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(3000, 7)]) },
  { kind: 'handout', fileName: 'model-autoliquidacio.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4\n% model\n%%EOF\n') },
];

export type FormalAttention = Town & {
  official: Town['agents'][number];
  appointmentId: string;
  attentionId: string;
  /** The citizen's room pass token (`/{slug}/room/{token}`). */
  passToken: string;
  identityCheckId: string;
  consentId: string;
  documents: Array<{ id: string; kind: 'citizen' | 'handout'; fileName: string; sha256: string; bytes: number }>;
  formData: Record<string, unknown>;
  formSha256: string;
  citizen: { name: string; idNumber: string; email: string | null; phone: string | null; language: Language };
};

async function insertDocument(
  database: Database,
  o: { tenantId: string; appointmentId: string; kind: 'citizen' | 'handout' | 'id_front' | 'id_back'; fileName: string; contentType: string; content: Buffer; staffId: string; files?: FileStore },
) {
  const id = randomUUID();
  const key = `${o.tenantId}/documents/${id}/content.enc`;
  const written = o.files ? await o.files.write(o.tenantId, key, o.content) : { bytes: o.content.length, sha256: createHash('sha256').update(o.content).digest('hex') };
  const byStaff = o.kind !== 'citizen';
  await database.rows(sql`
    INSERT INTO documents (id, tenant_id, appointment_id, kind, file_name, declared_bytes, content_type, bytes, sha256, storage_key, status,
      reviewed_by, reviewed_at, uploaded_by, completed_at)
    VALUES (${id}, ${o.tenantId}, ${o.appointmentId}, ${o.kind}, ${o.fileName}, ${written.bytes}, ${o.contentType}, ${written.bytes}, ${written.sha256}, ${key},
      'accepted', ${o.staffId}, now() - interval '1 second', ${byStaff ? o.staffId : null}, now() - interval '2 seconds')`);
  return { id, sha256: written.sha256, bytes: written.bytes };
}

/**
 * A formal attention ready to be filed. `status: 'closed'` lets one agent have
 * many (the one-attention-in-course-per-agent index), e.g. in benchmarks.
 */
export async function prepareFormalAttention(
  database: Database,
  o: {
    town?: Town;
    language?: Language;
    citizenName?: string;
    idNumber?: string;
    email?: string | null;
    phone?: string | null;
    formData?: Record<string, unknown>;
    documents?: TestDocument[];
    /** Store the documents' bytes encrypted (needed by anything that reads them, e.g. the evidence package). */
    files?: FileStore;
    status?: 'in_progress' | 'closed';
    /** Grant the agent a place in the register of authorised officials (default true). */
    grantOfficial?: boolean;
    /** Which of the town's agents attends and files (default the first). */
    agentIndex?: number;
  } = {},
): Promise<FormalAttention> {
  const town = o.town ?? (await smallTenant(database));
  const tenantId = town.tenant.id;
  const official = town.agents[o.agentIndex ?? 0];
  if (!official) throw new Error(`prepareFormalAttention: the town has no agent ${o.agentIndex}`);
  await database.rows(sql`UPDATE procedures SET request_schema = ${JSON.stringify(withFieldOrder(TEST_REQUEST_SCHEMA))}::jsonb WHERE tenant_id = ${tenantId} AND id = ${town.procedure.id}`);
  if (o.grantOfficial !== false) {
    const [granted] = await database.rows(sql`SELECT 1 FROM authorised_officials WHERE tenant_id = ${tenantId} AND staff_id = ${official.id} AND revoked_at IS NULL`);
    if (!granted) await grantOfficial({ db: database.db, tenantId, input: { staffId: official.id, appointmentAct: 'Decret 123/2026', validFrom: '2000-01-01', validUntil: null } });
  }
  const language = o.language ?? 'ca';
  const citizen = {
    name: o.citizenName ?? 'Núria Prats i Vilà',
    idNumber: o.idNumber ?? '12345678Z',
    email: o.email === undefined ? `c-${randomUUID().slice(0, 8)}@example.com` : o.email,
    phone: o.phone === undefined ? '+34612345678' : o.phone,
    language,
  };
  // one agent is never booked twice at once: each further appointment of the agent goes 40 minutes earlier
  const [{ n }] = await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM appointments WHERE tenant_id = ${tenantId} AND agent_id = ${official.id}`);
  const startsAt = new Date(Date.now() - (10 + 40 * Number(n)) * 60_000);
  const appointment = await insertAppointment(database, {
    tenantId,
    procedureId: town.procedure.id,
    channel: 'video',
    startsAt,
    agentId: official.id,
    citizenName: citizen.name,
    email: citizen.email,
    phone: citizen.phone,
    language,
  });
  const attentionId = randomUUID();
  const closed = o.status === 'closed';
  await database.rows(sql`
    INSERT INTO attentions (id, tenant_id, appointment_id, procedure_id, channel, status, language, agent_id, queued_at, due_at, taken_at, connected_at,
      ended_at, closed_at, typology_id, outcome)
    VALUES (${attentionId}, ${tenantId}, ${appointment.id}, ${town.procedure.id}, 'video', ${closed ? 'closed' : 'in_progress'}, ${language}, ${official.id},
      ${startsAt.toISOString()}::timestamptz, ${startsAt.toISOString()}::timestamptz, now() - interval '5 minutes', now() - interval '5 minutes',
      ${closed ? sql`now()` : sql`NULL`}, ${closed ? sql`now()` : sql`NULL`},
      ${closed ? sql`(SELECT id FROM typologies WHERE tenant_id = ${tenantId} ORDER BY position LIMIT 1)` : sql`NULL`}, ${closed ? 'resolved' : null})`);
  const passToken = await issuePass({ database }, { tenantId, role: 'citizen', appointmentId: appointment.id, ttlMinutes: 240 });

  const documents: FormalAttention['documents'] = [];
  for (const d of o.documents ?? TEST_DOCUMENTS) {
    const kind = d.kind ?? 'citizen';
    const stored = await insertDocument(database, { tenantId, appointmentId: appointment.id, kind, fileName: d.fileName, contentType: d.contentType, content: d.content, staffId: official.id, files: o.files });
    documents.push({ id: stored.id, kind, fileName: d.fileName, sha256: stored.sha256, bytes: stored.bytes });
  }
  const image = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 1)]);
  const front = await insertDocument(database, { tenantId, appointmentId: appointment.id, kind: 'id_front', fileName: 'id-front.jpg', contentType: 'image/jpeg', content: image, staffId: official.id, files: o.files });
  const back = await insertDocument(database, { tenantId, appointmentId: appointment.id, kind: 'id_back', fileName: 'id-back.jpg', contentType: 'image/jpeg', content: image, staffId: official.id, files: o.files });

  const identityCheckId = randomUUID();
  await database.rows(sql`
    INSERT INTO identity_checks (id, tenant_id, attention_id, full_name, id_kind, id_number, face_confirmed, front_document_id, back_document_id, checked_by, checked_at)
    VALUES (${identityCheckId}, ${tenantId}, ${attentionId}, ${citizen.name}, 'dni', ${citizen.idNumber}, true, ${front.id}, ${back.id}, ${official.id}, now() - interval '3 minutes')`);
  const formData = o.formData ?? { ...TEST_FORM_DATA };
  const formSha256 = testFormSha256(formData);
  const consentId = randomUUID();
  await database.rows(sql`
    INSERT INTO filing_consents (id, tenant_id, attention_id, form_sha256, language, text_shown, given_at)
    VALUES (${consentId}, ${tenantId}, ${attentionId}, ${formSha256}, ${language}, 'Consento que es presenti aquesta sol·licitud en el meu nom.', now() - interval '1 minute')`);
  return { ...town, official, appointmentId: appointment.id, attentionId, passToken, identityCheckId, consentId, documents, formData, formSha256, citizen };
}

export type InsertedFiling = { filingId: string; registerCode: string; registeredAt: Date; csv: string; jobId: string };

/** Files the prepared attention in one transaction, as the filing use case does: entry, filing, seal_receipt job. */
export async function insertFiling(
  database: Database,
  f: FormalAttention,
  o: { csv?: string; maxAttempts?: number; /** When the seal_receipt job may run (default now); later keeps a running worker off it. */ sealAt?: Date } = {},
): Promise<InsertedFiling> {
  const csv = o.csv ?? newCsvCode();
  return database.db.transaction(async (tx) => {
    const entry = await registerEntry(tx, {
      tenantId: f.tenant.id,
      timeZone: f.tenant.timeZone,
      attentionId: f.attentionId,
      procedureId: f.procedure.id,
      officialId: f.official.id,
      requestSha256: f.formSha256,
    });
    const filingId = randomUUID();
    await tx.execute(sql`
      INSERT INTO filings (id, tenant_id, attention_id, procedure_id, identity_check_id, consent_id, official_id, register_entry_id, form_data, form_sha256, language, csv_hash)
      VALUES (${filingId}, ${f.tenant.id}, ${f.attentionId}, ${f.procedure.id}, ${f.identityCheckId}, ${f.consentId}, ${f.official.id}, ${entry.id},
        ${JSON.stringify(f.formData)}::jsonb, ${f.formSha256}, ${f.citizen.language}, ${csvLookupKey(csv)})`);
    const job = (await tx.execute(sql`
      INSERT INTO jobs (tenant_id, type, payload, max_attempts, run_at)
      VALUES (${f.tenant.id}, 'seal_receipt', ${JSON.stringify({ filingId, csv })}::jsonb, ${o.maxAttempts ?? 8}, ${(o.sealAt ?? new Date()).toISOString()}::timestamptz)
      RETURNING id`)) as unknown as { rows: { id: string }[] };
    return { filingId, registerCode: entry.code, registeredAt: entry.registeredAt, csv, jobId: job.rows[0].id };
  });
}

/** A formal attention and its filing (the seal_receipt job queued, not run). */
export async function filedRequest(database: Database, o: Parameters<typeof prepareFormalAttention>[1] & { csv?: string; sealAt?: Date } = {}) {
  const attention = await prepareFormalAttention(database, o);
  const filing = await insertFiling(database, attention, { csv: o.csv, sealAt: o.sealAt });
  return { ...attention, ...filing };
}
