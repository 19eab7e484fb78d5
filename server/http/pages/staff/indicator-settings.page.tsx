/** How a town hall uses its indicators: service-level targets, the monthly report and publication (admins). */
import { Choices, Select, TextArea, TextField, type FieldErrors } from '../form-parts.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { StaffFormPage } from './staff-form-page.js';

/** The form's values, one string per box: `t<row>_<field>` for the targets. */
export type IndicatorSettingsForm = Record<string, string | string[] | undefined>;

const METRICS = ['wait', 'handling', 'first_free'] as const;
const CHANNELS = ['video', 'phone', 'callback'] as const;

/** The two boxes of a time limit (minutes and seconds) as one group with one message. */
function TimeLimit(p: { ctx: PageCtx; row: number; values: IndicatorSettingsForm; errors?: FieldErrors }) {
  const { t } = p.ctx;
  const name = `t${p.row}_time`;
  const error = p.errors?.[name];
  const described = ['h-time-steps', error ? `e-${name}` : ''].filter(Boolean).join(' ');
  const v = (k: string) => (typeof p.values[k] === 'string' ? (p.values[k] as string) : '');
  const box = (field: 'minutes' | 'seconds', max: number) => (
    <div class="field">
      <label for={`f-t${p.row}_${field}`}>{t(`staff.indicator_settings.${field}`)}</label>
      <input
        id={`f-t${p.row}_${field}`}
        name={`t${p.row}_${field}`}
        type="number"
        inputmode="numeric"
        min={0}
        max={max}
        value={v(`t${p.row}_${field}`)}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described}
      />
    </div>
  );
  return (
    <fieldset class={`field${error ? ' invalid' : ''}`} id={`f-${name}`} tabindex={-1}>
      <legend>{t('staff.indicator_settings.time_limit')}</legend>
      {error ? (
        <p class="error" id={`e-${name}`}>
          {error}
        </p>
      ) : null}
      <div class="filters">
        {box('minutes', 1440)}
        {box('seconds', 59)}
      </div>
    </fieldset>
  );
}

/** One target's boxes; a saved one can be removed with its check box. */
function TargetRow(p: { ctx: PageCtx; row: number; values: IndicatorSettingsForm; errors?: FieldErrors; saved: boolean }) {
  const { t } = p.ctx;
  const { row, values, errors } = p;
  const v = (k: string) => (typeof values[`t${row}_${k}`] === 'string' ? (values[`t${row}_${k}`] as string) : '');
  return (
    <fieldset class="card">
      <legend>{t('staff.indicator_settings.target_n', { n: row + 1 })}</legend>
      <div class="filters">
        <Select
          name={`t${row}_metric`}
          label={t('staff.indicator_settings.metric')}
          value={v('metric')}
          errors={errors}
          options={[{ value: '', label: t('staff.indicator_settings.metric_none') }, ...METRICS.map((m) => ({ value: m, label: t(`staff.indicator_settings.metric_${m}`) }))]}
        />
        <Select
          name={`t${row}_channel`}
          label={t('staff.indicator_settings.channel')}
          value={v('channel')}
          errors={errors}
          options={[{ value: '', label: t('staff.indicator_settings.channel_any') }, ...CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}.name`) }))]}
        />
        <TextField name={`t${row}_goal`} type="number" inputmode="numeric" label={t('staff.indicator_settings.goal')} value={v('goal')} errors={errors} min={1} max={100} />
      </div>
      <TimeLimit ctx={p.ctx} row={row} values={values} errors={errors} />
      <TextField
        name={`t${row}_days`}
        type="number"
        inputmode="numeric"
        label={t('staff.indicator_settings.days')}
        hint={t('staff.indicator_settings.days_hint')}
        value={v('days')}
        errors={errors}
        min={0}
        max={60}
      />
      <TextField
        name={`t${row}_id`}
        label={t('staff.indicator_settings.code')}
        hint={t('staff.indicator_settings.code_hint')}
        value={v('id')}
        errors={errors}
        maxlength={40}
        autocomplete="off"
      />
      {p.saved ? (
        <div class="choice">
          <input type="checkbox" id={`f-t${row}_remove`} name={`t${row}_remove`} value="yes" checked={v('remove') === 'yes'} />
          <label for={`f-t${row}_remove`}>{t('staff.indicator_settings.remove', { n: row + 1 })}</label>
        </div>
      ) : null}
    </fieldset>
  );
}

export function IndicatorSettingsPage(p: {
  ctx: PageCtx;
  values: IndicatorSettingsForm;
  /** Target rows shown; the first `saved` hold saved targets, the rest start blank. */
  rows: number;
  saved: number;
  errors?: FieldErrors;
  notice?: string;
}) {
  const { ctx, values } = p;
  const { t } = ctx;
  const v = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : '');
  const targetsError = p.errors?.targets;
  return (
    <StaffFormPage ctx={ctx} title={t('staff.indicator_settings.title')} notice={p.notice} errors={p.errors}>
      <form method="post" action={tenantPath(ctx, 'staff', 'indicator-settings')} novalidate>
        <input type="hidden" name="_csrf" value={ctx.csrf} />
        <input type="hidden" name="rows" value={String(p.rows)} />
        <input type="hidden" name="saved" value={String(p.saved)} />
        <fieldset class={`field${targetsError ? ' invalid' : ''}`} id="f-targets" tabindex={-1}>
          <legend>{t('staff.indicator_settings.targets_title')}</legend>
          <p class="hint">{t('staff.indicator_settings.targets_intro')}</p>
          <p class="hint" id="h-time-steps">
            {t('staff.indicator_settings.time_hint')}
          </p>
          {targetsError ? <p class="error">{targetsError}</p> : null}
          {Array.from({ length: p.rows }, (_, row) => (
            <TargetRow ctx={ctx} row={row} values={values} errors={p.errors} saved={row < p.saved} />
          ))}
          <p class="hint">{t('staff.indicator_settings.more_rows', { max: 20 })}</p>
        </fieldset>
        <fieldset class="field">
          <legend>{t('staff.indicator_settings.report_title')}</legend>
          <TextArea
            name="reportRecipients"
            label={t('staff.indicator_settings.recipients')}
            hint={t('staff.indicator_settings.recipients_hint', { max: 20 })}
            value={v('reportRecipients')}
            errors={p.errors}
            rows={4}
          />
          <Select
            name="reportLanguage"
            label={t('staff.indicator_settings.report_language')}
            value={v('reportLanguage')}
            errors={p.errors}
            options={[
              { value: '', label: t('staff.indicator_settings.report_language_default', { language: t(`staff.indicator_settings.language.${ctx.tenant.defaultLanguage}`) }) },
              ...ctx.tenant.languages.map((l) => ({ value: l, label: t(`staff.indicator_settings.language.${l}`) })),
            ]}
          />
        </fieldset>
        <fieldset class="field">
          <legend>{t('staff.indicator_settings.publication_title')}</legend>
          <Choices
            name="publishTransparency"
            type="checkbox"
            legend={t('staff.indicator_settings.transparency')}
            options={[{ value: 'yes', label: t('staff.indicator_settings.transparency_label'), hint: t('staff.indicator_settings.transparency_hint'), checked: v('publishTransparency') === 'yes' }]}
          />
          <Choices
            name="shareWithOperator"
            type="checkbox"
            legend={t('staff.indicator_settings.share')}
            options={[{ value: 'yes', label: t('staff.indicator_settings.share_label'), hint: t('staff.indicator_settings.share_hint'), checked: v('shareWithOperator') === 'yes' }]}
          />
        </fieldset>
        <div class="actions">
          <button type="submit">{t('form.save')}</button>
        </div>
      </form>
    </StaffFormPage>
  );
}
