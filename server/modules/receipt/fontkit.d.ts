/** The one call of fontkit (pdfkit's font engine; no published types) the receipt uses: parse a font once. */
declare module 'fontkit' {
  /** A parsed font; pdfkit accepts it wherever it takes a font file. */
  export type Font = { layout: (...args: unknown[]) => unknown; postscriptName: string };
  export function create(buffer: Uint8Array, postscriptName?: string): Font;
}
