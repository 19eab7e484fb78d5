/**
 * The manifest of an evidence package (`manifest.json`, RFC 8785 canonical
 * JSON, sealed by `manifest.p7s`, a detached CAdES signature): the filing and
 * every part with its SHA-256 and its ENI document. See docs/HANDOFF.md.
 */
export const MANIFEST_PATH = 'manifest.json';
export const MANIFEST_SEAL_PATH = 'manifest.p7s';
export const MANIFEST_ENI_PATH = 'metadata/manifest.json.xml';

export type ManifestPart = {
  /** Unique in the package; the part's file is `parts/<name>`. */
  name: string;
  path: string;
  contentType: string;
  bytes: number;
  /** SHA-256 (hex) of the plain content. */
  sha256: string;
  about: { kind: string; id?: string; documentKind?: string; requirement?: number | null };
  /** The part's ENI XML (`metadata/<name>.xml`), or null when its format has no name in the ENI catalogue. */
  eni: { identifier: string; path: string; sha256: string } | null;
};

export type Manifest = {
  format: 'finestreta.evidence-package';
  version: 1;
  builtAt: string;
  filing: {
    id: string;
    registerCode: string;
    registeredAt: string;
    procedureCode: string;
    tenantDir3: string;
    attentionId: string;
    formSha256: string;
    language: string;
  };
  manifestEni: { identifier: string; path: string; sha256: string };
  parts: ManifestPart[];
};
