/**
 * Translation for pages, emails, calendar files and error messages, from one
 * catalogue per language in shared/i18n. Keys name the meaning.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type TFunction } from 'i18next';
import { LANGUAGES, type Language } from '../../shared/domain.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../shared/i18n');

/**
 * The catalogue of a language, as loaded from disk: `<lang>.json` plus every
 * `<lang>/<area>.json` (one file per area, so areas can be edited apart),
 * merged into one tree. A key defined twice is an error.
 */
export function loadCatalogue(lang: Language): Record<string, unknown> {
  const root = JSON.parse(readFileSync(path.join(DIR, `${lang}.json`), 'utf8')) as Record<string, unknown>;
  const areaDir = path.join(DIR, lang);
  if (!existsSync(areaDir)) return root;
  for (const file of readdirSync(areaDir).filter((f) => f.endsWith('.json')).sort()) {
    mergeInto(root, JSON.parse(readFileSync(path.join(areaDir, file), 'utf8')), `${lang}/${file}`);
  }
  return root;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>, where: string, prefix = '') {
  for (const [k, v] of Object.entries(source)) {
    const existing = target[k];
    if (v && typeof v === 'object' && existing && typeof existing === 'object') {
      mergeInto(existing as Record<string, unknown>, v as Record<string, unknown>, where, `${prefix}${k}.`);
    } else if (existing !== undefined) {
      throw new Error(`i18n key ${prefix}${k} is defined twice (${where})`);
    } else {
      target[k] = v;
    }
  }
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
