/**
 * The citizen's answers checked against the questions their town hall asks:
 * required ones answered, scales 0–10, yes/no, texts of at most 2,000
 * characters. Every problem is reported at once, in the questions' order, so
 * the form can list them all. Answers to default questions go to their own
 * columns; the town hall's own questions to `answers` (by question id).
 */
import { SCALE_MAX, SCALE_MIN, SURVEY_TEXT_MAX, type SurveyQuestion } from './survey-questions.js';

/** The answers as stored (one row in `survey_responses`); a column is null when not asked or left empty. */
export type SurveyAnswers = {
  liked: number | null;
  easy: number | null;
  again: boolean | null;
  comment: string | null;
  answers: Record<string, number | boolean | string>;
};

/** What is wrong with one answer: missing, not 0–10, not yes/no, too long. */
export type AnswerProblem = { id: string; code: 'required' | 'scale' | 'yes_no' | 'too_long' };

export type AnswersCheck = { ok: true; answers: SurveyAnswers } | { ok: false; problems: AnswerProblem[] };

const SCALE = /^(10|[0-9])$/;

type Read = { value?: number | boolean | string; problem?: AnswerProblem['code'] };

/** One raw answer: empty (absent, blank) gives neither value nor problem. */
function read(q: SurveyQuestion, raw: unknown): Read {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return {};
  switch (q.kind) {
    case 'scale':
      if (typeof raw === 'number') return Number.isInteger(raw) && raw >= SCALE_MIN && raw <= SCALE_MAX ? { value: raw } : { problem: 'scale' };
      return typeof raw === 'string' && SCALE.test(raw.trim()) ? { value: Number(raw.trim()) } : { problem: 'scale' };
    case 'yes_no':
      if (typeof raw === 'boolean') return { value: raw };
      return raw === 'yes' ? { value: true } : raw === 'no' ? { value: false } : { problem: 'yes_no' };
    case 'text': {
      if (typeof raw !== 'string') return { problem: 'too_long' };
      // line ends as typed on any system; NUL cannot be stored
      const text = raw.replace(/\r\n?/g, '\n').replace(/\u0000/g, '').trim();
      if (!text) return {};
      return text.length > SURVEY_TEXT_MAX ? { problem: 'too_long' } : { value: text };
    }
  }
}

/** Checks the raw answers (form strings, or JSON numbers and booleans) against the questions asked. */
export function checkSurveyAnswers(questions: readonly SurveyQuestion[], raw: Record<string, unknown>): AnswersCheck {
  const answers: SurveyAnswers = { liked: null, easy: null, again: null, comment: null, answers: {} };
  const problems: AnswerProblem[] = [];
  for (const q of questions) {
    const { value, problem } = read(q, Object.hasOwn(raw, q.id) ? raw[q.id] : undefined);
    if (problem) problems.push({ id: q.id, code: problem });
    else if (value === undefined) {
      if (q.required) problems.push({ id: q.id, code: 'required' });
    } else if (q.id === 'liked' || q.id === 'easy') answers[q.id] = value as number;
    else if (q.id === 'again') answers.again = value as boolean;
    else if (q.id === 'comment') answers.comment = value as string;
    else answers.answers[q.id] = value;
  }
  return problems.length ? { ok: false, problems } : { ok: true, answers };
}
