/**
 * The identity step of a formal attention on both databases: ID captures
 * stored encrypted as accepted id_front/id_back documents of the attention,
 * every refusal with its code (names, DNI/NIE/CIF control characters, face,
 * images missing, swapped or of another attention, another agent, an attention
 * not in progress, another town hall), and the check with its audit event
 * holding no name or number. A later check replaces the earlier.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entriesOfAttention } from '../server/modules/audit/audit.repository.js';
import { verifyAuditChain } from '../server/modules/audit/verify-audit-chain.js';
import { DATABASE_KINDS, type TestDatabase } from './support/databases.js';
import { closeAttention, formalAttention, PNG } from './support/filing-fixtures.js';
import { api, apiSession, seedTenant, startTestServer, type TestServer } from './support/test-server.js';
import { useDatabase } from './support/use-database.js';

const PASSWORD = 'correct horse battery staple';

describe.each(DATABASE_KINDS)('identity check on %s', (kind) => {
  const state = useDatabase(kind);
  let db: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    if (state.skip) return;
    db = state.db;
    server = await startTestServer(db, { LIVE_SWEEP_SECONDS: '3600' });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function town() {
    const seed = await seedTenant(db);
    const slug = seed.tenant.slug;
    const signIn = (who: string) => apiSession(server.base, slug, `${who}@${slug}.example`, PASSWORD);
    return { ...seed, slug, agent1: await signIn('agent1'), agent2: await signIn('agent2'), supervisor: await signIn('supervisor') };
  }

  async function upload(slug: string, attentionId: string, side: string, session: Record<string, string>, body: Buffer = PNG, type = 'image/png') {
    const res = await fetch(`${server.base}/api/v1/tenants/${slug}/attentions/${attentionId}/identity/images/${side}`, {
      method: 'POST',
      headers: { ...session, 'content-type': type },
      body: new Uint8Array(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  }

  async function images(slug: string, attentionId: string, session: Record<string, string>) {
    const front = await upload(slug, attentionId, 'front', session);
    const back = await upload(slug, attentionId, 'back', session);
    expect(front.status).toBe(201);
    expect(back.status).toBe(201);
    return { frontDocumentId: front.json.documentId as string, backDocumentId: back.json.documentId as string };
  }

  const identityPath = (slug: string, id: string) => `/api/v1/tenants/${slug}/attentions/${id}/identity`;

  it('stores the captures, refuses each bad input with its code, records the check with an audit event without personal data', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const att = await formalAttention(db, { tenant: a.tenant, agentEmail: `agent1@${a.slug}.example` });
    const imgs = await images(a.slug, att.attentionId, a.agent1);
    const docs = await db.rows<{ id: string; kind: string; status: string; attention_id: string | null; uploaded_by: string; content_type: string; storage_key: string; file_name: string }>(sql`
      SELECT id, kind, status, attention_id, uploaded_by, content_type, storage_key, file_name FROM documents WHERE tenant_id = ${a.tenant.id} ORDER BY kind`);
    expect(docs).toHaveLength(2);
    for (const d of docs) {
      expect(d).toMatchObject({ status: 'accepted', attention_id: att.attentionId, uploaded_by: att.agentId, content_type: 'image/png' });
      expect(d.storage_key.startsWith(`${a.tenant.id}/`)).toBe(true);
    }
    expect(docs.map((d) => d.kind).sort()).toEqual(['id_back', 'id_front']);

    // images that are not images, the wrong declared type, an unknown side, an empty body
    expect((await upload(a.slug, att.attentionId, 'front', a.agent1, Buffer.from('%PDF-1.4 not an image'.repeat(300)))).json.code).toBe('file_type_not_allowed');
    expect((await upload(a.slug, att.attentionId, 'front', a.agent1, PNG, 'text/plain')).status).toBe(415);
    expect((await upload(a.slug, att.attentionId, 'side', a.agent1)).status).toBe(400);
    expect((await upload(a.slug, att.attentionId, 'front', a.agent1, Buffer.alloc(0))).json.code).toBe('file_empty');
    // an empty capture sent with no type at all (canvas.toBlob gave nothing) is an empty file too, not a wrong type
    const bare = await fetch(`${server.base}/api/v1/tenants/${a.slug}/attentions/${att.attentionId}/identity/images/front`, { method: 'POST', headers: { ...a.agent1 } });
    expect([bare.status, ((await bare.json()) as { code: string }).code]).toEqual([422, 'file_empty']);
    // over 10 MB
    const huge = await upload(a.slug, att.attentionId, 'front', a.agent1, Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]));
    expect([huge.status, huge.json.code]).toEqual([413, 'payload_too_large']);
    // another agent's attention; no CSRF header
    expect((await upload(a.slug, att.attentionId, 'front', a.agent2)).json.code).toBe('forbidden');
    expect((await upload(a.slug, att.attentionId, 'front', { cookie: a.agent1.cookie })).json.code).toBe('csrf_failed');

    const good = { fullName: '  Núria   Prats i Vila ', idNumber: '12.345.678-z', faceConfirmed: true, ...imgs };
    const post = (body: unknown, session = a.agent1) => api(server.base, 'POST', identityPath(a.slug, att.attentionId), body, session);
    const refused = async (body: unknown, code: string, status = 422) => {
      const r = await post(body);
      expect(r.json.code, JSON.stringify(body)).toBe(code);
      expect(r.status).toBe(status);
    };
    await refused({ ...good, fullName: '' }, 'identity_name_required');
    await refused({ ...good, fullName: ' A ' }, 'identity_name_required');
    await refused({ ...good, fullName: 'x'.repeat(201) }, 'identity_name_required');
    await refused({ ...good, fullName: 'Núria\u0007Prats' }, 'identity_name_required');
    await refused({ ...good, idNumber: '12345678A' }, 'invalid_tax_id'); // the letter of 12345678 is Z
    await refused({ ...good, idNumber: 'X1234567A' }, 'invalid_tax_id'); // NIE: L
    await refused({ ...good, idNumber: 'B12345675' }, 'invalid_tax_id'); // CIF: 4
    await refused({ ...good, idNumber: 'hello' }, 'invalid_tax_id');
    await refused({ ...good, faceConfirmed: false }, 'face_not_confirmed');
    await refused({ ...good, frontDocumentId: imgs.backDocumentId, backDocumentId: imgs.frontDocumentId }, 'identity_images_missing');
    await refused({ ...good, frontDocumentId: crypto.randomUUID() }, 'identity_images_missing');
    await refused({ ...good, backDocumentId: 'not-a-uuid' }, 'identity_images_missing');
    await refused({ ...good, backDocumentId: imgs.frontDocumentId }, 'identity_images_missing');
    // malformed bodies never answer 500
    for (const body of [{}, [], 'x', { ...good, faceConfirmed: 'yes' }, { ...good, fullName: 5 }]) expect((await post(body)).status).toBe(400);
    expect((await post(good, a.agent2)).json.code).toBe('forbidden');
    expect(await db.rows(sql`SELECT 1 FROM identity_checks WHERE tenant_id = ${a.tenant.id}`)).toHaveLength(0);

    // another attention's images do not count for this one
    await closeAttention(db, a.tenant.id, att.attentionId);
    const other = await formalAttention(db, { tenant: a.tenant, agentEmail: `agent1@${a.slug}.example`, via: 'appointment' });
    const otherImgs = await images(a.slug, other.attentionId, a.agent1);
    const inAppointment = await db.rows<{ appointment_id: string | null; attention_id: string | null }>(sql`SELECT appointment_id, attention_id FROM documents WHERE id = ${otherImgs.frontDocumentId}`);
    expect(inAppointment[0]).toEqual({ appointment_id: other.appointmentId, attention_id: null });
    const otherPost = (body: unknown) => api(server.base, 'POST', identityPath(a.slug, other.attentionId), body, a.agent1);
    expect((await otherPost({ ...good, ...imgs })).json.code).toBe('identity_images_missing');
    // the first attention is closed now
    expect((await post(good)).json.code).toBe('attention_not_active');
    expect((await upload(a.slug, att.attentionId, 'front', a.agent1)).json.code).toBe('attention_not_active');

    const ok = await otherPost({ ...good, ...otherImgs });
    expect(ok.status).toBe(201);
    expect(ok.json).toEqual({ identityCheckId: expect.any(String), idKind: 'dni' });
    const [row] = await db.rows<{ full_name: string; id_number: string; id_kind: string; checked_by: string; face_confirmed: boolean }>(sql`
      SELECT full_name, id_number, id_kind, checked_by, face_confirmed FROM identity_checks WHERE tenant_id = ${a.tenant.id} AND id = ${ok.json.identityCheckId}`);
    expect(row).toEqual({ full_name: 'Núria Prats i Vila', id_number: '12345678Z', id_kind: 'dni', checked_by: other.agentId, face_confirmed: true });

    const audit = await entriesOfAttention(db.db, a.tenant.id, other.attentionId);
    const checked = audit.filter((e) => e.event === 'identity_checked');
    expect(checked).toHaveLength(1);
    expect(checked[0]).toMatchObject({
      actor_kind: 'staff',
      actor_staff_id: other.agentId,
      subjects: { attention: other.attentionId, identityCheck: ok.json.identityCheckId, frontDocument: otherImgs.frontDocumentId, backDocument: otherImgs.backDocumentId },
      data: { idKind: 'dni', faceConfirmed: true },
    });
    const text = JSON.stringify(checked[0]);
    expect(text).not.toContain('12345678');
    expect(text).not.toContain('Prats');

    // a NIE, then a CIF: the later check replaces the earlier one for the filing
    const nie = await otherPost({ ...good, ...otherImgs, idNumber: 'x-1234567-l' });
    expect(nie.json.idKind).toBe('nie');
    const cif = await otherPost({ ...good, ...otherImgs, fullName: 'Fusteria Prats SL', idNumber: 'B12345674' });
    expect(cif.json.idKind).toBe('cif');
    const state1 = await api(server.base, 'GET', `/api/v1/tenants/${a.slug}/attentions/${other.attentionId}/filing`, undefined, a.agent1);
    expect(state1.status).toBe(200);
    expect(state1.json.identity).toMatchObject({ id: cif.json.identityCheckId, idKind: 'cif' });
    expect(await verifyAuditChain(db, a.tenant.id)).toMatchObject({ ok: true });
  });

  it('keeps town halls apart: another town hall’s staff cannot see or use an attention', async (t) => {
    if (state.skip) return t.skip();
    const a = await town();
    const b = await town();
    const att = await formalAttention(db, { tenant: a.tenant, agentEmail: `agent1@${a.slug}.example` });
    // b's session on b's slug: the attention is not theirs to find
    expect((await upload(b.slug, att.attentionId, 'front', b.supervisor)).json.code).toBe('attention_not_found');
    expect((await api(server.base, 'GET', `/api/v1/tenants/${b.slug}/attentions/${att.attentionId}/filing`, undefined, b.supervisor)).json.code).toBe('attention_not_found');
    // b's session on a's slug: not signed in there
    expect((await upload(a.slug, att.attentionId, 'front', b.supervisor)).status).toBe(401);
    // a's images are not b's documents
    const imgs = await images(a.slug, att.attentionId, a.agent1);
    const bAtt = await formalAttention(db, { tenant: b.tenant, agentEmail: `agent1@${b.slug}.example` });
    const r = await api(server.base, 'POST', identityPath(b.slug, bAtt.attentionId), { fullName: 'Núria Prats', idNumber: '12345678Z', faceConfirmed: true, ...imgs }, b.agent1);
    expect(r.json.code).toBe('identity_images_missing');
    // a supervisor may do the step on any attention of their own town hall
    const bySupervisor = await api(server.base, 'POST', identityPath(a.slug, att.attentionId), { fullName: 'Núria Prats', idNumber: '12345678Z', faceConfirmed: true, ...imgs }, a.supervisor);
    expect(bySupervisor.status).toBe(201);
  });
});
