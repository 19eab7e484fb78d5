/**
 * The hand-offs to the case-management system (supervisors and admins): each
 * filed request's package with its delivery status, attempts and last error,
 * and a "Retry" button for a failed build or delivery (or one left waiting
 * with nothing queued).
 */
import { formatDateTime } from '../../../i18n/format.js';
import { HANDOFF_ERRORS, type HandoffListItem } from '../../../modules/handoff/list-handoffs.js';
import type { T } from '../../../i18n/i18n.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { StaffFormPage } from './staff-form-page.js';

const KNOWN_ERRORS = new Set<string>(HANDOFF_ERRORS);

/** A failure code (never the receiver's answer) in words. */
export function handoffErrorText(t: T, code: string | null): string {
  if (!code) return t('handoff.list.none');
  const http = /^http_(\d{3})$/.exec(code);
  if (http) return t('handoff.errors.http', { status: http[1] });
  if (KNOWN_ERRORS.has(code)) return t(`handoff.errors.${code}`);
  return code;
}

export const canRetry = (h: HandoffListItem) => (h.status === 'failed' || h.status === 'pending') && !h.deliveryQueued;

export function HandoffsPage(p: { ctx: PageCtx; handoffs: HandoffListItem[]; notice?: string; errors?: Record<string, string> }) {
  const { ctx } = p;
  const { t, lang } = ctx;
  const zone = ctx.tenant.timeZone;
  const when = (iso: string | null) => (iso ? formatDateTime(new Date(iso), zone, lang) : t('handoff.list.none'));
  const action = tenantPath(ctx, 'staff', 'handoffs');
  return (
    <StaffFormPage ctx={ctx} title={t('handoff.list.title')} notice={p.notice} errors={p.errors}>
      <p>{t('handoff.list.intro')}</p>
      {p.handoffs.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('handoff.list.register_code')}</th>
              <th scope="col">{t('handoff.list.procedure')}</th>
              <th scope="col">{t('handoff.list.status')}</th>
              <th scope="col">{t('handoff.list.attempts')}</th>
              <th scope="col">{t('handoff.list.last_error')}</th>
              <th scope="col">{t('handoff.list.last_attempt')}</th>
              <th scope="col">{t('handoff.list.delivered')}</th>
              <th scope="col">
                <span class="sr-only">{t('handoff.list.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.handoffs.map((h) => (
              <tr>
                <th scope="row">{h.registerCode}</th>
                <td>{h.procedureCode}</td>
                <td>
                  {h.built || h.status !== 'pending' ? t(`handoff.list.states.${h.status}`) : t('handoff.list.building')}
                  {h.deliveryQueued ? ` · ${t('handoff.list.queued')}` : ''}
                </td>
                <td>{h.attempts}</td>
                <td>{handoffErrorText(t, h.lastError)}</td>
                <td>{when(h.lastAttemptAt)}</td>
                <td>{h.deliveredAt ? `${when(h.deliveredAt)} ${h.deliveredVia ? t(`handoff.list.via.${h.deliveredVia}`) : ''}` : t('handoff.list.none')}</td>
                <td>
                  {canRetry(h) ? (
                    <form method="post" action={action}>
                      <input type="hidden" name="_csrf" value={ctx.csrf} />
                      <input type="hidden" name="action" value="retry" />
                      <input type="hidden" name="filingId" value={h.filingId} />
                      <button type="submit" class="secondary" aria-label={t('handoff.list.retry_label', { code: h.registerCode })}>
                        {t('handoff.list.retry')}
                      </button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>{t('handoff.list.empty')}</p>
      )}
    </StaffFormPage>
  );
}
