/**
 * Builds a sealed filing's evidence package (the `build_package` job): every
 * part's SHA-256 (stored files are read through once, decrypted, and must
 * match the hash kept when they were stored), the JSON parts and one ENI XML
 * per part written encrypted, the manifest (canonical JSON) and its detached
 * CAdES seal. Then, in one transaction, the `handoffs` row (made pending,
 * without a manifest, when the receipt was sealed) gets its manifest and the
 * `deliver_package` job is queued. Running it again after a success does
 * nothing; after a crash it builds again under a new build id (the leftovers
 * go at purge). A build that fails for good marks the hand-off `failed`
 * (`markBuildFailed`), for supervisors to see and retry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { enqueueJob } from '../../jobs/outbox.repository.js';
import type { FileStore } from '../../storage/encrypted-files.js';
import { eniDocumentXml } from '../evidence/eni-metadata.js';
import type { Sealer } from '../sealing/sealer.js';
import { packageFileKey, type IndexedFile, type PackageIndex } from './package-files.js';
import { MANIFEST_ENI_PATH, MANIFEST_PATH, MANIFEST_SEAL_PATH, type Manifest, type ManifestPart } from './manifest.js';
import { eniFormatOf, json, planParts, registerLocalId, type PlannedPart } from './package-parts.js';
import { auditTrail, completeRecordings, consent, filingContext, identityCheck, packageDocuments, type FilingContext } from './package-sources.js';

export type BuildPackageDeps = {
  database: Database;
  files: () => Promise<FileStore>;
  sealer: () => Promise<Sealer>;
  /** Attempts of the deliver_package job (retries with exponential backoff). */
  deliverMaxAttempts: number;
  kickJobs?: () => void;
};

export type BuildResult = { status: 'built' | 'already_built'; manifestSha256: string };

/** Thrown while the filing cannot be packaged yet (its receipt is not sealed): the job retries. */
export class PackageNotReady extends Error {
  constructor(reason: string) {
    super(`package not ready: ${reason}`);
    this.name = 'PackageNotReady';
  }
}

async function hashStored(files: FileStore, tenantId: string, key: string): Promise<{ bytes: number; sha256: string }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const piece of files.read(tenantId, key)) {
    h.update(piece);
    bytes += piece.length;
  }
  return { bytes, sha256: h.digest('hex') };
}

/** The ENI XML of one part, or null when its format has no name in the norm's catalogue. */
function eniXml(f: FilingContext, p: { contentType: string; contentRef: string; eni: PlannedPart['eni'] }): { xml: string; identifier: string } | null {
  const format = eniFormatOf(p.contentType);
  if (!format) return null;
  const xml = eniDocumentXml({
    organs: [f.dir3_code],
    localId: p.eni.localId,
    capturedAt: p.eni.capturedAt,
    timeZone: f.time_zone,
    origin: p.eni.origin,
    elaborationState: 'EE01',
    format,
    documentType: p.eni.documentType,
    contentRef: p.contentRef,
    signatures: p.eni.signatures,
  });
  const identifier = /<enidocmeta:Identificador>([^<]+)</.exec(xml)![1]!;
  return { xml, identifier };
}

export async function buildPackage(deps: BuildPackageDeps, o: { tenantId: string; filingId: string }): Promise<BuildResult> {
  const { database } = deps;
  const [existing] = await database.rows<{ manifest_sha256: string | null }>(sql`
    SELECT manifest_sha256 FROM handoffs WHERE filing_id = ${o.filingId} AND tenant_id = ${o.tenantId} AND manifest_key IS NOT NULL`);
  if (existing) return { status: 'already_built', manifestSha256: existing.manifest_sha256 ?? '' };

  const f = await filingContext(database, o.tenantId, o.filingId);
  if (!f) throw new Error('filing not found');
  if (f.status !== 'sealed') throw new PackageNotReady('receipt not sealed');
  const identity = await identityCheck(database, f);
  const c = await consent(database, f);
  if (!identity || !c) throw new Error('filing without its identity check or consent');
  const documents = await packageDocuments(database, f, { front: identity.front_document_id, back: identity.back_document_id });
  const recordings = await completeRecordings(database, f);
  const audit = await auditTrail(database, f, documents.map((d) => d.id));
  const builtAt = new Date().toISOString();
  const planned = planParts({ filing: f, identity, consent: c, documents, recordings, audit, builtAt });

  const files = await deps.files();
  const build = `b${randomBytes(6).toString('hex')}`;
  const own = (fileName: string) => packageFileKey(f.tenant_id, f.id, build, fileName);
  const written: string[] = [];
  const write = async (fileName: string, body: Buffer, contentType: string): Promise<IndexedFile> => {
    const key = own(fileName);
    written.push(key);
    const r = await files.write(f.tenant_id, key, body);
    return { storageKey: key, contentType, bytes: r.bytes, sha256: r.sha256 };
  };

  const parts: PackageIndex['parts'] = {};
  const manifestParts: ManifestPart[] = [];
  try {
    for (const p of planned) {
      let file: IndexedFile;
      if (p.source.kind === 'stored') {
        const h = await hashStored(files, f.tenant_id, p.source.storageKey);
        if (h.sha256 !== p.source.sha256) throw new Error(`stored part ${p.about.kind} does not match its recorded SHA-256`);
        file = { storageKey: p.source.storageKey, contentType: p.contentType, bytes: h.bytes, sha256: h.sha256 };
      } else {
        file = await write(p.name, p.source.body, p.contentType);
      }
      const path = `parts/${p.name}`;
      const eni = eniXml(f, { contentType: p.contentType, contentRef: path, eni: p.eni });
      const metadata = eni ? await write(`${p.name}.xml`, Buffer.from(eni.xml, 'utf8'), 'application/xml') : null;
      parts[p.name] = { ...file, metadata };
      manifestParts.push({
        name: p.name,
        path,
        contentType: p.contentType,
        bytes: file.bytes,
        sha256: file.sha256,
        about: p.about,
        eni: eni && metadata ? { identifier: eni.identifier, path: `metadata/${p.name}.xml`, sha256: metadata.sha256 } : null,
      });
    }
    // The manifest's own ENI document: signed by the detached CAdES seal beside it (TF04).
    const n = registerLocalId(f.register_code);
    const manifestEni = eniXml(f, {
      contentType: 'application/json',
      contentRef: MANIFEST_PATH,
      eni: { localId: `${n}M`, capturedAt: builtAt, origin: 'administration', documentType: 'TD99', signatures: [{ type: 'TF04', ref: MANIFEST_SEAL_PATH }] },
    })!;
    const manifestEniFile = await write('manifest.json.xml', Buffer.from(manifestEni.xml, 'utf8'), 'application/xml');
    const manifest: Manifest = {
      format: 'finestreta.evidence-package',
      version: 1,
      builtAt,
      filing: {
        id: f.id,
        registerCode: f.register_code,
        registeredAt: f.registered_at,
        procedureCode: f.procedure_code,
        tenantDir3: f.dir3_code,
        attentionId: f.attention_id,
        formSha256: f.form_sha256,
        language: f.language,
      },
      manifestEni: { identifier: manifestEni.identifier, path: MANIFEST_ENI_PATH, sha256: manifestEniFile.sha256 },
      parts: manifestParts,
    };
    const manifestBytes = json(manifest);
    const seal = await (await deps.sealer()).sealCms(manifestBytes);
    const manifestFile = await write('manifest.json', manifestBytes, 'application/json');
    const sealFile = await write('manifest.p7s', seal, 'application/pkcs7-signature');
    const index: PackageIndex = { parts, manifestMetadata: manifestEniFile };
    await write('index.json', json(index), 'application/json');
    const manifestSha256 = manifestFile.sha256;

    const inserted = await database.db.transaction(async (tx) => {
      const res = (await tx.execute(sql`
        INSERT INTO handoffs (filing_id, tenant_id, status, manifest_key, manifest_sha256, manifest_seal_key)
        VALUES (${f.id}, ${f.tenant_id}, 'pending', ${manifestFile.storageKey}, ${manifestSha256}, ${sealFile.storageKey})
        ON CONFLICT (filing_id) DO UPDATE SET manifest_key = EXCLUDED.manifest_key, manifest_sha256 = EXCLUDED.manifest_sha256,
               manifest_seal_key = EXCLUDED.manifest_seal_key, status = 'pending', last_error = NULL
         WHERE handoffs.manifest_key IS NULL AND handoffs.tenant_id = EXCLUDED.tenant_id
        RETURNING filing_id`)) as unknown as { rows: unknown[] };
      if (res.rows.length === 0) return false;
      await enqueueJob(tx, { tenantId: f.tenant_id, type: 'deliver_package', payload: { filingId: f.id }, maxAttempts: deps.deliverMaxAttempts, unique: true });
      return true;
    });
    if (!inserted) {
      // Another worker built it meanwhile: its package stands, ours goes.
      await Promise.all(written.map((k) => files.delete(f.tenant_id, k)));
      const [row] = await database.rows<{ manifest_sha256: string }>(sql`SELECT manifest_sha256 FROM handoffs WHERE filing_id = ${f.id} AND tenant_id = ${f.tenant_id}`);
      return { status: 'already_built', manifestSha256: row?.manifest_sha256 ?? '' };
    }
    deps.kickJobs?.();
    return { status: 'built', manifestSha256 };
  } catch (e) {
    await Promise.all(written.map((k) => files.delete(f.tenant_id, k).catch(() => undefined)));
    throw e;
  }
}

/**
 * The last build attempt failed: the hand-off (made when the receipt was
 * sealed, or made here for a filing sealed before that) becomes `failed`
 * with the code `build_failed`, so supervisors see it and can retry.
 */
export async function markBuildFailed(database: Database, o: { tenantId: string; filingId: string }): Promise<void> {
  await database.rows(sql`
    INSERT INTO handoffs (filing_id, tenant_id, status, last_error, last_attempt_at)
    SELECT f.id, f.tenant_id, 'failed', 'build_failed', now() FROM filings f
     WHERE f.id = ${o.filingId} AND f.tenant_id = ${o.tenantId} AND f.status = 'sealed'
    ON CONFLICT (filing_id) DO UPDATE SET status = 'failed', last_error = 'build_failed', last_attempt_at = now()
     WHERE handoffs.manifest_key IS NULL AND handoffs.tenant_id = EXCLUDED.tenant_id`);
}
