/** How live attention behaves: waiting room, no-shows, calls, the virtual queue and its priorities (admins). */
import { PRIORITY_REASONS } from '../../../modules/attention/live-settings.js';
import { Choices, TextField, type FieldErrors } from '../form-parts.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { StaffFormPage } from './staff-form-page.js';

/** The form's values, one string per box (`priority_<reason>` for the weights, `queueOpen` = 'yes' when open). */
export type LiveSettingsForm = Record<string, string | string[] | undefined>;

export function LiveSettingsPage(p: { ctx: PageCtx; values: LiveSettingsForm; errors?: FieldErrors; notice?: string }) {
  const { ctx, values } = p;
  const { t } = ctx;
  const v = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : '');
  return (
    <StaffFormPage ctx={ctx} title={t('staff.live_settings.title')} notice={p.notice} errors={p.errors}>
      <form method="post" action={tenantPath(ctx, 'staff', 'live-settings')} novalidate>
        <input type="hidden" name="_csrf" value={ctx.csrf} />
        <fieldset class="field">
          <legend>{t('staff.live_settings.room_title')}</legend>
          <TextField
            name="waitingRoomOpensMinutes"
            type="number"
            label={t('staff.live_settings.waiting_room_opens')}
            hint={t('staff.live_settings.waiting_room_opens_hint')}
            value={v('waitingRoomOpensMinutes')}
            errors={p.errors}
            min={0}
            max={120}
            required
          />
          <TextField
            name="noShowMinutes"
            type="number"
            label={t('staff.live_settings.no_show')}
            hint={t('staff.live_settings.no_show_hint')}
            value={v('noShowMinutes')}
            errors={p.errors}
            min={1}
            max={120}
            required
          />
        </fieldset>
        <fieldset class="field">
          <legend>{t('staff.live_settings.calls_title')}</legend>
          <TextField
            name="maxCallAttempts"
            type="number"
            label={t('staff.live_settings.max_attempts')}
            hint={t('staff.live_settings.max_attempts_hint')}
            value={v('maxCallAttempts')}
            errors={p.errors}
            min={1}
            max={10}
            required
          />
          <TextField
            name="callLinkTemplate"
            label={t('staff.live_settings.call_link')}
            hint={t('staff.live_settings.call_link_hint')}
            value={v('callLinkTemplate')}
            errors={p.errors}
            maxlength={200}
            autocomplete="off"
            required
          />
        </fieldset>
        <fieldset class="field">
          <legend>{t('staff.live_settings.queue_title')}</legend>
          <Choices
            name="queueOpen"
            type="checkbox"
            legend={t('staff.live_settings.queue_open')}
            options={[{ value: 'yes', label: t('staff.live_settings.queue_open_label'), checked: v('queueOpen') === 'yes' }]}
          />
          <fieldset class="field">
            <legend>{t('staff.live_settings.priorities')}</legend>
            <p class="hint">{t('staff.live_settings.priorities_hint')}</p>
            {PRIORITY_REASONS.map((r) => (
              <TextField name={`priority_${r}`} type="number" label={t(`staff.live_settings.reason.${r}`)} value={v(`priority_${r}`)} errors={p.errors} min={0} max={10} required />
            ))}
          </fieldset>
        </fieldset>
        <div class="actions">
          <button type="submit">{t('form.save')}</button>
        </div>
      </form>
      <h2>{t('staff.typologies.title')}</h2>
      <p>{t('staff.typologies.intro')}</p>
      <p>
        <a href={tenantPath(ctx, 'staff', 'typologies')}>{t('staff.live_settings.typologies_link')}</a>
      </p>
    </StaffFormPage>
  );
}
