/**
 * The plan of a package: each part with its name (also its file name in the
 * package, `parts/<name>`), content type, where its bytes come from (a stored
 * file, or JSON made now) and its ENI metadata (docs/ENI.md, "Suggested
 * values per part"). Local ids are the register number without separators
 * plus a letter per part (`E2026000123R` for the receipt), unique in the
 * town hall.
 */
import canonicalize from 'canonicalize';
import type { EniSignatureInput } from '../evidence/eni-metadata.js';
import { eniFormatOfMime, type EniFormat, type TipoDocumental } from '../evidence/eni-codes.js';
import type { AuditTrailEntry, ConsentRow, FilingContext, IdentityRow, SourceDocument, SourceRecording } from './package-sources.js';

export type PartSource = { kind: 'stored'; storageKey: string; sha256: string } | { kind: 'generated'; body: Buffer };

export type PlannedPart = {
  name: string;
  contentType: string;
  source: PartSource;
  /** Where it came from, for the receiver (ids, no personal data). */
  about: { kind: 'receipt' | 'form' | 'identity' | 'consent' | 'audit_trail' | 'document' | 'recording'; id?: string; documentKind?: string; requirement?: number | null };
  eni: {
    localId: string;
    capturedAt: string;
    origin: 'citizen' | 'administration';
    documentType: TipoDocumental;
    signatures: EniSignatureInput[];
  };
};

const EXTENSIONS: Record<string, string> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/tiff': 'tif',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'image/heif': 'heif',
  'video/webm': 'webm',
  'audio/webm': 'webm',
  'video/mp4': 'mp4',
  'audio/mp4': 'm4a',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'text/plain': 'txt',
  'application/json': 'json',
  'application/msword': 'doc',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp',
  'application/rtf': 'rtf',
  'application/zip': 'zip',
};

/** A file extension for a media type (parameters ignored), `bin` when unknown. */
export function extensionOf(contentType: string): string {
  return EXTENSIONS[contentType.split(';', 1)[0]!.trim().toLowerCase()] ?? 'bin';
}

/**
 * The ENI format name of a part. JSON has no name in the catalogue the norm
 * lists (docs/ENI.md): JSON parts are plain UTF-8 text and are described as
 * TXT. A media type outside the catalogue (e.g. HEIC, WebP, legacy Word)
 * has none: the part travels without an ENI document (docs/HANDOFF.md).
 */
export function eniFormatOf(contentType: string): EniFormat | null {
  if (contentType.split(';', 1)[0]!.trim().toLowerCase() === 'application/json') return 'TXT';
  return eniFormatOfMime(contentType);
}

export const json = (value: unknown) => Buffer.from(canonicalize(value) ?? 'null', 'utf8');

/** The register code without separators: `E/2026/000123` → `E2026000123`. */
export const registerLocalId = (code: string) => code.replace(/[^A-Za-z0-9]/g, '');

export function planParts(o: {
  filing: FilingContext;
  identity: IdentityRow;
  consent: ConsentRow;
  documents: SourceDocument[];
  recordings: SourceRecording[];
  audit: AuditTrailEntry[];
  builtAt: string;
}): PlannedPart[] {
  const { filing: f, identity, consent: c } = o;
  const n = registerLocalId(f.register_code);
  if (!f.receipt_key || !f.receipt_sha256 || !f.sealed_at) throw new Error('the filing has no sealed receipt yet');
  const docName = new Map<string, string>();
  const counters: Record<string, number> = {};
  const documentParts: PlannedPart[] = o.documents.map((d) => {
    const ext = extensionOf(d.content_type);
    let name: string;
    let localId: string;
    if (d.kind === 'id_front' || d.kind === 'id_back') {
      name = `${d.kind === 'id_front' ? 'id-front' : 'id-back'}.${ext}`;
      localId = `${n}I${d.kind === 'id_front' ? 1 : 2}`;
    } else {
      const k = (counters[d.kind] = (counters[d.kind] ?? 0) + 1);
      name = `${d.kind === 'citizen' ? 'document' : 'handout'}-${k}.${ext}`;
      localId = `${n}${d.kind === 'citizen' ? 'D' : 'H'}${k}`;
    }
    docName.set(d.id, name);
    return {
      name,
      contentType: d.content_type,
      source: { kind: 'stored', storageKey: d.storage_key, sha256: d.sha256 },
      about: { kind: 'document', id: d.id, documentKind: d.kind, requirement: d.requirement },
      eni: {
        localId,
        capturedAt: d.completed_at ?? identity.checked_at,
        origin: d.kind === 'citizen' ? 'citizen' : 'administration',
        documentType: 'TD99',
        signatures: [],
      },
    };
  });
  const identityBody = {
    identityCheckId: identity.id,
    attentionId: f.attention_id,
    idKind: identity.id_kind,
    fullName: identity.full_name,
    idNumber: identity.id_number,
    faceConfirmed: identity.face_confirmed,
    checkedBy: identity.checked_by,
    checkedAt: identity.checked_at,
    frontImage: identity.front_document_id ? (docName.get(identity.front_document_id) ?? null) : null,
    backImage: identity.back_document_id ? (docName.get(identity.back_document_id) ?? null) : null,
  };
  const consentBody = {
    consentId: c.id,
    attentionId: f.attention_id,
    formSha256: c.form_sha256,
    language: c.language,
    textShown: c.text_shown,
    givenAt: c.given_at,
    recordingId: c.recording_id,
    recordingOffsetMs: c.recording_offset_ms === null ? null : Number(c.recording_offset_ms),
    otpChannel: c.otp_channel,
    otpVerifiedAt: c.otp_verified_at,
  };
  const parts: PlannedPart[] = [
    {
      name: 'receipt.pdf',
      contentType: 'application/pdf',
      source: { kind: 'stored', storageKey: f.receipt_key, sha256: f.receipt_sha256 },
      about: { kind: 'receipt', id: f.id },
      eni: { localId: `${n}R`, capturedAt: f.sealed_at, origin: 'administration', documentType: 'TD09', signatures: [{ type: 'TF06' }] },
    },
    {
      // RFC 8785 canonical JSON: its SHA-256 is the filing's form_sha256 (and the register entry's request_sha256).
      name: 'form.json',
      contentType: 'application/json',
      source: { kind: 'generated', body: json(f.form_data ?? {}) },
      about: { kind: 'form', id: f.id },
      eni: { localId: `${n}F`, capturedAt: f.registered_at, origin: 'citizen', documentType: 'TD14', signatures: [] },
    },
    {
      name: 'identity.json',
      contentType: 'application/json',
      source: { kind: 'generated', body: json(identityBody) },
      about: { kind: 'identity', id: identity.id },
      eni: { localId: `${n}I0`, capturedAt: identity.checked_at, origin: 'administration', documentType: 'TD99', signatures: [] },
    },
    {
      name: 'consent.json',
      contentType: 'application/json',
      source: { kind: 'generated', body: json(consentBody) },
      about: { kind: 'consent', id: c.id },
      eni: { localId: `${n}C`, capturedAt: c.given_at, origin: 'citizen', documentType: 'TD05', signatures: [] },
    },
    ...documentParts,
    ...o.recordings.map((r, i): PlannedPart => {
      const type = r.mime_type ?? 'video/webm';
      return {
        name: `recording-${i + 1}.${extensionOf(type)}`,
        contentType: type,
        source: { kind: 'stored', storageKey: r.storage_key, sha256: r.sha256 },
        about: { kind: 'recording', id: r.id },
        eni: { localId: `${n}V${i + 1}`, capturedAt: r.completed_at ?? r.started_at ?? o.builtAt, origin: 'administration', documentType: 'TD10', signatures: [] },
      };
    }),
    {
      name: 'audit-trail.json',
      contentType: 'application/json',
      source: { kind: 'generated', body: json({ attentionId: f.attention_id, filingId: f.id, entries: o.audit }) },
      about: { kind: 'audit_trail' },
      eni: { localId: `${n}A`, capturedAt: o.builtAt, origin: 'administration', documentType: 'TD99', signatures: [] },
    },
  ];
  return parts;
}
