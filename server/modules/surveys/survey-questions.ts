/**
 * The satisfaction survey's questions, in one place: the page, the validation
 * and (later) a per-tenant configuration all read this list. Labels are
 * translated as `survey.questions.<id>.*`.
 */
import { z } from 'zod';

export type SurveyQuestion =
  | { id: 'liked' | 'easy'; kind: 'scale'; min: 0; max: 10; required: true }
  | { id: 'again'; kind: 'yes_no'; required: true }
  | { id: 'comment'; kind: 'text'; maxLength: 2000; required: false };

/** The default question set, in the order the form shows them. */
export const SURVEY_QUESTIONS: readonly SurveyQuestion[] = [
  { id: 'liked', kind: 'scale', min: 0, max: 10, required: true },
  { id: 'easy', kind: 'scale', min: 0, max: 10, required: true },
  { id: 'again', kind: 'yes_no', required: true },
  { id: 'comment', kind: 'text', maxLength: 2000, required: false },
];

export const SURVEY_COMMENT_MAX = 2000;

const scale = z
  .string()
  .regex(/^(10|[0-9])$/)
  .transform(Number);

/** The answers as stored (one row in `survey_responses`). */
export const surveyAnswers = z.object({
  liked: scale,
  easy: scale,
  again: z.enum(['yes', 'no']).transform((v) => v === 'yes'),
  comment: z
    .string()
    .transform((s) => s.replace(/\r\n/g, '\n').trim())
    .pipe(z.string().max(SURVEY_COMMENT_MAX))
    .transform((s) => s || null),
});
export type SurveyAnswers = z.output<typeof surveyAnswers>;
