/** The consultation types agents choose when closing an attention: list, add, rename, reorder, (de)activate (admins). */
import { pickText } from '../../../../shared/domain.js';
import type { Typology } from '../../../modules/attention/typologies.js';
import { Choices, ErrorSummary, TextField, type FieldErrors } from '../form-parts.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { StaffFormPage } from './staff-form-page.js';

/** The form's values: `code`, `name_<lang>`, `position`, `active` ('yes'). */
export type TypologyForm = Record<string, string | string[] | undefined>;

const val = (values: TypologyForm, k: string) => (typeof values[k] === 'string' ? (values[k] as string) : '');

/** One box per tenant language for the name. */
function NameFields({ ctx, values, errors }: { ctx: PageCtx; values: TypologyForm; errors?: FieldErrors }) {
  return (
    <>
      {ctx.tenant.languages.map((l) => (
        <TextField
          name={`name_${l}`}
          label={ctx.t('staff.typologies.name_in', { language: l.toUpperCase() })}
          value={val(values, `name_${l}`)}
          errors={errors}
          required
          maxlength={120}
          lang={l}
        />
      ))}
    </>
  );
}

export function TypologiesPage(p: { ctx: PageCtx; typologies: Typology[]; values: TypologyForm; errors?: FieldErrors; notice?: string }) {
  const { ctx } = p;
  const { t, lang } = ctx;
  return (
    <StaffFormPage ctx={ctx} title={t('staff.typologies.title')} notice={p.notice} errors={p.errors}>
      <p>{t('staff.typologies.intro')}</p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('staff.typologies.position')}</th>
            <th scope="col">{t('staff.typologies.name')}</th>
            <th scope="col">{t('staff.typologies.code')}</th>
            <th scope="col">{t('staff.typologies.active')}</th>
            <th scope="col">
              <span class="sr-only">{t('staff.typologies.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {p.typologies.map((ty) => {
            const name = pickText(ty.name, lang);
            const action = ty.active ? t('staff.typologies.deactivate') : t('staff.typologies.reactivate');
            return (
              <tr>
                <td>{ty.position}</td>
                <td>
                  <a href={tenantPath(ctx, 'staff', 'typologies', ty.id)}>{name}</a>
                </td>
                <td>{ty.code}</td>
                <td>{ty.active ? t('form.yes') : t('form.no')}</td>
                <td>
                  <form method="post" action={tenantPath(ctx, 'staff', 'typologies', ty.id, 'active')}>
                    <input type="hidden" name="_csrf" value={ctx.csrf} />
                    <input type="hidden" name="active" value={ty.active ? 'no' : 'yes'} />
                    <button type="submit" class="secondary" aria-label={`${action}: ${name}`}>
                      {action}
                    </button>
                  </form>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2>{t('staff.typologies.add')}</h2>
      <form method="post" action={tenantPath(ctx, 'staff', 'typologies')} novalidate>
        <input type="hidden" name="_csrf" value={ctx.csrf} />
        <TextField name="code" label={t('staff.typologies.code')} hint={t('staff.typologies.code_hint')} value={val(p.values, 'code')} errors={p.errors} required maxlength={64} autocomplete="off" />
        <NameFields ctx={ctx} values={p.values} errors={p.errors} />
        <TextField name="position" type="number" label={t('staff.typologies.position')} hint={t('staff.typologies.position_hint')} value={val(p.values, 'position')} errors={p.errors} min={0} max={10000} />
        <div class="actions">
          <button type="submit">{t('staff.typologies.add')}</button>
        </div>
      </form>
      <p>
        <a href={tenantPath(ctx, 'staff', 'live-settings')}>{t('staff.typologies.back')}</a>
      </p>
    </StaffFormPage>
  );
}

export function TypologyFormPage(p: { ctx: PageCtx; typology: Typology; values: TypologyForm; errors?: FieldErrors }) {
  const { ctx, values } = p;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('staff.typologies.edit')} staffArea>
      <h1>{t('staff.typologies.edit')}</h1>
      <ErrorSummary ctx={ctx} errors={p.errors ?? {}} />
      <p>
        {t('staff.typologies.code')}: <code>{p.typology.code}</code>
      </p>
      <form method="post" action={tenantPath(ctx, 'staff', 'typologies', p.typology.id)} novalidate>
        <input type="hidden" name="_csrf" value={ctx.csrf} />
        <NameFields ctx={ctx} values={values} errors={p.errors} />
        <TextField name="position" type="number" label={t('staff.typologies.position')} value={val(values, 'position')} errors={p.errors} min={0} max={10000} required />
        <Choices
          name="active"
          type="checkbox"
          legend={t('staff.typologies.active')}
          options={[{ value: 'yes', label: t('staff.typologies.active_label'), checked: val(values, 'active') === 'yes' }]}
        />
        <div class="actions">
          <button type="submit">{t('form.save')}</button>
          <a href={tenantPath(ctx, 'staff', 'typologies')}>{t('form.back')}</a>
        </div>
      </form>
    </Layout>
  );
}
