/**
 * The satisfaction survey after an attention: a plain form (works without
 * JavaScript) built from the town hall's questions, in their order and the
 * citizen's language, every problem listed at once in the error summary,
 * 0–10 scales and yes/no as radio groups (arrow keys move within one).
 */
import { questionText, SCALE_MAX, SCALE_MIN, SURVEY_TEXT_MAX, type SurveyQuestion } from '../../../modules/surveys/survey-questions.js';
import { Choices, ErrorSummary, TextArea, type FieldErrors } from '../form-parts.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';

/** What the citizen chose or typed, by question id, kept when the form comes back with errors. */
export type SurveyValues = Record<string, string | undefined>;

/** A question's wording as shown: "(optional)" added when an answer is not required. */
export function questionLabel(ctx: PageCtx, q: SurveyQuestion): string {
  const text = questionText(q, ctx.t, ctx.lang, ctx.tenant.defaultLanguage);
  return q.required ? text : ctx.t('survey.optional', { label: text });
}

function Question({ ctx, q, values, errors }: { ctx: PageCtx; q: SurveyQuestion; values: SurveyValues; errors: FieldErrors }) {
  const { t } = ctx;
  const value = values[q.id];
  const label = questionLabel(ctx, q);
  if (q.kind === 'scale') {
    const options = [];
    for (let n = SCALE_MIN; n <= SCALE_MAX; n++) {
      options.push({
        value: String(n),
        label: String(n),
        hint: n === SCALE_MIN ? t('survey.scale_low') : n === SCALE_MAX ? t('survey.scale_high') : undefined,
        checked: value === String(n),
      });
    }
    return <Choices name={q.id} type="radio" variant="grid scale" required={q.required} legend={label} hint={t('survey.scale_hint')} errors={errors} options={options} />;
  }
  if (q.kind === 'yes_no') {
    return (
      <Choices
        name={q.id}
        type="radio"
        required={q.required}
        legend={label}
        errors={errors}
        options={(['yes', 'no'] as const).map((v) => ({ value: v, label: t(`survey.${v}`), checked: value === v }))}
      />
    );
  }
  return <TextArea name={q.id} label={label} hint={t('survey.text_hint')} value={value} errors={errors} rows={5} maxlength={SURVEY_TEXT_MAX} required={q.required} />;
}

/** The survey form. */
export function SurveyPage(p: { ctx: PageCtx; token: string; questions: readonly SurveyQuestion[]; procedure?: string; values?: SurveyValues; errors?: FieldErrors }) {
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
        {p.questions.map((q) => (
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
