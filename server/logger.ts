/**
 * Structured logs (pino). Bodies are never logged; URLs are logged with the
 * secrets they may hold (manage tokens, access codes, emails in queries) removed.
 */
import pino, { type Logger } from 'pino';
import { pgConstraint, pgErrorCode } from './db/client.js';
import { scrubPersonalData } from './mail/mailer.js';

/** Strips secrets and personal data that can appear in a request URL. */
export function redactUrl(url: string): string {
  const [path, query] = url.split('?', 2);
  const cleanPath = path.replace(/\/(manage|room|guest)\/[^/?]+/, '/$1/[token]');
  if (!query) return cleanPath;
  const params = new URLSearchParams(query);
  for (const key of [...params.keys()]) if (!['lang', 'channel', 'day', 'period', 'status', 'days', 'from', 'to'].includes(key)) params.set(key, '[redacted]');
  return `${cleanPath}?${params}`;
}

export function createLogger(level: string): Logger {
  return pino({
    level,
    serializers: {
      req: (req: { method: string; url: string; id?: string }) => ({ method: req.method, url: redactUrl(req.url), id: req.id }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', '*.password', '*.email', '*.phone', '*.taxId', '*.citizenName'], censor: '[redacted]' },
  });
}

/**
 * What may be logged (or stored as a job's last error) about an unexpected
 * error: its name, PostgreSQL code and constraint, and the stack frames —
 * never the message of a database error, which repeats the query parameters
 * (names, emails, phones, ID numbers, codes).
 */
export function safeError(e: unknown): { name: string; pgCode?: string; constraint?: string; message?: string; frames?: string } {
  const err = e as { name?: string; message?: string; stack?: string };
  const pgCode = pgErrorCode(e);
  const frames = typeof err?.stack === 'string' ? err.stack.split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 8).join('\n') : undefined;
  const isDb = pgCode !== undefined || /query|drizzle|postgres|pglite/i.test(String(err?.name)) || String(err?.message).startsWith('Failed query');
  return {
    name: String(err?.name ?? 'Error'),
    ...(pgCode ? { pgCode } : {}),
    ...(pgConstraint(e) ? { constraint: pgConstraint(e) } : {}),
    ...(isDb ? {} : { message: scrubPersonalData(String(err?.message ?? '')) }),
    frames,
  };
}
