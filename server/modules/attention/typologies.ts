/** The consultation types a town hall classifies its attentions by (closing form, indicators). */
import { and, asc, eq } from 'drizzle-orm';
import type { LocalizedText } from '../../../shared/domain.js';
import type { Db } from '../../db/client.js';
import { typologies } from '../../db/schema.js';

export type Typology = typeof typologies.$inferSelect;

/** Given to every new town hall; the list follows the seed services' usual classification. */
export const DEFAULT_TYPOLOGIES: Array<{ code: string; name: LocalizedText }> = [
  { code: 'information', name: { ca: 'Informació general', es: 'Información general', en: 'General information' } },
  { code: 'filing', name: { ca: 'Presentació de sol·licitud', es: 'Presentación de solicitud', en: 'Filing a request' } },
  { code: 'certificate', name: { ca: 'Certificat o volant', es: 'Certificado o volante', en: 'Certificate' } },
  { code: 'digital-help', name: { ca: 'Ajuda amb la tramitació electrònica', es: 'Ayuda con la tramitación electrónica', en: 'Help with an online procedure' } },
  { code: 'case-status', name: { ca: "Estat d'un expedient", es: 'Estado de un expediente', en: 'Status of a case' } },
  { code: 'other', name: { ca: 'Altres', es: 'Otros', en: 'Other' } },
];

export async function listTypologies(db: Db, tenantId: string, opts: { activeOnly: boolean }): Promise<Typology[]> {
  const where = opts.activeOnly ? and(eq(typologies.tenantId, tenantId), eq(typologies.active, true)) : eq(typologies.tenantId, tenantId);
  return db.select().from(typologies).where(where).orderBy(asc(typologies.position), asc(typologies.code));
}
