/** Dates and times shown to people: in the tenant's time zone and the reader's language. */
import { DateTime } from 'luxon';
import type { Language } from '../../shared/domain.js';

export function formatDateTime(d: Date | number, zone: string, lang: Language): string {
  return DateTime.fromMillis(+d, { zone })
    .setLocale(lang)
    .toLocaleString({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function formatDate(d: Date | number | string, zone: string, lang: Language): string {
  const dt = typeof d === 'string' ? DateTime.fromISO(d, { zone }) : DateTime.fromMillis(+d, { zone });
  return dt.setLocale(lang).toLocaleString({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

export function formatTime(d: Date | number, zone: string, lang: Language): string {
  return DateTime.fromMillis(+d, { zone }).setLocale(lang).toLocaleString(DateTime.TIME_24_SIMPLE);
}

/** "dl., 24 de nov." — compact enough for a row of day buttons on a phone. */
export function formatShortDate(d: string, zone: string, lang: Language): string {
  return DateTime.fromISO(d, { zone }).setLocale(lang).toLocaleString({ weekday: 'short', day: 'numeric', month: 'short' });
}
