/**
 * Translation for pages, emails, calendar files and error messages, from one
 * catalogue per language in shared/i18n. Keys name the meaning.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type TFunction } from 'i18next';
import { LANGUAGES, type Language } from '../../shared/domain.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../shared/i18n');

/** The catalogue of a language, as loaded from disk. */
export function loadCatalogue(lang: Language): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(DIR, `${lang}.json`), 'utf8'));
}

const instance = i18next.createInstance();
void instance.init({
  initAsync: false,
  resources: Object.fromEntries(LANGUAGES.map((l) => [l, { translation: loadCatalogue(l) }])),
  supportedLngs: [...LANGUAGES],
  fallbackLng: false,
  interpolation: { escapeValue: false },
  returnNull: false,
});

export type T = TFunction;

/** A translation function fixed to one language. */
export function translator(lang: Language): T {
  return instance.getFixedT(lang);
}

export function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

/**
 * Picks the language of a request: explicit choice (URL or cookie) first, then
 * Accept-Language, then the tenant's default; always one the tenant offers.
 */
export function negotiateLanguage(
  offered: readonly Language[],
  fallback: Language,
  explicit: Array<string | undefined>,
  acceptLanguage: string | undefined,
): Language {
  for (const e of explicit) if (isLanguage(e) && offered.includes(e)) return e;
  if (acceptLanguage) {
    const ranked = acceptLanguage
      .split(',')
      .slice(0, 20)
      .map((part) => {
        const [tag, ...params] = part.trim().split(';');
        const q = params.map((p) => /^\s*q=([0-9.]+)/.exec(p)).find(Boolean);
        return { tag: tag.toLowerCase().split('-')[0], q: q ? Number(q[1]) : 1 };
      })
      .filter((x) => x.q > 0)
      .sort((a, b) => b.q - a.q);
    for (const { tag } of ranked) if (isLanguage(tag) && offered.includes(tag)) return tag;
  }
  return fallback;
}
