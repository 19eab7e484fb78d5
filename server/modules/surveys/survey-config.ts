/**
 * A town hall's survey configuration, checked before it is stored: at least
 * one and at most 10 questions, unique well-formed codes, known kinds, a
 * default question keeps its kind (its answers have a column of that type),
 * an own question has its wording in every language the town hall offers, a
 * default one may have its own wording in some (the default wording fills
 * the rest). Every problem is reported at once as `{ path, code }`.
 */
import { z } from 'zod';
import { LANGUAGES, type Language, type LocalizedText } from '../../../shared/domain.js';
import type { SurveyQuestionConfig } from '../../db/schema.js';
import {
  DEFAULT_KIND,
  isDefaultQuestion,
  QUESTION_ID,
  QUESTION_KINDS,
  RESERVED_IDS,
  SURVEY_LABEL_MAX,
  SURVEY_MAX_QUESTIONS,
  type QuestionKind,
} from './survey-questions.js';

/** Why a configuration cannot be stored (translated as `survey_settings.errors.<code>`). */
export type ConfigProblemCode =
  | 'questions_invalid'
  | 'questions_empty'
  | 'questions_too_many'
  | 'id_invalid'
  | 'id_taken'
  | 'kind_invalid'
  | 'kind_fixed'
  | 'required_invalid'
  | 'label_required'
  | 'label_too_long'
  | 'label_invalid';

export type ConfigProblem = { path: string; code: ConfigProblemCode };

export type ConfigCheck = { ok: true; questions: SurveyQuestionConfig[] } | { ok: false; problems: ConfigProblem[] };

/** One question as the API takes it; the rules beyond its shape are checked by `checkSurveyConfig`. */
export const surveyQuestionInput = z.object({
  id: z.string().max(100).describe('A default question (liked, easy, again, comment) or an own code: ^[a-z][a-z0-9_]{0,30}$, unique in the list.'),
  kind: z.string().max(20).describe('scale (0–10), yes_no or text; a default question keeps its kind (liked, easy: scale; again: yes_no; comment: text).'),
  required: z.boolean().describe('The citizen must answer it.'),
  label: z
    .partialRecord(z.enum(LANGUAGES), z.string().max(2000))
    .optional()
    .describe('Wording per language (at most 200 characters): required in every language of the town hall for an own question; for a default question, absent or empty = the default wording.'),
});

/** The whole list, in the order the survey asks it. */
export const surveySettingsInput = z.object({
  questions: z.array(surveyQuestionInput).max(100).describe('The questions in order: 1 to 10.'),
});
export type SurveySettingsInput = z.input<typeof surveySettingsInput>;

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Checks one question; its clean form when there is no problem. */
function checkQuestion(raw: unknown, at: string, languages: readonly Language[], problems: ConfigProblem[]): SurveyQuestionConfig | undefined {
  const before = problems.length;
  const q = isRecord(raw) ? raw : {};
  const id = typeof q.id === 'string' ? q.id : '';
  if (!QUESTION_ID.test(id) || RESERVED_IDS.has(id)) problems.push({ path: `${at}.id`, code: 'id_invalid' });
  const kind = q.kind as QuestionKind;
  if (!QUESTION_KINDS.includes(kind)) problems.push({ path: `${at}.kind`, code: 'kind_invalid' });
  else if (isDefaultQuestion(id) && DEFAULT_KIND[id] !== kind) problems.push({ path: `${at}.kind`, code: 'kind_fixed' });
  if (typeof q.required !== 'boolean') problems.push({ path: `${at}.required`, code: 'required_invalid' });

  const label: LocalizedText = {};
  if (q.label !== undefined && q.label !== null && !isRecord(q.label)) problems.push({ path: `${at}.label`, code: 'label_invalid' });
  for (const [lang, text] of Object.entries(isRecord(q.label) ? q.label : {})) {
    if (!(LANGUAGES as readonly string[]).includes(lang) || typeof text !== 'string') {
      problems.push({ path: `${at}.label.${lang}`, code: 'label_invalid' });
      continue;
    }
    const clean = text.replace(/\s+/g, ' ').trim();
    if (clean.length > SURVEY_LABEL_MAX) problems.push({ path: `${at}.label.${lang}`, code: 'label_too_long' });
    else if (clean) label[lang as Language] = clean;
  }
  if (!isDefaultQuestion(id)) {
    for (const lang of languages) {
      if (!label[lang] && !problems.some((p) => p.path === `${at}.label.${lang}`)) problems.push({ path: `${at}.label.${lang}`, code: 'label_required' });
    }
  }
  if (problems.length > before) return undefined;
  return { id, kind, required: q.required as boolean, ...(Object.keys(label).length ? { label } : {}) };
}

/** Checks a whole list for a town hall offering `languages`. */
export function checkSurveyConfig(input: unknown, languages: readonly Language[]): ConfigCheck {
  if (!Array.isArray(input)) return { ok: false, problems: [{ path: 'questions', code: 'questions_invalid' }] };
  const problems: ConfigProblem[] = [];
  if (input.length === 0) problems.push({ path: 'questions', code: 'questions_empty' });
  if (input.length > SURVEY_MAX_QUESTIONS) problems.push({ path: 'questions', code: 'questions_too_many' });
  const seen = new Set<string>();
  const questions: SurveyQuestionConfig[] = [];
  input.slice(0, 100).forEach((raw, i) => {
    const q = checkQuestion(raw, `questions.${i}`, languages, problems);
    const id = isRecord(raw) && typeof raw.id === 'string' ? raw.id : undefined;
    if (id !== undefined && seen.has(id)) problems.push({ path: `questions.${i}.id`, code: 'id_taken' });
    if (id !== undefined) seen.add(id);
    if (q) questions.push(q);
  });
  return problems.length ? { ok: false, problems } : { ok: true, questions };
}

/** Whether a list is the default set unchanged (then it is not stored: absent = the defaults, in today's wording). */
export function isDefaultSet(questions: readonly SurveyQuestionConfig[], defaults: readonly SurveyQuestionConfig[]): boolean {
  return (
    questions.length === defaults.length &&
    questions.every((q, i) => q.id === defaults[i].id && q.kind === defaults[i].kind && q.required === defaults[i].required && !q.label)
  );
}
