/**
 * JSON to place inside a `<script type="application/json">` element: the configuration blocks the
 * browser assets read. Nothing in it may close the element (`</script>`), open an HTML comment or
 * break a line in old parsers, so `<`, `>`, `&`, U+2028 and U+2029 are written as escapes.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
