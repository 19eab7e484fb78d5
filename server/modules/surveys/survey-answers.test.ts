import { describe, expect, it } from 'vitest';
import { checkSurveyAnswers } from './survey-answers.js';
import { surveyQuestionsFor } from './survey-questions.js';

const defaults = surveyQuestionsFor({ settings: { cancelCutoffMinutes: 60 } });
const custom = surveyQuestionsFor({
  settings: {
    cancelCutoffMinutes: 60,
    survey: {
      questions: [
        { id: 'liked', kind: 'scale', required: false },
        { id: 'wait', kind: 'scale', required: true, label: { en: 'Wait?' } },
        { id: 'back', kind: 'yes_no', required: false, label: { en: 'Back?' } },
        { id: 'why', kind: 'text', required: true, label: { en: 'Why?' } },
      ],
    },
  },
});

describe('checkSurveyAnswers', () => {
  it('stores default questions in their columns, trimmed, empty comment as null', () => {
    expect(checkSurveyAnswers(defaults, { liked: '0', easy: ' 10 ', again: 'no', comment: ' \r\n ' })).toEqual({
      ok: true,
      answers: { liked: 0, easy: 10, again: false, comment: null, answers: {} },
    });
    expect(checkSurveyAnswers(defaults, { liked: 7, easy: 3, again: true, comment: 'a\r\nb\u0000' })).toEqual({
      ok: true,
      answers: { liked: 7, easy: 3, again: true, comment: 'a\nb', answers: {} },
    });
  });

  it('reports every problem in the order of the questions', () => {
    expect(checkSurveyAnswers(defaults, { liked: '11', easy: ['1'], again: 'maybe', comment: 'x'.repeat(2001) })).toEqual({
      ok: false,
      problems: [
        { id: 'liked', code: 'scale' },
        { id: 'easy', code: 'scale' },
        { id: 'again', code: 'yes_no' },
        { id: 'comment', code: 'too_long' },
      ],
    });
    expect(checkSurveyAnswers(defaults, {})).toEqual({
      ok: false,
      problems: [
        { id: 'liked', code: 'required' },
        { id: 'easy', code: 'required' },
        { id: 'again', code: 'required' },
      ],
    });
    for (const bad of ['1.5', '-1', '01', '1e1', 'ten']) expect(checkSurveyAnswers(defaults, { liked: bad, easy: '1', again: 'yes' }).ok, bad).toBe(false);
    expect(checkSurveyAnswers(defaults, { liked: 2.5, easy: '1', again: 'yes' }).ok).toBe(false);
  });

  it("puts a town hall's own questions in answers and leaves unasked columns null", () => {
    expect(checkSurveyAnswers(custom, { wait: '4', why: ' Slow ', easy: '9', again: 'yes' })).toEqual({
      ok: true,
      answers: { liked: null, easy: null, again: null, comment: null, answers: { wait: 4, why: 'Slow' } },
    });
    expect(checkSurveyAnswers(custom, { wait: '4', back: 'yes', why: 'x' })).toMatchObject({ ok: true, answers: { answers: { wait: 4, back: true, why: 'x' } } });
    expect(checkSurveyAnswers(custom, { liked: '', back: '', why: '  ' })).toEqual({
      ok: false,
      problems: [
        { id: 'wait', code: 'required' },
        { id: 'why', code: 'required' },
      ],
    });
  });
});
