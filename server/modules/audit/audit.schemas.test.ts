import { describe, expect, it } from 'vitest';
import { auditEntryInput } from './audit.schemas.js';

const TENANT = '22222222-2222-4222-8222-222222222222';
const ok = { tenantId: TENANT, event: 'consent_given', actor: { kind: 'citizen' } } as const;

describe('audit entry input', () => {
  it('accepts ids, codes, hashes, integers and booleans; defaults subjects and data to {}', () => {
    const e = auditEntryInput.parse({
      ...ok,
      subjects: { attention: '33333333-3333-4333-8333-33333333333A' },
      data: { documentSha256: 'ab'.repeat(32), language: 'ca', bytes: 1024, reopened: false, reason: 'illegible' },
    });
    expect(e.subjects.attention).toBe('33333333-3333-4333-8333-33333333333a');
    expect(auditEntryInput.parse(ok)).toMatchObject({ subjects: {}, data: {} });
  });

  it('refuses what could carry personal data', () => {
    const bad = [
      { data: { citizen: 'Núria Prats' } },
      { data: { contact: 'nuria@example.com' } },
      { data: { phone: '+34 600 000 000' } },
      { data: { note: 'x'.repeat(129) } },
      { data: { nested: { name: 'x' } } },
      { data: { ratio: 0.5 } },
      { subjects: { attention: 'not-a-uuid' } },
      { subjects: { 'Bad key': TENANT } },
    ];
    for (const b of bad) expect(auditEntryInput.safeParse({ ...ok, ...b }).success, JSON.stringify(b)).toBe(false);
  });

  it('closes the lists of events and actors; a staff actor names the staff member', () => {
    expect(auditEntryInput.safeParse({ ...ok, event: 'coffee_served' }).success).toBe(false);
    expect(auditEntryInput.safeParse({ ...ok, actor: { kind: 'robot' } }).success).toBe(false);
    expect(auditEntryInput.safeParse({ ...ok, actor: { kind: 'staff' } }).success).toBe(false);
    expect(auditEntryInput.safeParse({ ...ok, actor: { kind: 'citizen', staffId: TENANT } }).success).toBe(false);
    expect(auditEntryInput.safeParse({ ...ok, actor: { kind: 'staff', staffId: TENANT } }).success).toBe(true);
  });
});
