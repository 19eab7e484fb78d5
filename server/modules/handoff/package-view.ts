/**
 * A built package as the receiver sees it (webhook body and pull API): the
 * filing summary, the sealed manifest and its seal in base64, and every part
 * with its pull-API URLs. Everything in it comes from stored, unchanging
 * files, so the same package always reads the same.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { FileStore } from '../../storage/encrypted-files.js';
import type { Manifest } from './manifest.js';

export type HandoffRow = {
  filing_id: string;
  tenant_id: string;
  status: 'pending' | 'delivered' | 'failed' | 'purged';
  manifest_key: string | null;
  manifest_sha256: string | null;
  manifest_seal_key: string | null;
  attempts: number;
  last_error: string | null;
  delivered_via: 'webhook' | 'pull' | null;
};

export async function findHandoff(database: Database, tenantId: string, filingId: string): Promise<HandoffRow | undefined> {
  const [row] = await database.rows<HandoffRow>(sql`
    SELECT filing_id, tenant_id, status, manifest_key, manifest_sha256, manifest_seal_key, attempts, last_error, delivered_via
      FROM handoffs WHERE tenant_id = ${tenantId} AND filing_id = ${filingId}`);
  return row;
}

export type PackagePartView = { name: string; contentType: string; bytes: number; sha256: string; eniIdentifier: string | null; url: string; metadataUrl: string | null };

export type PackageView = {
  event: 'package.ready';
  idempotencyKey: string;
  tenant: { slug: string; dir3: string };
  filing: { id: string; registerCode: string; registeredAt: string; procedureCode: string };
  manifestSha256: string;
  /** manifest.json, base64. */
  manifest: string;
  /** manifest.p7s (detached CAdES over manifest.json), base64. */
  manifestSeal: string;
  packageUrl: string;
  ackUrl: string;
  parts: PackagePartView[];
};

/** The pull API's base path of a tenant's packages. */
export const pullBase = (publicUrl: string, slug: string) => `${publicUrl}/api/v1/handoff/${slug}/packages`;

export async function packageView(
  deps: { files: FileStore; publicUrl: string },
  o: { handoff: HandoffRow; tenant: { slug: string; dir3Code: string } },
): Promise<PackageView> {
  const h = o.handoff;
  if (!h.manifest_key || !h.manifest_seal_key || !h.manifest_sha256) throw new Error('package not built');
  const manifestBytes = await deps.files.readAll(h.tenant_id, h.manifest_key);
  const seal = await deps.files.readAll(h.tenant_id, h.manifest_seal_key);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  const base = `${pullBase(deps.publicUrl, o.tenant.slug)}/${h.filing_id}`;
  return {
    event: 'package.ready',
    idempotencyKey: h.filing_id,
    tenant: { slug: o.tenant.slug, dir3: o.tenant.dir3Code },
    filing: { id: manifest.filing.id, registerCode: manifest.filing.registerCode, registeredAt: manifest.filing.registeredAt, procedureCode: manifest.filing.procedureCode },
    manifestSha256: h.manifest_sha256,
    manifest: manifestBytes.toString('base64'),
    manifestSeal: seal.toString('base64'),
    packageUrl: base,
    ackUrl: `${base}/ack`,
    parts: manifest.parts.map((p) => ({
      name: p.name,
      contentType: p.contentType,
      bytes: p.bytes,
      sha256: p.sha256,
      eniIdentifier: p.eni?.identifier ?? null,
      url: `${base}/parts/${encodeURIComponent(p.name)}`,
      metadataUrl: p.eni ? `${base}/parts/${encodeURIComponent(p.name)}/metadata` : null,
    })),
  };
}
