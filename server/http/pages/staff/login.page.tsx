/** Staff sign-in. */
import { ErrorSummary, TextField } from '../form-parts.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';

export function LoginPage({ ctx, email, message }: { ctx: PageCtx; email?: string; message?: string }) {
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('staff.login.title')} staffArea>
      <h1>{t('staff.login.title')}</h1>
      <ErrorSummary ctx={ctx} errors={{}} message={message} />
      <form method="post" action={tenantPath(ctx, 'staff', 'login')}>
        <input type="hidden" name="lang" value={ctx.lang} />
        <TextField name="email" type="email" label={t('fields.email')} value={email} required autocomplete="username" maxlength={254} />
        <TextField name="password" type="password" label={t('fields.password')} required autocomplete="current-password" maxlength={200} />
        <div class="actions">
          <button type="submit">{t('staff.login.submit')}</button>
        </div>
      </form>
    </Layout>
  );
}
