/**
 * The satisfaction survey's questions, in one place: the citizen's page, the
 * answers' validation, the admin settings and the indicators read them here.
 * A town hall's list lives in `tenants.settings.survey.questions`; absent, it
 * asks the default set. Default questions (liked, easy, again, comment) keep
 * their answers in their own columns; a town hall's own questions in
 * `survey_responses.answers`. Default wording is translated as
 * `survey.questions.<id>.label`; a town hall may give its own per language.
 */
import { pickText, type Language, type LocalizedText } from '../../../shared/domain.js';
import type { SurveyQuestionConfig } from '../../db/schema.js';
import type { Tenant } from '../tenants/tenants.repository.js';

export type QuestionKind = SurveyQuestionConfig['kind'];
export const QUESTION_KINDS: readonly QuestionKind[] = ['scale', 'yes_no', 'text'];

export const SCALE_MIN = 0;
export const SCALE_MAX = 10;
/** Longest text answer (characters); the comment column holds the same bound. */
export const SURVEY_TEXT_MAX = 2000;
export const SURVEY_COMMENT_MAX = SURVEY_TEXT_MAX;
export const SURVEY_MAX_QUESTIONS = 10;
export const SURVEY_LABEL_MAX = 200;
/** A question's code: also its form field's name and the `sq:<id>:` counter prefix. */
export const QUESTION_ID = /^[a-z][a-z0-9_]{0,30}$/;
/** Codes the survey form already uses for itself. */
export const RESERVED_IDS: ReadonlySet<string> = new Set(['lang']);

export const DEFAULT_QUESTION_IDS = ['liked', 'easy', 'again', 'comment'] as const;
export type DefaultQuestionId = (typeof DEFAULT_QUESTION_IDS)[number];

/** The kind of each default question: fixed, because each has a column of that type. */
export const DEFAULT_KIND: Readonly<Record<DefaultQuestionId, QuestionKind>> = { liked: 'scale', easy: 'scale', again: 'yes_no', comment: 'text' };

/** The default question set, in the order the form shows them. */
export const DEFAULT_QUESTIONS: readonly SurveyQuestionConfig[] = [
  { id: 'liked', kind: 'scale', required: true },
  { id: 'easy', kind: 'scale', required: true },
  { id: 'again', kind: 'yes_no', required: true },
  { id: 'comment', kind: 'text', required: false },
];

export function isDefaultQuestion(id: string): id is DefaultQuestionId {
  return (DEFAULT_QUESTION_IDS as readonly string[]).includes(id);
}

/** A question as the survey asks it. `builtIn`: one of the default questions (answer in its own column). */
export type SurveyQuestion = SurveyQuestionConfig & { builtIn: boolean };

/** The questions a town hall asks, in order: its own list, or the default set. */
export function surveyQuestionsFor(tenant: Pick<Tenant, 'settings'>): SurveyQuestion[] {
  const own = tenant.settings.survey?.questions;
  const list = own && own.length ? own : DEFAULT_QUESTIONS;
  return list.map((q) => ({ id: q.id, kind: q.kind, required: q.required, ...(q.label ? { label: q.label } : {}), builtIn: isDefaultQuestion(q.id) }));
}

/** Whether a town hall asks the default set unchanged. */
export function asksDefaultSurvey(tenant: Pick<Tenant, 'settings'>): boolean {
  return !tenant.settings.survey?.questions?.length;
}

/**
 * A question's wording in a language: the town hall's own when it has one in
 * that language; else, for a default question, the translated default; else
 * its wording in the town hall's default language (or any).
 */
export function questionText(q: Pick<SurveyQuestion, 'id' | 'label'>, t: (key: string) => string, lang: Language, fallback: Language): string {
  const own = q.label?.[lang];
  if (own) return own;
  if (isDefaultQuestion(q.id)) return t(`survey.questions.${q.id}.label`);
  return pickText(q.label as LocalizedText | undefined, lang, fallback) || q.id;
}
