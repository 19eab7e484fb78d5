/**
 * Structured logs (pino). Bodies are never logged; URLs are logged with the
 * secrets they may hold (manage tokens, access codes, emails in queries) removed.
 */
import pino, { type Logger } from 'pino';

/** Strips secrets and personal data that can appear in a request URL. */
export function redactUrl(url: string): string {
  const [path, query] = url.split('?', 2);
  const cleanPath = path.replace(/\/manage\/[^/?]+/, '/manage/[token]');
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
