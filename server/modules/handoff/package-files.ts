/**
 * Where a package's own files live and how the pull API and the webhook find
 * a part by name. Each build writes its files under
 * `<tenant>/packages/<filingId>/<build>.<name>.enc` (ids and fixed words only):
 * the manifest, its seal, the index (name → storage key, internal), the JSON
 * parts and the ENI XMLs. The receipt, documents and recordings are not
 * copied: the index points at their own storage keys. A build that lost a race
 * or crashed leaves files of another `<build>`, removed with the folder at
 * purge time.
 */
import type { FileStore } from '../../storage/encrypted-files.js';

export const packageFolder = (tenantId: string, filingId: string) => `${tenantId}/packages/${filingId}`;

/** The storage key of one of a build's own files. */
export const packageFileKey = (tenantId: string, filingId: string, build: string, fileName: string) => `${packageFolder(tenantId, filingId)}/${build}.${fileName}.enc`;

/** The build id of a manifest key (`…/<build>.manifest.json.enc`). */
export function buildOfManifestKey(manifestKey: string): string {
  const name = manifestKey.slice(manifestKey.lastIndexOf('/') + 1);
  const m = /^(b[0-9a-f]{12})\.manifest\.json\.enc$/.exec(name);
  if (!m) throw new Error('not a manifest key');
  return m[1]!;
}

/** One file of a package as the index records it. */
export type IndexedFile = { storageKey: string; contentType: string; bytes: number; sha256: string };

/** The internal index of a package: every part and every ENI XML by name. */
export type PackageIndex = { parts: Record<string, IndexedFile & { metadata: IndexedFile | null }>; manifestMetadata: IndexedFile };

export async function readIndex(files: FileStore, tenantId: string, filingId: string, manifestKey: string): Promise<PackageIndex> {
  const build = buildOfManifestKey(manifestKey);
  return JSON.parse((await files.readAll(tenantId, packageFileKey(tenantId, filingId, build, 'index.json'))).toString('utf8')) as PackageIndex;
}
