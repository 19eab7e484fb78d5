import { describe, expect, it } from 'vitest';
import { redactUrl, safeError } from './logger.js';

describe('what reaches the logs', () => {
  it('keeps no query parameters of a failed database query', () => {
    const cause = Object.assign(new Error('null value'), { code: '23502', constraint: 'x' });
    const e = Object.assign(new Error('Failed query: insert into appointments ...\\nparams: Maria Garcia,maria@example.com,+34612345678,12345678Z'), {
      name: 'DrizzleQueryError',
      cause,
    });
    const safe = safeError(e);
    const text = JSON.stringify(safe);
    expect(safe).toMatchObject({ name: 'DrizzleQueryError', pgCode: '23502', constraint: 'x' });
    for (const secret of ['Maria', 'maria@example.com', '612345678', '12345678Z']) expect(text).not.toContain(secret);
  });
  it('scrubs emails, ID numbers and phones from other messages', () => {
    const text = JSON.stringify(safeError(new Error('550 maria@example.com unknown; id 12345678Z tel +34 612 345 678')));
    for (const secret of ['maria@example.com', '12345678Z', '612 345 678']) expect(text).not.toContain(secret);
  });
  it('redacts tokens and query values from URLs', () => {
    expect(redactUrl('/demo/manage/abcDEF123456789012345?lang=ca&ref=K7M-Q3P')).toBe('/demo/manage/[token]?lang=ca&ref=%5Bredacted%5D');
  });
});
