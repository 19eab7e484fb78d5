/**
 * Admins change their town hall's survey questions: replace the whole list
 * (API), change one question, add, remove or move one (page), or go back to
 * the default set. Each change reads the stored list under a row lock, so two
 * admins editing at once never lose each other's change; the result is
 * checked (`validation_failed` lists every problem) and stored in
 * `tenants.settings.survey`, the other settings keys kept. The default set
 * unchanged is stored as no list at all (absent = the defaults).
 */
import { eq, sql } from 'drizzle-orm';
import { AppError } from '../../../shared/errors.js';
import type { Db } from '../../db/client.js';
import { tenants, type SurveyQuestionConfig } from '../../db/schema.js';
import { checkSurveyConfig, isDefaultSet } from './survey-config.js';
import { DEFAULT_QUESTIONS, surveyQuestionsFor, type SurveyQuestion } from './survey-questions.js';

/** From the list as it is now to the list wanted (`'defaults'`: the default set). */
export type SurveyChange = (current: SurveyQuestion[]) => unknown[] | 'defaults';

/** Applies a change to the stored list; returns the questions now asked. */
export async function changeSurveyQuestions(o: { db: Db; tenantId: string; change: SurveyChange }): Promise<SurveyQuestion[]> {
  return o.db.transaction(async (tx) => {
    const [row] = await tx.select({ settings: tenants.settings, languages: tenants.languages }).from(tenants).where(eq(tenants.id, o.tenantId)).for('update');
    if (!row) throw new AppError('tenant_not_found');
    const wanted = o.change(surveyQuestionsFor(row));
    let stored: SurveyQuestionConfig[] | undefined;
    if (wanted !== 'defaults') {
      const checked = checkSurveyConfig(wanted, row.languages);
      if (!checked.ok) throw new AppError('validation_failed', { fields: checked.problems });
      // A question keeps its type of answer: its counted answers (sq:<id>:<value>) would otherwise mix scales and yes/no.
      const current = surveyQuestionsFor(row);
      const changed = checked.questions.findIndex((q) => current.some((c) => c.id === q.id && c.kind !== q.kind));
      if (changed >= 0) throw new AppError('validation_failed', { fields: [{ path: `questions.${changed}.kind`, code: 'kind_fixed' }] });
      stored = isDefaultSet(checked.questions, DEFAULT_QUESTIONS) ? undefined : checked.questions;
    }
    const [saved] = await tx
      .update(tenants)
      .set({
        settings: stored
          ? sql`${tenants.settings} || jsonb_build_object('survey', jsonb_build_object('questions', ${JSON.stringify(stored)}::jsonb))`
          : sql`${tenants.settings} - 'survey'`,
      })
      .where(eq(tenants.id, o.tenantId))
      .returning({ settings: tenants.settings });
    return surveyQuestionsFor(saved);
  });
}

/** Replaces the whole list (the API's PUT). */
export function saveSurveyQuestions(o: { db: Db; tenantId: string; questions: unknown[] }): Promise<SurveyQuestion[]> {
  return changeSurveyQuestions({ db: o.db, tenantId: o.tenantId, change: () => o.questions });
}

/** Back to the default set, in the default wording. */
export function restoreDefaultSurvey(o: { db: Db; tenantId: string }): Promise<SurveyQuestion[]> {
  return changeSurveyQuestions({ db: o.db, tenantId: o.tenantId, change: () => 'defaults' });
}

/** The stored form of a question (no `builtIn`), for building a changed list. */
export function configOf(q: SurveyQuestion): SurveyQuestionConfig {
  return { id: q.id, kind: q.kind, required: q.required, ...(q.label ? { label: q.label } : {}) };
}
