/**
 * An ENI electronic document (NTI de Documento Electrónico, Resolución de 19
 * de julio de 2011; ENI XML schemas v1.0) describing one part of an evidence
 * package: the content by reference to its file, the minimum mandatory
 * metadata, and its signatures. A typed input is checked against the norm's
 * rules and closed lists; anything else is refused with its own code
 * (`EvidenceError`, codes in `evidence-errors.ts`). See docs/ENI.md.
 */
import { createRequire } from 'node:module';
import { DateTime, IANAZone } from 'luxon';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { z } from 'zod';
import { formatCsvCode, parseCsvCode } from './csv-code.js';
import {
  ENI_FORMATS,
  ENI_NS,
  ENI_PREFIX,
  ENI_VERSION_NTI,
  ESTADOS_ELABORACION,
  STATES_NEEDING_ORIGIN,
  TIPOS_DOCUMENTALES,
  type TipoFirma,
} from './eni-codes.js';
import { eniIdentifier, isDir3Code, isEniLocalId, parseEniIdentifier } from './eni-identifier.js';
import { EvidenceError, isEniErrorCode, type EniErrorCode } from './evidence-errors.js';

/** The time zone capture dates are written in when the caller gives none (the tenant's `time_zone` should be given). */
export const ENI_DEFAULT_TIME_ZONE = 'Europe/Madrid';
/** xmlbuilder2 (CommonJS), required when the first document is written rather than at start-up. */
const requireCjs = createRequire(import.meta.url);
let xmlbuilder2: typeof import('xmlbuilder2') | undefined;
function create(options: { version: '1.0'; encoding: string }): XMLBuilder {
  xmlbuilder2 ??= requireCjs('xmlbuilder2') as typeof import('xmlbuilder2');
  return xmlbuilder2.create(options);
}
const MAX_ORGANS = 10;
const MAX_SIGNATURES = 6;
const MAX_REGULATION = 1000;
/** A relative path inside the package: segments of letters, digits, dot, dash, underscore; none starting with a dot. */
const PACKAGE_PATH = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;
const MAX_PATH = 255;
/** Characters XML 1.0 cannot carry (controls, U+FFFE/U+FFFF, unpaired surrogates), and DEL. */
const NOT_XML_TEXT =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const keys = <T extends Record<string, unknown>>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];

const csvSignature = z.strictObject({
  type: z.literal('TF01'),
  /** The code as printed on the document (any accepted spelling; written in its grouped form). */
  csv: z.string({ error: (iss) => (iss.input === undefined ? 'eni_csv_missing' : 'eni_csv_invalid') }),
  /** The order or resolution that regulates how the administration generates its CSVs. */
  csvRegulation: z.string({
    error: (iss) => (iss.input === undefined ? 'eni_csv_regulation_missing' : 'eni_csv_regulation_invalid'),
  }),
});

const certificateSignature = z.strictObject({
  type: z.enum(['TF02', 'TF03', 'TF04', 'TF05', 'TF06']),
  /**
   * The package file that holds the signature. Required for TF04 (a detached
   * `.p7s`); for the others the signature travels inside the content, which
   * is the default.
   */
  ref: z.string().optional(),
});

/** One signature of the document (firmasEni `firma`). */
export const eniSignatureInput = z.discriminatedUnion('type', [csvSignature, certificateSignature]);
export type EniSignatureInput = z.input<typeof eniSignatureInput>;

/** What the caller knows about one document; every field maps to one element of the ENI XML. */
export const eniDocumentInput = z.strictObject({
  /** Organo: DIR3 code(s) of the organ(s) the document belongs to. */
  organs: z.array(z.string()).min(1, { error: 'eni_organ_missing' }).max(MAX_ORGANS),
  /** DIR3 code used in the identifier; defaults to the first organ. */
  identifierOrgan: z.string().optional(),
  /** ID_específico of the identifier: 1–30 letters and digits, unique within the administration. */
  localId: z.string(),
  /** FechaCaptura: a Date or an ISO 8601 date-time with offset. Its year (in `timeZone`) goes into the identifier. */
  capturedAt: z.union([z.date(), z.iso.datetime({ offset: true })]),
  /** IANA zone the capture date is written in. */
  timeZone: z.string().default(ENI_DEFAULT_TIME_ZONE),
  /** OrigenCiudadanoAdministracion: 0 = the citizen made the content, 1 = an administration did. */
  origin: z.enum(['citizen', 'administration']),
  /** EstadoElaboracion/ValorEstadoElaboracion. */
  elaborationState: z.enum(keys(ESTADOS_ELABORACION)),
  /** EstadoElaboracion/IdentificadorDocumentoOrigen: the ENI identifier of the copied document (EE02, EE04). */
  originDocumentId: z.string().optional(),
  /** NombreFormato (NTI de Catálogo de estándares). */
  format: z.enum(keys(ENI_FORMATS)),
  /** TipoDocumental. */
  documentType: z.enum(keys(TIPOS_DOCUMENTALES)),
  /** contenido/referenciaFichero: the content file's path inside the package. */
  contentRef: z.string(),
  /** firmas: none, or one per signature type. */
  signatures: z.array(eniSignatureInput).max(MAX_SIGNATURES).default([]),
});
export type EniDocumentInput = z.input<typeof eniDocumentInput>;

const FIELD_CODES: Readonly<Record<string, EniErrorCode>> = {
  organs: 'eni_organ_invalid',
  identifierOrgan: 'eni_organ_invalid',
  localId: 'eni_local_id_invalid',
  capturedAt: 'eni_capture_date_invalid',
  timeZone: 'eni_time_zone_invalid',
  origin: 'eni_origin_invalid',
  elaborationState: 'eni_state_invalid',
  originDocumentId: 'eni_origin_document_invalid',
  format: 'eni_format_invalid',
  documentType: 'eni_document_type_invalid',
  contentRef: 'eni_content_ref_invalid',
};

const SIGNATURE_FIELD_CODES: Readonly<Record<string, EniErrorCode>> = {
  type: 'eni_signature_type_invalid',
  ref: 'eni_signature_ref_invalid',
  csv: 'eni_csv_invalid',
  csvRegulation: 'eni_csv_regulation_invalid',
};

/** The code of the first thing zod found wrong, chosen by the field it concerns. */
function codeOfIssue(issue: z.core.$ZodIssue): EniErrorCode {
  if (isEniErrorCode(issue.message)) return issue.message;
  const [field, , sub] = issue.path;
  // unknown fields, more organs or signatures than any document has, or not an object at all
  if (issue.code === 'unrecognized_keys') return field === 'signatures' ? 'eni_signature_field_not_allowed' : 'eni_input_invalid';
  if (issue.code === 'too_big' || typeof field !== 'string') return 'eni_input_invalid';
  if (field === 'signatures') return (typeof sub === 'string' && SIGNATURE_FIELD_CODES[sub]) || 'eni_input_invalid';
  return FIELD_CODES[field] ?? 'eni_input_invalid';
}

function fail(code: EniErrorCode, field: string): never {
  throw new EvidenceError(code, field);
}

function checkPath(path: string, code: EniErrorCode, field: string): void {
  if (path.length > MAX_PATH || !PACKAGE_PATH.test(path)) fail(code, field);
}

/** A signature that passed its checks: a CSV in printed form, or the package file holding the signature. */
export type CheckedSignature =
  | { type: 'TF01'; csv: string; csvRegulation: string }
  | { type: Exclude<TipoFirma, 'TF01'>; ref: string };

/** A document that passed every check, in the shape the XML is written from. */
export type CheckedEniDocument = {
  identifier: string;
  organs: string[];
  capturedAt: string;
  origin: 'citizen' | 'administration';
  elaborationState: keyof typeof ESTADOS_ELABORACION;
  originDocumentId?: string;
  format: keyof typeof ENI_FORMATS;
  documentType: keyof typeof TIPOS_DOCUMENTALES;
  contentRef: string;
  signatures: CheckedSignature[];
};

/** Checks everything the norm asks of one document; throws `EvidenceError` with the first problem's code. */
export function checkEniDocument(raw: unknown): CheckedEniDocument {
  const parsed = eniDocumentInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new EvidenceError(codeOfIssue(issue), issue.path.join('.') || undefined);
  }
  const input = parsed.data;

  input.organs.forEach((organ, i) => {
    if (!isDir3Code(organ)) fail('eni_organ_invalid', `organs.${i}`);
    if (input.organs.indexOf(organ) !== i) fail('eni_organ_duplicate', `organs.${i}`);
  });
  const identifierOrgan = input.identifierOrgan ?? input.organs[0]!;
  if (!isDir3Code(identifierOrgan)) fail('eni_organ_invalid', 'identifierOrgan');
  if (!isEniLocalId(input.localId)) fail('eni_local_id_invalid', 'localId');
  if (!IANAZone.isValidZone(input.timeZone)) fail('eni_time_zone_invalid', 'timeZone');

  const instant = typeof input.capturedAt === 'string' ? new Date(input.capturedAt) : input.capturedAt;
  const captured = DateTime.fromJSDate(instant, { zone: input.timeZone });
  if (!captured.isValid || captured.year < 1000 || captured.year > 9999) fail('eni_capture_date_invalid', 'capturedAt');
  const identifier = eniIdentifier(identifierOrgan, captured.year, input.localId);

  if (input.originDocumentId === undefined) {
    if (STATES_NEEDING_ORIGIN.has(input.elaborationState)) fail('eni_origin_document_required', 'originDocumentId');
  } else {
    if (input.elaborationState === 'EE01') fail('eni_origin_document_not_allowed', 'originDocumentId');
    if (!parseEniIdentifier(input.originDocumentId)) fail('eni_origin_document_invalid', 'originDocumentId');
  }

  checkPath(input.contentRef, 'eni_content_ref_invalid', 'contentRef');

  const seen = new Set<string>();
  const signatures = input.signatures.map((s, i): CheckedSignature => {
    const field = `signatures.${i}`;
    if (seen.has(s.type)) fail('eni_signature_duplicate', `${field}.type`);
    seen.add(s.type);
    if (s.type === 'TF01') {
      const csv = parseCsvCode(s.csv);
      if (!csv.ok) fail('eni_csv_invalid', `${field}.csv`);
      const regulation = s.csvRegulation.trim();
      if (regulation === '') fail('eni_csv_regulation_missing', `${field}.csvRegulation`);
      if (regulation.length > MAX_REGULATION || NOT_XML_TEXT.test(regulation)) fail('eni_csv_regulation_invalid', `${field}.csvRegulation`);
      return { type: 'TF01', csv: formatCsvCode(csv.code), csvRegulation: regulation };
    }
    if (s.ref === undefined && s.type === 'TF04') fail('eni_signature_ref_required', `${field}.ref`);
    const ref = s.ref ?? input.contentRef;
    checkPath(ref, 'eni_signature_ref_invalid', `${field}.ref`);
    return { type: s.type, ref };
  });

  return {
    identifier,
    organs: input.organs,
    capturedAt: captured.toFormat("yyyy-MM-dd'T'HH:mm:ssZZ"),
    origin: input.origin,
    elaborationState: input.elaborationState,
    originDocumentId: input.originDocumentId,
    format: input.format,
    documentType: input.documentType,
    contentRef: input.contentRef,
    signatures,
  };
}

const XMLNS = 'http://www.w3.org/2000/xmlns/';

function child(parent: XMLBuilder, ns: keyof typeof ENI_NS, name: string, text?: string): XMLBuilder {
  const el = parent.ele(ENI_NS[ns], `${ENI_PREFIX[ns]}:${name}`);
  if (text !== undefined) el.txt(text);
  return el;
}

/**
 * The ENI XML (`enidoc:documento`, UTF-8) of one document. Ids inside it are
 * derived from the identifier (`DOC_`, `CONTENT_`, `METADATA_`, `FIRMA_<n>_`),
 * and every signature points at the content (`ref="#CONTENT_…"`).
 */
export function eniDocumentXml(input: EniDocumentInput): string {
  const d = checkEniDocument(input);
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(ENI_NS.documento, `${ENI_PREFIX.documento}:documento`);
  for (const ns of ['contenido', 'metadatos', 'firma'] as const) root.att(XMLNS, `xmlns:${ENI_PREFIX[ns]}`, ENI_NS[ns]);
  root.att('Id', `DOC_${d.identifier}`);

  const content = child(root, 'contenido', 'contenido').att('Id', `CONTENT_${d.identifier}`);
  child(content, 'contenido', 'referenciaFichero', d.contentRef);
  child(content, 'contenido', 'NombreFormato', d.format);

  const meta = child(root, 'metadatos', 'metadatos').att('Id', `METADATA_${d.identifier}`);
  child(meta, 'metadatos', 'VersionNTI', ENI_VERSION_NTI);
  child(meta, 'metadatos', 'Identificador', d.identifier);
  for (const organ of d.organs) child(meta, 'metadatos', 'Organo', organ);
  child(meta, 'metadatos', 'FechaCaptura', d.capturedAt);
  child(meta, 'metadatos', 'OrigenCiudadanoAdministracion', d.origin === 'citizen' ? '0' : '1');
  const state = child(meta, 'metadatos', 'EstadoElaboracion');
  child(state, 'metadatos', 'ValorEstadoElaboracion', d.elaborationState);
  if (d.originDocumentId !== undefined) child(state, 'metadatos', 'IdentificadorDocumentoOrigen', d.originDocumentId);
  child(meta, 'metadatos', 'TipoDocumental', d.documentType);

  if (d.signatures.length > 0) {
    const firmas = child(root, 'firma', 'firmas');
    d.signatures.forEach((s, i) => {
      const firma = child(firmas, 'firma', 'firma')
        .att('Id', `FIRMA_${i + 1}_${d.identifier}`)
        .att('ref', `#CONTENT_${d.identifier}`);
      child(firma, 'firma', 'TipoFirma', s.type);
      const body = child(firma, 'firma', 'ContenidoFirma');
      if (s.type === 'TF01') {
        const csv = child(body, 'firma', 'CSV');
        child(csv, 'firma', 'ValorCSV', s.csv);
        child(csv, 'firma', 'RegulacionGeneracionCSV', s.csvRegulation);
      } else {
        child(child(body, 'firma', 'FirmaConCertificado'), 'firma', 'ReferenciaFirma', s.ref);
      }
    });
  }
  return root.end({ prettyPrint: true });
}
