/**
 * The satisfaction survey after an attention: a plain form (works without
 * JavaScript) built from the question list, every problem listed at once in
 * the error summary, 0–10 scales as radio groups (arrow keys move within one).
 */
import { SURVEY_QUESTIONS, type SurveyQuestion } from '../../../modules/surveys/survey-questions.js';
import { Choices, ErrorSummary, TextArea, type FieldErrors } from '../form-parts.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';

/** What the citizen chose, kept when the form comes back with errors. */
export type SurveyValues = Partial<Record<SurveyQuestion['id'], string>>;

function Question({ ctx, q, values, errors }: { ctx: PageCtx; q: SurveyQuestion; values: SurveyValues; errors: FieldErrors }) {
  const { t } = ctx;
  const value = values[q.id];
  if (q.kind === 'scale') {
    const options = [];
    for (let n = q.min; n <= q.max; n++) {
      options.push({
        value: String(n),
        label: String(n),
        hint: n === q.min ? t('survey.scale_low') : n === q.max ? t('survey.scale_high') : undefined,
        checked: value === String(n),
      });
    }
    return <Choices name={q.id} type="radio" variant="grid scale" required legend={t(`survey.questions.${q.id}.legend`)} hint={t(`survey.questions.${q.id}.hint`)} errors={errors} options={options} />;
  }
  if (q.kind === 'yes_no') {
    return (
      <Choices
        name={q.id}
        type="radio"
        required
        legend={t(`survey.questions.${q.id}.legend`)}
        errors={errors}
        options={(['yes', 'no'] as const).map((v) => ({ value: v, label: t(`survey.questions.${q.id}.${v}`), checked: value === v }))}
      />
    );
  }
  return (
    <TextArea
      name={q.id}
      label={t(`survey.questions.${q.id}.label`)}
      hint={t(`survey.questions.${q.id}.hint`)}
      value={value}
      errors={errors}
      rows={5}
      maxlength={q.maxLength}
    />
  );
}

/** The survey form. */
export function SurveyPage(p: { ctx: PageCtx; token: string; procedure?: string; values?: SurveyValues; errors?: FieldErrors }) {
  const { ctx } = p;
  const { t, lang } = ctx;
  const errors = p.errors ?? {};
  return (
    <Layout ctx={ctx} title={t('survey.title')}>
      <h1>{t('survey.title')}</h1>
      <p class="lead">{t('survey.intro')}</p>
      {p.procedure ? <p>{t('survey.about', { procedure: p.procedure })}</p> : null}
      <ErrorSummary ctx={ctx} errors={errors} />
      <form method="post" action={tenantPath(ctx, 'survey', p.token)} novalidate>
        <input type="hidden" name="lang" value={lang} />
        {SURVEY_QUESTIONS.map((q) => (
          <Question ctx={ctx} q={q} values={p.values ?? {}} errors={errors} />
        ))}
        <div class="actions">
          <button type="submit">{t('survey.submit')}</button>
        </div>
      </form>
    </Layout>
  );
}

/** A page with a title and a sentence: thanks, already answered, expired, unknown. */
export function SurveyNoticePage({ ctx, kind }: { ctx: PageCtx; kind: 'thanks' | 'answered' | 'expired' | 'unknown' }) {
  const { t } = ctx;
  const title = t(`survey.${kind}_title`);
  return (
    <Layout ctx={ctx} title={title}>
      <h1>{title}</h1>
      <p>{t(`survey.${kind}_text`)}</p>
      <p>
        <a href={tenantPath(ctx)}>{t('booking.back_home')}</a>
      </p>
    </Layout>
  );
}
