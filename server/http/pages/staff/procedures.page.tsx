/** The catalogue as admins manage it: list, create, edit procedures in every tenant language. */
import { CHANNELS, pickText } from '../../../../shared/domain.js';
import type { T } from '../../../i18n/i18n.js';
import type { Procedure } from '../../../modules/catalogue/catalogue.repository.js';
import { Choices, ErrorSummary, Select, TextArea, TextField, type FieldErrors } from '../form-parts.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';

export function ProceduresPage({ ctx, procedures, notice }: { ctx: PageCtx; procedures: Procedure[]; notice?: string }) {
  const { t, lang } = ctx;
  return (
    <Layout ctx={ctx} title={t('staff.procedures.title')} staffArea>
      <h1>{t('staff.procedures.title')}</h1>
      {notice ? (
        <p class="success" role="status">
          {notice}
        </p>
      ) : null}
      <p>
        <a class="button" href={tenantPath(ctx, 'staff', 'procedures', 'new')}>
          {t('staff.procedures.new')}
        </a>
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('staff.procedures.name')}</th>
            <th scope="col">{t('staff.procedures.code')}</th>
            <th scope="col">{t('home.channels')}</th>
            <th scope="col">{t('staff.procedures.duration')}</th>
            <th scope="col">{t('staff.procedures.active')}</th>
          </tr>
        </thead>
        <tbody>
          {procedures.map((p) => (
            <tr>
              <td>
                <a href={tenantPath(ctx, 'staff', 'procedures', p.id)}>{pickText(p.name, lang)}</a>
              </td>
              <td>{p.code}</td>
              <td>{p.channels.map((c) => t(`channel.${c}.name`)).join(', ')}</td>
              <td>{p.durationMinutes}</td>
              <td>{p.active ? t('form.yes') : t('form.no')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

/** The message beside the request-form box: where the schema goes wrong and how (details of `request_schema_invalid`). */
export function requestSchemaMessage(t: T, details: Record<string, unknown> | undefined): string {
  const code = typeof details?.code === 'string' ? details.code : '';
  const path = typeof details?.path === 'string' ? details.path : '';
  const problem = t(`filing.schema.codes.${code}`, { defaultValue: t('filing.schema.codes.invalid') });
  return path ? t('filing.schema.problem_at', { path, problem }) : t('filing.schema.problem', { problem });
}

export type ProcedureFormValues = Record<string, string | string[] | undefined>;

export function ProcedureFormPage(p: {
  ctx: PageCtx;
  procedureId?: string;
  values: ProcedureFormValues;
  departments: Array<{ id: string; name: string }>;
  errors?: FieldErrors;
  message?: string;
}) {
  const { ctx, values } = p;
  const { t, tenant } = ctx;
  const v = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : '');
  const channels = Array.isArray(values.channels) ? values.channels : values.channels ? [values.channels] : [];
  const title = p.procedureId ? t('staff.procedures.edit') : t('staff.procedures.new');
  return (
    <Layout ctx={ctx} title={title} staffArea>
      <h1>{title}</h1>
      <ErrorSummary ctx={ctx} errors={p.errors ?? {}} message={p.message} />
      <form method="post" action={tenantPath(ctx, 'staff', 'procedures', p.procedureId ?? 'new')} novalidate>
        <input type="hidden" name="_csrf" value={ctx.csrf} />
        <TextField name="code" label={t('staff.procedures.code')} hint={t('staff.procedures.code_hint')} value={v('code')} errors={p.errors} required maxlength={64} />
        {tenant.languages.map((l) => (
          <fieldset class="field" lang={l}>
            <legend>{t('staff.procedures.texts_in', { language: l.toUpperCase() })}</legend>
            <TextField name={`name_${l}`} label={t('staff.procedures.name')} value={v(`name_${l}`)} errors={p.errors} required maxlength={200} lang={l} />
            <TextArea name={`help_${l}`} label={t('staff.procedures.help')} value={v(`help_${l}`)} errors={p.errors} maxlength={4000} lang={l} />
            <TextArea
              name={`documents_${l}`}
              label={t('booking.documents_title')}
              hint={t('staff.procedures.documents_hint')}
              value={v(`documents_${l}`)}
              errors={p.errors}
              rows={4}
              lang={l}
            />
          </fieldset>
        ))}
        <Select
          name="departmentId"
          label={t('staff.procedures.department')}
          value={v('departmentId')}
          options={[{ value: '', label: '—' }, ...p.departments.map((d) => ({ value: d.id, label: d.name }))]}
        />
        <Choices
          name="channels"
          type="checkbox"
          legend={t('home.channels')}
          errors={p.errors}
          options={CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}.name`), checked: channels.includes(c) }))}
        />
        <TextField name="durationMinutes" type="number" label={t('staff.procedures.duration')} value={v('durationMinutes')} errors={p.errors} min={5} max={480} required />
        <TextField name="bufferMinutes" type="number" label={t('staff.procedures.buffer')} value={v('bufferMinutes')} errors={p.errors} min={0} max={240} />
        <TextField name="minNoticeMinutes" type="number" label={t('staff.procedures.min_notice')} value={v('minNoticeMinutes')} errors={p.errors} min={0} />
        <TextField name="horizonDays" type="number" label={t('staff.procedures.horizon')} value={v('horizonDays')} errors={p.errors} min={1} max={366} />
        <TextField name="position" type="number" label={t('staff.procedures.position')} value={v('position')} errors={p.errors} min={0} />
        <TextField
          name="retentionDays"
          type="number"
          label={t('filing.catalogue.retention_days')}
          hint={t('filing.catalogue.retention_days_hint')}
          value={v('retentionDays')}
          errors={p.errors}
          min={0}
          max={3650}
        />
        <TextArea
          name="requestSchema"
          label={t('filing.catalogue.request_schema')}
          hint={t('filing.catalogue.request_schema_hint')}
          value={v('requestSchema')}
          errors={p.errors}
          rows={12}
        />
        <Choices name="active" type="checkbox" legend={t('staff.procedures.active')} options={[{ value: 'yes', label: t('staff.procedures.active_label'), checked: v('active') === 'yes' }]} />
        <div class="actions">
          <button type="submit">{t('form.save')}</button>
          <a href={tenantPath(ctx, 'staff', 'procedures')}>{t('form.back')}</a>
        </div>
      </form>
    </Layout>
  );
}
