import { readFileSync } from 'node:fs';
import { create } from 'xmlbuilder2';
import { validateXML } from 'xmllint-wasm';
import { describe, expect, it } from 'vitest';
import { newCsvCode } from './csv-code.js';
import { ENI_FORMATS, ENI_NS, ENI_VERSION_NTI, TIPOS_DOCUMENTALES } from './eni-codes.js';
import { eniDocumentXml, type EniDocumentInput } from './eni-metadata.js';
import { ENI_ERROR_CODES, EvidenceError, type EniErrorCode } from './evidence-errors.js';

const schemaFile = (name: string) => ({
  fileName: name,
  contents: readFileSync(new URL(`./eni-test-schema/${name}`, import.meta.url), 'utf8'),
});
const SCHEMA = schemaFile('documento.xsd');
const IMPORTED = ['contenido.xsd', 'metadatos.xsd', 'firmas.xsd'].map(schemaFile);

/** libxml2's verdict on a document against the test restatement of the ENI schemas. */
async function schemaErrors(xml: string): Promise<string[]> {
  const r = await validateXML({ xml: [{ fileName: 'documento.xml', contents: xml }], schema: [SCHEMA], preload: IMPORTED });
  return r.errors.map((e) => e.message);
}

const CSV = newCsvCode();
const REGULATION = 'Resolució d’Alcaldia 12/2026, de 10 de gener (BOPB 15-01-2026) <CSV & segell>';

/** The sealed receipt of a filed request: PAdES seal plus its CSV. */
const receipt = (): EniDocumentInput => ({
  organs: ['L01080193'],
  localId: 'E2026000123R',
  capturedAt: new Date('2026-03-05T09:15:30.123Z'),
  origin: 'administration',
  elaborationState: 'EE01',
  format: 'PDF',
  documentType: 'TD09',
  contentRef: 'receipt/receipt.pdf',
  signatures: [{ type: 'TF06' }, { type: 'TF01', csv: CSV, csvRegulation: REGULATION }],
});

type Doc = { root: Element; one(ns: keyof typeof ENI_NS, name: string): Element; all(ns: keyof typeof ENI_NS, name: string): Element[] };

function parse(xml: string): Doc {
  const doc = create(xml).node as unknown as Document;
  const all = (ns: keyof typeof ENI_NS, name: string) => Array.from(doc.getElementsByTagNameNS(ENI_NS[ns], name));
  return {
    root: doc.documentElement,
    all,
    one(ns, name) {
      const found = all(ns, name);
      expect(found, `${ns}:${name}`).toHaveLength(1);
      return found[0]!;
    },
  };
}

const text = (d: Doc, ns: keyof typeof ENI_NS, name: string) => d.one(ns, name).textContent;

/** The element children of `el`, as `prefix:name`, in document order. */
const childNames = (el: Element) =>
  Array.from(el.childNodes)
    .filter((n): n is Element => n.nodeType === 1)
    .map((c) => c.tagName);

describe('eniDocumentXml', () => {
  it('writes every field of a sealed receipt, in the ENI namespaces and order', async () => {
    const xml = eniDocumentXml(receipt());
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const d = parse(xml);
    const id = 'ES_L01080193_2026_E2026000123R';

    expect(d.root.namespaceURI).toBe(ENI_NS.documento);
    expect(d.root.tagName).toBe('enidoc:documento');
    expect(d.root.getAttribute('Id')).toBe(`DOC_${id}`);
    expect(childNames(d.root)).toEqual(['enifile:contenido', 'enidocmeta:metadatos', 'enids:firmas']);

    const content = d.one('contenido', 'contenido');
    expect(content.getAttribute('Id')).toBe(`CONTENT_${id}`);
    expect(childNames(content)).toEqual(['enifile:referenciaFichero', 'enifile:NombreFormato']);
    expect(text(d, 'contenido', 'referenciaFichero')).toBe('receipt/receipt.pdf');
    expect(text(d, 'contenido', 'NombreFormato')).toBe('PDF');

    const meta = d.one('metadatos', 'metadatos');
    expect(meta.getAttribute('Id')).toBe(`METADATA_${id}`);
    expect(childNames(meta)).toEqual([
      'enidocmeta:VersionNTI',
      'enidocmeta:Identificador',
      'enidocmeta:Organo',
      'enidocmeta:FechaCaptura',
      'enidocmeta:OrigenCiudadanoAdministracion',
      'enidocmeta:EstadoElaboracion',
      'enidocmeta:TipoDocumental',
    ]);
    expect(text(d, 'metadatos', 'VersionNTI')).toBe(ENI_VERSION_NTI);
    expect(text(d, 'metadatos', 'Identificador')).toBe(id);
    expect(text(d, 'metadatos', 'Organo')).toBe('L01080193');
    // 09:15:30Z is 10:15:30 in Barcelona in winter; milliseconds dropped
    expect(text(d, 'metadatos', 'FechaCaptura')).toBe('2026-03-05T10:15:30+01:00');
    expect(text(d, 'metadatos', 'OrigenCiudadanoAdministracion')).toBe('1');
    expect(childNames(d.one('metadatos', 'EstadoElaboracion'))).toEqual(['enidocmeta:ValorEstadoElaboracion']);
    expect(text(d, 'metadatos', 'ValorEstadoElaboracion')).toBe('EE01');
    expect(text(d, 'metadatos', 'TipoDocumental')).toBe('TD09');

    const firmas = d.all('firma', 'firma');
    expect(firmas).toHaveLength(2);
    const [pades, csv] = firmas as [Element, Element];
    expect(pades.getAttribute('Id')).toBe(`FIRMA_1_${id}`);
    expect(pades.getAttribute('ref')).toBe(`#CONTENT_${id}`);
    expect(childNames(pades)).toEqual(['enids:TipoFirma', 'enids:ContenidoFirma']);
    expect(pades.getElementsByTagNameNS(ENI_NS.firma, 'TipoFirma')[0]!.textContent).toBe('TF06');
    // PAdES lives inside the PDF: the signature's file is the content's
    expect(pades.getElementsByTagNameNS(ENI_NS.firma, 'ReferenciaFirma')[0]!.textContent).toBe('receipt/receipt.pdf');
    expect(csv.getAttribute('Id')).toBe(`FIRMA_2_${id}`);
    expect(csv.getElementsByTagNameNS(ENI_NS.firma, 'TipoFirma')[0]!.textContent).toBe('TF01');
    expect(csv.getElementsByTagNameNS(ENI_NS.firma, 'ValorCSV')[0]!.textContent).toBe(CSV);
    // escaped on the way out, intact on the way back
    expect(xml).toContain('&lt;CSV &amp; segell&gt;');
    expect(csv.getElementsByTagNameNS(ENI_NS.firma, 'RegulacionGeneracionCSV')[0]!.textContent).toBe(REGULATION);

    expect(await schemaErrors(xml)).toEqual([]);
  });

  it('writes a citizen’s copy with its origin, several organs and no signature', async () => {
    const xml = eniDocumentXml({
      organs: ['L01080193', 'LA0003421'],
      localId: 'E2026000123D01',
      capturedAt: '2026-07-01T08:00:00Z',
      origin: 'citizen',
      elaborationState: 'EE02',
      originDocumentId: 'ES_E00003901_2025_000000000000000000000000004711',
      format: 'JPEG',
      documentType: 'TD99',
      contentRef: 'documents/01-dni.jpg',
    });
    const d = parse(xml);
    expect(d.all('metadatos', 'Organo').map((o) => o.textContent)).toEqual(['L01080193', 'LA0003421']);
    expect(text(d, 'metadatos', 'Identificador')).toBe('ES_L01080193_2026_E2026000123D01');
    // summer time
    expect(text(d, 'metadatos', 'FechaCaptura')).toBe('2026-07-01T10:00:00+02:00');
    expect(text(d, 'metadatos', 'OrigenCiudadanoAdministracion')).toBe('0');
    expect(text(d, 'metadatos', 'ValorEstadoElaboracion')).toBe('EE02');
    expect(text(d, 'metadatos', 'IdentificadorDocumentoOrigen')).toBe('ES_E00003901_2025_000000000000000000000000004711');
    expect(text(d, 'contenido', 'NombreFormato')).toBe('JPEG');
    expect(text(d, 'metadatos', 'TipoDocumental')).toBe('TD99');
    expect(d.all('firma', 'firmas')).toHaveLength(0);
    expect(await schemaErrors(xml)).toEqual([]);
  });

  it('points a detached CAdES signature at its own file', async () => {
    const xml = eniDocumentXml({
      ...receipt(),
      format: 'XML',
      documentType: 'TD99',
      contentRef: 'manifest.xml',
      signatures: [{ type: 'TF04', ref: 'manifest.xml.p7s' }],
    });
    const d = parse(xml);
    expect(text(d, 'firma', 'TipoFirma')).toBe('TF04');
    expect(text(d, 'firma', 'ReferenciaFirma')).toBe('manifest.xml.p7s');
    expect(await schemaErrors(xml)).toEqual([]);
  });

  it('takes the identifier’s year from the capture date in the town hall’s time zone', () => {
    const newYearsEve = { ...receipt(), capturedAt: new Date('2025-12-31T23:30:00Z') };
    const madrid = parse(eniDocumentXml(newYearsEve));
    expect(text(madrid, 'metadatos', 'Identificador')).toBe('ES_L01080193_2026_E2026000123R');
    expect(text(madrid, 'metadatos', 'FechaCaptura')).toBe('2026-01-01T00:30:00+01:00');
    const canary = parse(eniDocumentXml({ ...newYearsEve, timeZone: 'Atlantic/Canary' }));
    expect(text(canary, 'metadatos', 'Identificador')).toBe('ES_L01080193_2025_E2026000123R');
    expect(text(canary, 'metadatos', 'FechaCaptura')).toBe('2025-12-31T23:30:00+00:00');
  });

  it('writes the CSV in its printed form whatever spelling it was given in', () => {
    const typed = CSV.toLowerCase().replaceAll('-', ' ');
    const d = parse(eniDocumentXml({ ...receipt(), signatures: [{ type: 'TF01', csv: typed, csvRegulation: REGULATION }] }));
    expect(text(d, 'firma', 'ValorCSV')).toBe(CSV);
  });

  it('accepts every format and document type of the closed lists, and the schema agrees', async () => {
    const formats = Object.keys(ENI_FORMATS) as (keyof typeof ENI_FORMATS)[];
    const types = Object.keys(TIPOS_DOCUMENTALES) as (keyof typeof TIPOS_DOCUMENTALES)[];
    for (let i = 0; i < Math.max(formats.length, types.length); i++) {
      const format = formats[i % formats.length]!;
      const documentType = types[i % types.length]!;
      const xml = eniDocumentXml({ ...receipt(), format, documentType });
      const d = parse(xml);
      expect(text(d, 'contenido', 'NombreFormato')).toBe(format);
      expect(text(d, 'metadatos', 'TipoDocumental')).toBe(documentType);
      expect(await schemaErrors(xml)).toEqual([]);
    }
  });

  it('the test schema itself refuses what the norm refuses (out-of-order or out-of-list values)', async () => {
    const xml = eniDocumentXml(receipt());
    expect(await schemaErrors(xml.replace('>TD09<', '>TD21<'))).not.toEqual([]);
    expect(await schemaErrors(xml.replace('>EE01<', '>EE05<'))).not.toEqual([]);
    expect(await schemaErrors(xml.replace('>2026-03-05T10:15:30+01:00<', '>05/03/2026<'))).not.toEqual([]);
    const swapped = xml.replace(
      /(<enidocmeta:Identificador>.*<\/enidocmeta:Identificador>)(\s*)(<enidocmeta:Organo>.*<\/enidocmeta:Organo>)/,
      '$3$2$1',
    );
    expect(swapped).not.toBe(xml);
    expect(await schemaErrors(swapped)).not.toEqual([]);
  });
});

describe('eniDocumentXml refuses bad input, each with its own code', () => {
  const sig = (s: unknown) => ({ ...receipt(), signatures: [s] });
  const cases: [EniErrorCode, string, unknown][] = [
    ['eni_input_invalid', 'not an object', null],
    ['eni_input_invalid', 'a string', 'ES_L01080193_2026_X'],
    ['eni_input_invalid', 'an unknown field', { ...receipt(), title: 'x' }],
    ['eni_input_invalid', 'eleven organs', { ...receipt(), organs: Array.from({ length: 11 }, () => 'L01080193') }],
    ['eni_input_invalid', 'seven signatures', { ...receipt(), signatures: Array.from({ length: 7 }, () => ({ type: 'TF06' })) }],
    ['eni_organ_missing', 'no organ', { ...receipt(), organs: [] }],
    ['eni_organ_invalid', 'a wrong INE control digit', { ...receipt(), organs: ['L01080194'] }],
    ['eni_organ_invalid', 'a lowercase code', { ...receipt(), organs: ['l01080193'] }],
    ['eni_organ_invalid', 'eight characters', { ...receipt(), organs: ['L0108019'] }],
    ['eni_organ_invalid', 'a code, not a list', { ...receipt(), organs: 'L01080193' }],
    ['eni_organ_invalid', 'a bad identifier organ', { ...receipt(), identifierOrgan: '080193' }],
    ['eni_organ_duplicate', 'the same organ twice', { ...receipt(), organs: ['L01080193', 'L01080193'] }],
    ['eni_local_id_invalid', 'a 31-character id', { ...receipt(), localId: 'A'.repeat(31) }],
    ['eni_local_id_invalid', 'slashes', { ...receipt(), localId: 'E/2026/000123' }],
    ['eni_local_id_invalid', 'an underscore', { ...receipt(), localId: 'E_2026' }],
    ['eni_local_id_invalid', 'a non-ASCII letter', { ...receipt(), localId: 'AÑO2026' }],
    ['eni_local_id_invalid', 'an empty id', { ...receipt(), localId: '' }],
    ['eni_capture_date_invalid', 'an invalid Date', { ...receipt(), capturedAt: new Date('nope') }],
    ['eni_capture_date_invalid', 'a date without time', { ...receipt(), capturedAt: '2026-03-05' }],
    ['eni_capture_date_invalid', 'a time without offset', { ...receipt(), capturedAt: '2026-03-05T10:15:30' }],
    ['eni_capture_date_invalid', 'a five-digit year', { ...receipt(), capturedAt: new Date('+010000-01-01T12:00:00Z') }],
    ['eni_time_zone_invalid', 'an unknown zone', { ...receipt(), timeZone: 'Mars/Olympus_Mons' }],
    ['eni_origin_invalid', 'a Spanish word', { ...receipt(), origin: 'ciudadano' }],
    ['eni_origin_invalid', 'a number', { ...receipt(), origin: 0 }],
    ['eni_state_invalid', 'EE05', { ...receipt(), elaborationState: 'EE05' }],
    ['eni_origin_document_required', 'EE02 without its origin', { ...receipt(), elaborationState: 'EE02' }],
    ['eni_origin_document_required', 'EE04 without its origin', { ...receipt(), elaborationState: 'EE04' }],
    [
      'eni_origin_document_not_allowed',
      'an original with an origin',
      { ...receipt(), originDocumentId: 'ES_L01080193_2025_A1' },
    ],
    [
      'eni_origin_document_invalid',
      'an origin with a bad DIR3 code',
      { ...receipt(), elaborationState: 'EE02', originDocumentId: 'ES_L01080194_2025_A1' },
    ],
    ['eni_format_invalid', 'a format outside the catalogue', { ...receipt(), format: 'DOC' }],
    ['eni_format_invalid', 'a lowercase format', { ...receipt(), format: 'pdf' }],
    ['eni_document_type_invalid', 'TD21', { ...receipt(), documentType: 'TD21' }],
    ['eni_content_ref_invalid', 'a parent path', { ...receipt(), contentRef: '../receipt.pdf' }],
    ['eni_content_ref_invalid', 'an absolute path', { ...receipt(), contentRef: '/receipt.pdf' }],
    ['eni_content_ref_invalid', 'a backslash', { ...receipt(), contentRef: 'a\\b.pdf' }],
    ['eni_content_ref_invalid', 'an empty segment', { ...receipt(), contentRef: 'a//b.pdf' }],
    ['eni_content_ref_invalid', 'an empty path', { ...receipt(), contentRef: '' }],
    ['eni_signature_type_invalid', 'TF07', sig({ type: 'TF07' })],
    ['eni_signature_type_invalid', 'no type', sig({ ref: 'x.p7s' })],
    ['eni_signature_duplicate', 'two PAdES', { ...receipt(), signatures: [{ type: 'TF06' }, { type: 'TF06' }] }],
    ['eni_signature_field_not_allowed', 'a CSV with a file', sig({ type: 'TF01', csv: CSV, csvRegulation: REGULATION, ref: 'x' })],
    ['eni_signature_field_not_allowed', 'PAdES with a CSV', sig({ type: 'TF06', csv: CSV })],
    ['eni_signature_ref_required', 'detached CAdES without its file', sig({ type: 'TF04' })],
    ['eni_signature_ref_invalid', 'a signature file outside the package', sig({ type: 'TF04', ref: '../x.p7s' })],
    ['eni_csv_missing', 'a CSV signature without the code', sig({ type: 'TF01', csvRegulation: REGULATION })],
    ['eni_csv_invalid', 'a short code', sig({ type: 'TF01', csv: 'ABCD-EFGH', csvRegulation: REGULATION })],
    ['eni_csv_invalid', 'a code with a wrong check', sig({ type: 'TF01', csv: flipLast(CSV), csvRegulation: REGULATION })],
    ['eni_csv_invalid', 'a number', sig({ type: 'TF01', csv: 12345, csvRegulation: REGULATION })],
    ['eni_csv_regulation_missing', 'no regulation', sig({ type: 'TF01', csv: CSV })],
    ['eni_csv_regulation_missing', 'a blank regulation', sig({ type: 'TF01', csv: CSV, csvRegulation: '  ' })],
    ['eni_csv_regulation_invalid', 'a control character', sig({ type: 'TF01', csv: CSV, csvRegulation: 'Res.\u0001' })],
    ['eni_csv_regulation_invalid', 'an unpaired surrogate', sig({ type: 'TF01', csv: CSV, csvRegulation: 'Res. \uD800' })],
    ['eni_csv_regulation_invalid', 'a 1001-character text', sig({ type: 'TF01', csv: CSV, csvRegulation: 'R'.repeat(1001) })],
    ['eni_csv_regulation_invalid', 'a number', sig({ type: 'TF01', csv: CSV, csvRegulation: 7 })],
  ];

  it.each(cases)('%s: %s', (code, _what, input) => {
    let error: unknown;
    try {
      eniDocumentXml(input as EniDocumentInput);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EvidenceError);
    expect((error as EvidenceError).code).toBe(code);
  });

  it('every ENI error code is reachable by some bad input', () => {
    expect(new Set(cases.map(([code]) => code))).toEqual(new Set(ENI_ERROR_CODES));
  });

  it('names the field, never the value', () => {
    try {
      eniDocumentXml({ ...receipt(), organs: ['L01080193', 'L01080194'] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EvidenceError);
      expect((e as EvidenceError).field).toBe('organs.1');
      expect((e as EvidenceError).message).not.toContain('L01080194');
    }
  });
});

/** The same code with its last symbol changed, so its check no longer matches. */
function flipLast(code: string): string {
  const last = code.at(-1)!;
  return code.slice(0, -1) + (last === 'A' ? 'B' : 'A');
}
