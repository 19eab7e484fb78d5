/**
 * The satisfaction survey's questions (admins): the list in the order asked,
 * each with its type, whether an answer is required and its wording in every
 * language of the town hall; move up or down, remove, add an own question,
 * restore the default set. Each question has its own small form, so Enter in
 * a box saves that question and nothing else.
 */
import { LANGUAGES, type Language } from '../../../../shared/domain.js';
import { translator } from '../../../i18n/i18n.js';
import { QUESTION_KINDS, questionText, SURVEY_LABEL_MAX, type SurveyQuestion } from '../../../modules/surveys/survey-questions.js';
import { Choices, TextField, type FieldErrors } from '../form-parts.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { StaffFormPage } from './staff-form-page.js';

/** Posted values, by field name: `q_<id>_label_<lang>`, `q_<id>_required`, `add_id`, `add_kind`, `add_required`, `add_label_<lang>`. */
export type SurveySettingsForm = Record<string, string | string[] | undefined>;

const str = (values: SurveySettingsForm | undefined, k: string) => (typeof values?.[k] === 'string' ? (values[k] as string) : '');

/** The hidden fields every form of the page posts. */
function Hidden({ ctx, action, id }: { ctx: PageCtx; action: string; id?: string }) {
  return (
    <>
      <input type="hidden" name="_csrf" value={ctx.csrf} />
      <input type="hidden" name="action" value={action} />
      {id ? <input type="hidden" name="id" value={id} /> : null}
    </>
  );
}

/** A button alone in its form: move, remove, restore. */
function ActionButton({ ctx, action, id, text, name }: { ctx: PageCtx; action: string; id?: string; text: string; name?: string }) {
  return (
    <form method="post" action={tenantPath(ctx, 'staff', 'survey-settings')}>
      <Hidden ctx={ctx} action={action} id={id} />
      <button type="submit" class="secondary" aria-label={name ? `${text}: ${name}` : undefined}>
        {text}
      </button>
    </form>
  );
}

function QuestionItem(p: { ctx: PageCtx; q: SurveyQuestion; index: number; count: number; values?: SurveySettingsForm; errors?: FieldErrors }) {
  const { ctx, q } = p;
  const { t, lang } = ctx;
  const name = questionText(q, t, lang, ctx.tenant.defaultLanguage);
  const field = (suffix: string) => `q_${q.id}_${suffix}`;
  // the boxes show what was just posted when this question's form came back with errors
  const label = (l: Language) => (p.values ? str(p.values, field(`label_${l}`)) : (q.label?.[l] ?? ''));
  const required = p.values ? str(p.values, field('required')) === 'yes' : q.required;
  const languages = LANGUAGES.filter((l) => ctx.tenant.languages.includes(l));
  return (
    <li>
      <section aria-labelledby={`q-${q.id}`}>
        <h3 id={`q-${q.id}`}>{name}</h3>
        <p>
          {t(`survey_settings.kind.${q.kind}`)} · {t(q.required ? 'survey_settings.required_yes' : 'survey_settings.required_no')} ·{' '}
          {t(q.builtIn ? 'survey_settings.origin_default' : 'survey_settings.origin_own')} · {t('survey_settings.code')}: <code>{q.id}</code>
        </p>
        <form method="post" action={tenantPath(ctx, 'staff', 'survey-settings')} novalidate>
          <Hidden ctx={ctx} action="save" id={q.id} />
          {languages.map((l) => (
            <TextField
              name={field(`label_${l}`)}
              label={t('survey_settings.label_in', { language: l.toUpperCase() })}
              hint={q.builtIn ? t('survey_settings.default_wording', { text: translator(l)(`survey.questions.${q.id}.label`) }) : undefined}
              value={label(l)}
              errors={p.errors}
              required={!q.builtIn}
              maxlength={SURVEY_LABEL_MAX}
              autocomplete="off"
              lang={l}
            />
          ))}
          <Choices
            name={field('required')}
            type="checkbox"
            legend={t('survey_settings.required_legend')}
            errors={p.errors}
            options={[{ value: 'yes', label: t('survey_settings.required_label'), checked: required }]}
          />
          <div class="actions">
            <button type="submit" aria-label={`${t('survey_settings.save')}: ${name}`}>
              {t('survey_settings.save')}
            </button>
          </div>
        </form>
        <div class="actions">
          {p.index > 0 ? <ActionButton ctx={ctx} action="up" id={q.id} text={t('survey_settings.move_up')} name={name} /> : null}
          {p.index < p.count - 1 ? <ActionButton ctx={ctx} action="down" id={q.id} text={t('survey_settings.move_down')} name={name} /> : null}
          <ActionButton ctx={ctx} action="remove" id={q.id} text={t('survey_settings.remove')} name={name} />
        </div>
      </section>
    </li>
  );
}

/** The form that adds an own question at the end of the list. */
function AddQuestion({ ctx, values, errors }: { ctx: PageCtx; values?: SurveySettingsForm; errors?: FieldErrors }) {
  const { t } = ctx;
  const languages = LANGUAGES.filter((l) => ctx.tenant.languages.includes(l));
  const kind = str(values, 'add_kind');
  return (
    <section aria-labelledby="add-question">
      <h2 id="add-question">{t('survey_settings.add_title')}</h2>
      <p>{t('survey_settings.add_hint')}</p>
      <form method="post" action={tenantPath(ctx, 'staff', 'survey-settings')} novalidate>
        <Hidden ctx={ctx} action="add" />
        <TextField name="add_id" label={t('survey_settings.code')} hint={t('survey_settings.add_code_hint')} value={str(values, 'add_id')} errors={errors} required maxlength={31} autocomplete="off" />
        <Choices
          name="add_kind"
          type="radio"
          required
          legend={t('survey_settings.kind_label')}
          errors={errors}
          options={QUESTION_KINDS.map((k) => ({ value: k, label: t(`survey_settings.kind.${k}`), checked: kind === k }))}
        />
        {languages.map((l) => (
          <TextField
            name={`add_label_${l}`}
            label={t('survey_settings.label_in', { language: l.toUpperCase() })}
            value={str(values, `add_label_${l}`)}
            errors={errors}
            required
            maxlength={SURVEY_LABEL_MAX}
            autocomplete="off"
            lang={l}
          />
        ))}
        <Choices
          name="add_required"
          type="checkbox"
          legend={t('survey_settings.required_legend')}
          errors={errors}
          options={[{ value: 'yes', label: t('survey_settings.required_label'), checked: str(values, 'add_required') === 'yes' }]}
        />
        <div class="actions">
          <button type="submit">{t('survey_settings.add_submit')}</button>
        </div>
      </form>
    </section>
  );
}

/**
 * The whole page. `editing` names the form whose posted `values` come back
 * with errors: a question's id, or `add`.
 */
export function SurveySettingsPage(p: { ctx: PageCtx; questions: SurveyQuestion[]; values?: SurveySettingsForm; editing?: string; errors?: FieldErrors; notice?: string }) {
  const { ctx } = p;
  const { t } = ctx;
  return (
    <StaffFormPage ctx={ctx} title={t('survey_settings.title')} notice={p.notice} errors={p.errors}>
      <p>{t('survey_settings.intro')}</p>
      <h2 id="f-questions" tabindex={-1}>
        {t('survey_settings.list_title')}
      </h2>
      <ol>
        {p.questions.map((q, i) => (
          <QuestionItem ctx={ctx} q={q} index={i} count={p.questions.length} values={p.editing === q.id ? p.values : undefined} errors={p.errors} />
        ))}
      </ol>
      <AddQuestion ctx={ctx} values={p.editing === 'add' ? p.values : undefined} errors={p.errors} />
      <section aria-labelledby="restore-defaults">
        <h2 id="restore-defaults">{t('survey_settings.restore_title')}</h2>
        <p>{t('survey_settings.restore_text')}</p>
        <ActionButton ctx={ctx} action="restore" text={t('survey_settings.restore_submit')} />
      </section>
    </StaffFormPage>
  );
}
