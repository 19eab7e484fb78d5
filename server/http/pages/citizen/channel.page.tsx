/** Step 1: how the citizen wants to be attended. */
import type { Procedure } from '../../../modules/catalogue/catalogue.repository.js';
import { Choices, ErrorSummary, type FieldErrors } from '../form-parts.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { StepHeader } from './steps.js';

export function ChannelPage({ ctx, procedure, errors = {} }: { ctx: PageCtx; procedure: Procedure; errors?: FieldErrors }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('booking.channel_title')}>
      <StepHeader ctx={ctx} step={1} title={t('booking.channel_title')} procedure={procedure} />
      <ErrorSummary ctx={ctx} errors={errors} />
      <form method="get" action={tenantPath(ctx, 'book', procedure.code, 'slots')}>
        <input type="hidden" name="lang" value={ctx.lang} />
        <Choices
          name="channel"
          type="radio"
          required
          legend={t('booking.channel_legend')}
          errors={errors}
          options={procedure.channels.map((c, i) => ({
            value: c,
            label: t(`channel.${c}.name`),
            hint: t(`channel.${c}.hint`),
            checked: i === 0,
          }))}
        />
        <div class="actions">
          <button type="submit">{t('form.continue')}</button>
          <a href={tenantPath(ctx)}>{t('form.back')}</a>
        </div>
      </form>
    </Layout>
  );
}
