/**
 * The register of authorised officials (admins): who may file on a citizen's
 * behalf, under which act and for which dates, with a button to revoke each
 * current grant, and the form that grants the power to a staff member.
 */
import { formatDate } from '../../../i18n/format.js';
import { APPOINTMENT_ACT_MAX, officialState, type Official } from '../../../modules/officials/officials.js';
import { Select, TextField, type FieldErrors } from '../form-parts.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { StaffFormPage } from './staff-form-page.js';

/** Posted values of the grant form. */
export type OfficialForm = { staffId?: string; appointmentAct?: string; validFrom?: string; validUntil?: string };

export function OfficialsPage(p: {
  ctx: PageCtx;
  officials: Official[];
  staffOptions: Array<{ id: string; fullName: string }>;
  today: string;
  values?: OfficialForm;
  errors?: FieldErrors;
  notice?: string;
}) {
  const { ctx } = p;
  const { t, lang } = ctx;
  const zone = ctx.tenant.timeZone;
  const action = tenantPath(ctx, 'staff', 'officials');
  const day = (d: string | null) => (d ? formatDate(d, zone, lang) : t('staff.officials.open_ended'));
  return (
    <StaffFormPage ctx={ctx} title={t('staff.officials.title')} notice={p.notice} errors={p.errors}>
      <p>{t('staff.officials.intro')}</p>
      <h2 id="f-register" tabindex={-1}>{t('staff.officials.list_title')}</h2>
      {p.officials.length ? (
        <table aria-labelledby="f-register">
          <thead>
            <tr>
              <th scope="col">{t('staff.officials.name')}</th>
              <th scope="col">{t('staff.officials.act')}</th>
              <th scope="col">{t('staff.officials.valid_from')}</th>
              <th scope="col">{t('staff.officials.valid_until')}</th>
              <th scope="col">{t('staff.officials.state')}</th>
              <th scope="col">
                <span class="sr-only">{t('staff.officials.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.officials.map((o) => {
              const state = officialState(o, p.today);
              return (
                <tr>
                  <th scope="row">{o.fullName}</th>
                  <td>{o.appointmentAct}</td>
                  <td>{day(o.validFrom)}</td>
                  <td>{day(o.validUntil)}</td>
                  <td>
                    {t(`staff.officials.states.${state}`)}
                    {!o.staffActive && state !== 'revoked' ? ` · ${t('staff.officials.staff_inactive')}` : ''}
                  </td>
                  <td>
                    {o.revokedAt ? null : (
                      <form method="post" action={action}>
                        <input type="hidden" name="_csrf" value={ctx.csrf} />
                        <input type="hidden" name="action" value="revoke" />
                        <input type="hidden" name="id" value={o.id} />
                        <button type="submit" class="secondary" aria-label={`${t('staff.officials.revoke')}: ${o.fullName}`}>
                          {t('staff.officials.revoke')}
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p>{t('staff.officials.empty')}</p>
      )}
      <section aria-labelledby="grant-title">
        <h2 id="grant-title">{t('staff.officials.grant_title')}</h2>
        <form method="post" action={action} novalidate>
          <input type="hidden" name="_csrf" value={ctx.csrf} />
          <input type="hidden" name="action" value="grant" />
          <Select
            name="staffId"
            label={t('staff.officials.staff_member')}
            value={p.values?.staffId ?? ''}
            errors={p.errors}
            options={[{ value: '', label: t('staff.officials.choose') }, ...p.staffOptions.map((s) => ({ value: s.id, label: s.fullName }))]}
          />
          <TextField
            name="appointmentAct"
            label={t('staff.officials.act')}
            hint={t('staff.officials.act_hint', { max: APPOINTMENT_ACT_MAX })}
            value={p.values?.appointmentAct ?? ''}
            errors={p.errors}
            required
            maxlength={APPOINTMENT_ACT_MAX}
            autocomplete="off"
          />
          <TextField name="validFrom" type="date" label={t('staff.officials.valid_from')} value={p.values?.validFrom ?? p.today} errors={p.errors} required />
          <TextField name="validUntil" type="date" label={t('staff.officials.valid_until')} hint={t('staff.officials.until_hint')} value={p.values?.validUntil ?? ''} errors={p.errors} />
          <div class="actions">
            <button type="submit">{t('staff.officials.grant')}</button>
          </div>
        </form>
      </section>
    </StaffFormPage>
  );
}
