/** Vocabulary shared by server and pages: channels, roles, states, languages. */
export const CHANNELS = ['video', 'phone', 'callback', 'in_person'] as const;
export type Channel = (typeof CHANNELS)[number];

export const ROLES = ['agent', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const APPOINTMENT_STATES = ['booked', 'cancelled', 'attended', 'no_show'] as const;
export type AppointmentState = (typeof APPOINTMENT_STATES)[number];

/** Languages the platform ships catalogues for; a tenant offers a subset. */
export const LANGUAGES = ['ca', 'es', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const ACCESSIBILITY_NEEDS = ['sign_language', 'language_interpreter', 'captions', 'large_text'] as const;
export type AccessibilityNeed = (typeof ACCESSIBILITY_NEEDS)[number];

/** A text in several languages, e.g. a procedure name. */
export type LocalizedText = Partial<Record<Language, string>>;

/** Picks the text in `lang`, else the first available one. */
export function pickText(text: LocalizedText | null | undefined, lang: Language, fallback: Language = 'ca'): string {
  if (!text) return '';
  return text[lang] ?? text[fallback] ?? Object.values(text).find((v) => !!v) ?? '';
}
