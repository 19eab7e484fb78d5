/** Plain pages: the privacy notice and errors. */
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';

export function PrivacyPage({ ctx }: { ctx: PageCtx }) {
  const { t, tenant } = ctx;
  return (
    <Layout ctx={ctx} title={t('privacy.title')}>
      <h1>{t('privacy.title')}</h1>
      <p>{t('privacy.text', { town: tenant.name })}</p>
      <p>{t('privacy.rights', { email: tenant.contactEmail ?? '' })}</p>
    </Layout>
  );
}

export function ErrorPage({ ctx, title, message, staffArea }: { ctx: PageCtx; title: string; message: string; staffArea?: boolean }) {
  return (
    <Layout ctx={ctx} title={title} staffArea={staffArea}>
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a href={staffArea ? tenantPath(ctx, 'staff') : tenantPath(ctx)}>{ctx.t('booking.back_home')}</a>
      </p>
    </Layout>
  );
}
