/**
 * The closed lists of the Spanish NTI de Documento Electrónico (Resolución de
 * 19 de julio de 2011, BOE 30-07-2011) and its ENI XML schemas v1.0, so the
 * metadata we hand to a case-management system holds only values the norm
 * knows. Labels are the norm's own Spanish names (documentation, not UI text).
 */

/** The ENI XML namespaces (documentoEni, metadatosDocumentoEni, contenidoDocumentoEni, firmasEni v1.0). */
export const ENI_NS = {
  documento: 'http://administracionelectronica.gob.es/ENI/XSD/v1.0/documento-e',
  metadatos: 'http://administracionelectronica.gob.es/ENI/XSD/v1.0/documento-e/metadatos',
  contenido: 'http://administracionelectronica.gob.es/ENI/XSD/v1.0/documento-e/contenido',
  firma: 'http://administracionelectronica.gob.es/ENI/XSD/v1.0/firma',
} as const;

/** The prefixes the schemas and the norm's examples use. */
export const ENI_PREFIX = { documento: 'enidoc', metadatos: 'enidocmeta', contenido: 'enifile', firma: 'enids' } as const;

/** Metadatum "Versión NTI": the URI of the version of the norm the document follows. */
export const ENI_VERSION_NTI = 'http://administracionelectronica.gob.es/ENI/XSD/v1.0/documento-e';

/** "Estado de elaboración" (enumeracionEstadoElaboracion). */
export const ESTADOS_ELABORACION = {
  EE01: 'Original',
  EE02: 'Copia electrónica auténtica con cambio de formato',
  EE03: 'Copia electrónica auténtica de documento papel',
  EE04: 'Copia electrónica parcial auténtica',
  EE99: 'Otros',
} as const;
export type EstadoElaboracion = keyof typeof ESTADOS_ELABORACION;

/** Copies of an electronic document must name the document they copy (IdentificadorDocumentoOrigen). */
export const STATES_NEEDING_ORIGIN: ReadonlySet<EstadoElaboracion> = new Set(['EE02', 'EE04']);

/** "Tipo documental" (tipoDocumental), grouped as in the norm's annex. */
export const TIPOS_DOCUMENTALES = {
  // documentos de decisión
  TD01: 'Resolución',
  TD02: 'Acuerdo',
  TD03: 'Contrato',
  TD04: 'Convenio',
  TD05: 'Declaración',
  // documentos de transmisión
  TD06: 'Comunicación',
  TD07: 'Notificación',
  TD08: 'Publicación',
  TD09: 'Acuse de recibo',
  // documentos de constancia
  TD10: 'Acta',
  TD11: 'Certificado',
  TD12: 'Diligencia',
  // documentos de juicio
  TD13: 'Informe',
  // documentos de ciudadano
  TD14: 'Solicitud',
  TD15: 'Denuncia',
  TD16: 'Alegación',
  TD17: 'Recursos',
  TD18: 'Comunicación ciudadano',
  TD19: 'Factura',
  TD20: 'Otros incautados',
  // otros
  TD99: 'Otros',
} as const;
export type TipoDocumental = keyof typeof TIPOS_DOCUMENTALES;

/** "Tipo de firma" (firmasEni TipoFirma); TF02–TF06 are the formats of the NTI de Política de firma. */
export const TIPOS_FIRMA = {
  TF01: 'CSV',
  TF02: 'XAdES internally detached signature',
  TF03: 'XAdES enveloped signature',
  TF04: 'CAdES detached/explicit signature',
  TF05: 'CAdES attached/implicit signature',
  TF06: 'PAdES',
} as const;
export type TipoFirma = keyof typeof TIPOS_FIRMA;

/**
 * "Nombre del formato" (NombreFormato), named as in the NTI de Catálogo de
 * estándares: the formats this platform stores, each with the media types
 * that map to it. Closed on purpose: a format not listed is refused rather
 * than described loosely.
 */
export const ENI_FORMATS = {
  PDF: ['application/pdf'],
  JPEG: ['image/jpeg'],
  PNG: ['image/png'],
  TIFF: ['image/tiff'],
  SVG: ['image/svg+xml'],
  TXT: ['text/plain'],
  CSV: ['text/csv'],
  HTML: ['text/html'],
  XML: ['application/xml', 'text/xml'],
  RTF: ['application/rtf', 'text/rtf'],
  ODT: ['application/vnd.oasis.opendocument.text'],
  ODS: ['application/vnd.oasis.opendocument.spreadsheet'],
  ODP: ['application/vnd.oasis.opendocument.presentation'],
  ODG: ['application/vnd.oasis.opendocument.graphics'],
  DOCX: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  XLSX: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  PPTX: ['application/vnd.openxmlformats-officedocument.presentationml.presentation'],
  MP3: ['audio/mpeg'],
  OGG: ['audio/ogg'],
  MP4: ['video/mp4', 'audio/mp4'],
  WEBM: ['video/webm', 'audio/webm'],
  ZIP: ['application/zip'],
  GZIP: ['application/gzip'],
} as const satisfies Record<string, readonly string[]>;
export type EniFormat = keyof typeof ENI_FORMATS;

const FORMAT_BY_MIME: ReadonlyMap<string, EniFormat> = new Map(
  (Object.entries(ENI_FORMATS) as [EniFormat, readonly string[]][]).flatMap(([format, mimes]) =>
    mimes.map((mime) => [mime, format] as const),
  ),
);

/** The NombreFormato of a media type (parameters such as `;codecs=vp8` ignored), or null when it has none. */
export function eniFormatOfMime(mime: string): EniFormat | null {
  const base = mime.split(';', 1)[0]!.trim().toLowerCase();
  return FORMAT_BY_MIME.get(base) ?? null;
}

export function isEstadoElaboracion(v: string): v is EstadoElaboracion {
  return Object.hasOwn(ESTADOS_ELABORACION, v);
}
export function isTipoDocumental(v: string): v is TipoDocumental {
  return Object.hasOwn(TIPOS_DOCUMENTALES, v);
}
export function isTipoFirma(v: string): v is TipoFirma {
  return Object.hasOwn(TIPOS_FIRMA, v);
}
export function isEniFormat(v: string): v is EniFormat {
  return Object.hasOwn(ENI_FORMATS, v);
}
