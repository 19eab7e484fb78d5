import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCESSIBILITY_NEEDS, APPOINTMENT_STATES, CHANNELS, LANGUAGES, ROLES } from '../../shared/domain.js';
import { ERROR_CODES } from '../../shared/errors.js';
import { loadCatalogue, negotiateLanguage, translator } from './i18n.js';

function flatten(o: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' ? flatten(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}
/** Plural forms count as their base key. */
const base = (k: string) => k.replace(/_(zero|one|two|few|many|other)$/, '');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.(ts|tsx)$/.test(f) && !f.endsWith('.test.ts') ? [p] : [];
  });
}

describe('i18n catalogues', () => {
  const keys = Object.fromEntries(LANGUAGES.map((l) => [l, new Set(flatten(loadCatalogue(l)))]));
  const bases = Object.fromEntries(LANGUAGES.map((l) => [l, new Set([...keys[l]].map(base))]));

  it('have the same keys in every language', () => {
    for (const l of LANGUAGES) {
      expect([...keys[l]].sort(), `${l} vs en`).toEqual([...keys.en].sort());
    }
  });

  it('translate every key the code uses literally', () => {
    const root = path.resolve(__dirname, '..');
    const used = new Set<string>();
    for (const file of sourceFiles(root)) {
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/\bt\(\s*'([a-z_]+(?:\.[a-z_]+)+)'/g)) used.add(m[1]);
      for (const m of src.matchAll(/translator\([^)]*\)\('([a-z_]+(?:\.[a-z_]+)+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(100);
    for (const l of LANGUAGES) {
      const missing = [...used].filter((k) => !bases[l].has(k));
      expect(missing, `missing in ${l}`).toEqual([]);
    }
  });

  it('translate every key the code builds from closed lists', () => {
    const dynamic = [
      ...CHANNELS.flatMap((c) => [`channel.${c}.name`, `channel.${c}.hint`, `email.how.${c}`]),
      ...APPOINTMENT_STATES.map((s) => `status.${s}`),
      ...ACCESSIBILITY_NEEDS.map((n) => `accessibility.${n}`),
      ...ERROR_CODES.map((c) => `errors.${c}`),
      ...['booking_confirmed', 'booking_rescheduled', 'booking_cancelled'].flatMap((k) => [`email.${k}.subject`, `email.${k}.intro`]),
      ...['pending', 'running', 'done', 'failed', 'held'].map((s) => `staff.outbox.status_${s}`),
      ...['today', 'week', 'month'].map((p) => `staff.agenda.period_${p}`),
      ...[1, 2, 3, 4, 5, 6, 7].flatMap((w) => [`weekday.${w}`, `weekday_short.${w}`]),
      ...ROLES.map((r) => `role.${r}`),
    ];
    for (const l of LANGUAGES) expect(dynamic.filter((k) => !bases[l].has(k)), `missing in ${l}`).toEqual([]);
  });

  it('fills plurals and variables', () => {
    expect(translator('ca')('staff.agenda.count', { count: 1 })).toBe('1 cita');
    expect(translator('es')('staff.agenda.count', { count: 3 })).toBe('3 citas');
    expect(translator('en')('home.duration', { count: 15 })).toBe('about 15 minutes');
  });
});

describe('negotiateLanguage', () => {
  it('prefers an explicit choice, then Accept-Language, then the default', () => {
    expect(negotiateLanguage(['ca', 'es', 'en'], 'ca', ['es'], 'en')).toBe('es');
    expect(negotiateLanguage(['ca', 'es', 'en'], 'ca', [undefined], 'fr-FR,es;q=0.8,en;q=0.9')).toBe('en');
    expect(negotiateLanguage(['ca', 'es'], 'ca', ['en'], 'en-GB')).toBe('ca');
    expect(negotiateLanguage(['ca', 'es', 'en'], 'ca', [undefined], undefined)).toBe('ca');
    expect(negotiateLanguage(['ca', 'es', 'en'], 'ca', [undefined], 'es;q=0,en;q=0.1')).toBe('en');
  });
});
