/**
 * The words the citizen consents to (Llei 39/2015 art. 12.2), in their
 * language, naming the town hall and the procedure. The same function renders
 * what the room shows and what the consent stores, so the stored text is the
 * text shown.
 */
import { pickText, type Language, type LocalizedText } from '../../../shared/domain.js';
import { isLanguage, translator } from '../../i18n/i18n.js';
import type { Tenant } from '../tenants/tenants.repository.js';

/** The language to use: the one asked for when the town hall offers it, else the citizen's, else the town hall's default. */
export function consentLanguage(tenant: Pick<Tenant, 'languages' | 'defaultLanguage'>, ...wanted: Array<string | null | undefined>): Language {
  for (const l of wanted) if (isLanguage(l) && tenant.languages.includes(l)) return l;
  return tenant.defaultLanguage;
}

export function consentText(tenant: Pick<Tenant, 'name'>, procedureName: LocalizedText, lang: Language): string {
  return translator(lang)('filing.consent.text', { town: tenant.name, procedure: pickText(procedureName, lang) });
}
