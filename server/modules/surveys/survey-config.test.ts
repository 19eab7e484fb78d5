import { describe, expect, it } from 'vitest';
import { checkSurveyConfig, isDefaultSet } from './survey-config.js';
import { DEFAULT_QUESTIONS } from './survey-questions.js';

const all = ['ca', 'es', 'en'] as const;

describe('checkSurveyConfig', () => {
  it('accepts the defaults and own questions, cleaning the wording', () => {
    const r = checkSurveyConfig(
      [
        { id: 'liked', kind: 'scale', required: true, label: { ca: '  ', en: ' Liked  it? ' } },
        { id: 'waiting_room', kind: 'yes_no', required: false, label: { ca: 'a', es: 'b', en: 'c' } },
      ],
      all,
    );
    expect(r).toEqual({
      ok: true,
      questions: [
        { id: 'liked', kind: 'scale', required: true, label: { en: 'Liked it?' } },
        { id: 'waiting_room', kind: 'yes_no', required: false, label: { ca: 'a', es: 'b', en: 'c' } },
      ],
    });
    expect(checkSurveyConfig([...DEFAULT_QUESTIONS], all)).toEqual({ ok: true, questions: DEFAULT_QUESTIONS });
  });

  it('asks an own question only in the languages the town hall offers', () => {
    expect(checkSurveyConfig([{ id: 'x', kind: 'text', required: false, label: { ca: 'a' } }], ['ca']).ok).toBe(true);
    expect(checkSurveyConfig([{ id: 'x', kind: 'text', required: false, label: { ca: 'a' } }], ['ca', 'es'])).toEqual({
      ok: false,
      problems: [{ path: 'questions.0.label.es', code: 'label_required' }],
    });
  });

  it('names every problem', () => {
    const r = checkSurveyConfig(
      [
        { id: 'again', kind: 'scale', required: 'yes' },
        { id: 'a'.repeat(32), kind: 'text', required: true, label: { ca: 'a', es: 'b', en: 'c' } },
        { id: 'ok', kind: 'text', required: true, label: { ca: 'a', es: 'b', en: 'c', fr: 'd' } },
        { id: 'ok', kind: 'text', required: true, label: 'Hello' },
        null,
      ],
      all,
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems).toEqual([
      { path: 'questions.0.kind', code: 'kind_fixed' },
      { path: 'questions.0.required', code: 'required_invalid' },
      { path: 'questions.1.id', code: 'id_invalid' },
      { path: 'questions.2.label.fr', code: 'label_invalid' },
      { path: 'questions.3.label', code: 'label_invalid' },
      { path: 'questions.3.label.ca', code: 'label_required' },
      { path: 'questions.3.label.es', code: 'label_required' },
      { path: 'questions.3.label.en', code: 'label_required' },
      { path: 'questions.3.id', code: 'id_taken' },
      { path: 'questions.4.id', code: 'id_invalid' },
      { path: 'questions.4.kind', code: 'kind_invalid' },
      { path: 'questions.4.required', code: 'required_invalid' },
      { path: 'questions.4.label.ca', code: 'label_required' },
      { path: 'questions.4.label.es', code: 'label_required' },
      { path: 'questions.4.label.en', code: 'label_required' },
    ]);
    expect(checkSurveyConfig('x', all)).toEqual({ ok: false, problems: [{ path: 'questions', code: 'questions_invalid' }] });
  });

  it('knows the default set unchanged', () => {
    expect(isDefaultSet(DEFAULT_QUESTIONS, DEFAULT_QUESTIONS)).toBe(true);
    expect(isDefaultSet([...DEFAULT_QUESTIONS].reverse(), DEFAULT_QUESTIONS)).toBe(false);
    expect(isDefaultSet(DEFAULT_QUESTIONS.map((q) => ({ ...q, label: { en: 'x' } })), DEFAULT_QUESTIONS)).toBe(false);
  });
});
