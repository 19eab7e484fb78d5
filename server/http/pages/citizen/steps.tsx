/** "Step N of 4" and the summary of what is being booked, shown on each booking step. */
import { pickText } from '../../../../shared/domain.js';
import type { Procedure } from '../../../modules/catalogue/catalogue.repository.js';
import type { PageCtx } from '../page-context.js';

export function StepHeader({ ctx, step, title, procedure }: { ctx: PageCtx; step: number; title: string; procedure: Procedure }) {
  return (
    <>
      <p class="step">{ctx.t('booking.step', { step, total: 4 })}</p>
      <h1>{title}</h1>
      <p class="procedure-name">
        {ctx.t('booking.procedure')}: <strong>{pickText(procedure.name, ctx.lang)}</strong>
      </p>
    </>
  );
}
