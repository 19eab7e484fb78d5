/**
 * Sends a stored file for download or preview (receipts, documents): the
 * name through the content-disposition package (quoted and encoded right,
 * whatever its characters), the type never sniffed by the browser, a sandbox
 * CSP in case it is opened in a tab, no caching anywhere.
 */
import type { Readable } from 'node:stream';
import { create as contentDisposition } from 'content-disposition';
import type { FastifyReply } from 'fastify';

/** Images and media may show in the sandboxed preview; nothing runs. */
const SANDBOX = "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'";

export function sendFile(
  reply: FastifyReply,
  file: { body: Buffer | Readable; contentType: string; fileName: string; bytes?: number; inline?: boolean },
): FastifyReply {
  const bytes = file.bytes ?? (Buffer.isBuffer(file.body) ? file.body.length : undefined);
  if (bytes !== undefined) reply.header('content-length', String(bytes));
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', contentDisposition(file.fileName, { type: file.inline ? 'inline' : 'attachment' }))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .header('content-security-policy', SANDBOX)
    .header('cross-origin-resource-policy', 'same-origin')
    .send(file.body);
}
