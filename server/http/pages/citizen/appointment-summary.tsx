/** The facts of an appointment as a description list: reference, procedure, when, channel, status. */
import { pickText } from '../../../../shared/domain.js';
import { formatDateTime } from '../../../i18n/format.js';
import type { Procedure } from '../../../modules/catalogue/catalogue.repository.js';
import type { PageCtx } from '../page-context.js';

export function AppointmentSummary(p: {
  ctx: PageCtx;
  reference: string;
  procedure: Procedure;
  channel: string;
  startsAt: Date | null;
  status?: string;
}) {
  const { t, lang, tenant } = p.ctx;
  return (
    <dl class="summary">
      <dt>{t('booking.reference')}</dt>
      <dd class="reference">{p.reference}</dd>
      <dt>{t('booking.procedure')}</dt>
      <dd>{pickText(p.procedure.name, lang)}</dd>
      <dt>{t('booking.when')}</dt>
      <dd>{p.startsAt ? formatDateTime(p.startsAt, tenant.timeZone, lang) : t('booking.asap')}</dd>
      <dt>{t('booking.channel')}</dt>
      <dd>{t(`channel.${p.channel}.name`)}</dd>
      {p.status ? (
        <>
          <dt>{t('booking.status')}</dt>
          <dd>{t(`status.${p.status}`)}</dd>
        </>
      ) : null}
    </dl>
  );
}

export function DocumentChecklist({ ctx, procedure }: { ctx: PageCtx; procedure: Procedure }) {
  if (!procedure.documents.length) return null;
  return (
    <>
      <h2>{ctx.t('booking.documents_title')}</h2>
      <ul class="checklist">
        {procedure.documents.map((d) => (
          <li>{pickText(d.description, ctx.lang)}</li>
        ))}
      </ul>
    </>
  );
}
