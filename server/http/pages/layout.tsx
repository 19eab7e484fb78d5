/** The frame of every page: skip link, header with language switch, main, footer. */
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { VNode } from 'preact';
import { tenantPath, withLang, type PageCtx } from './page-context.js';

const LANGUAGE_NAMES: Record<string, string> = { ca: 'Català', es: 'Español', en: 'English' };

export function Layout(props: { ctx: PageCtx; title: string; children: ComponentChildren; staffArea?: boolean; scripts?: string[]; styles?: string[] }) {
  const { ctx, title } = props;
  const { t, tenant } = ctx;
  return (
    <html lang={ctx.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${tenant.name}`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
        <link rel="stylesheet" href={tenantPath(ctx, 'theme.css')} />
        {(props.styles ?? []).map((href) => (
          <link rel="stylesheet" href={href} />
        ))}
        <script src="/assets/app.js" defer></script>
        {(props.scripts ?? []).map((src) => (
          <script src={src} defer></script>
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          {t('layout.skip_to_content')}
        </a>
        <header class="site">
          <div class="bar">
            <a class="brand" href={props.staffArea ? tenantPath(ctx, 'staff') : tenantPath(ctx)}>
              {tenant.logoUrl ? <img src={tenant.logoUrl} alt="" /> : null}
              <span>{tenant.name}</span>
            </a>
            <nav aria-label={t('layout.languages')} class="langs">
              <ul>
                {tenant.languages.map((l) => (
                  <li>
                    <a href={withLang(ctx.url, l)} lang={l} hreflang={l} aria-current={l === ctx.lang ? 'true' : undefined}>
                      {LANGUAGE_NAMES[l] ?? l}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          </div>
          {props.staffArea && ctx.staff ? <StaffNav ctx={ctx} /> : null}
        </header>
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
        <footer class="site">
          <p>
            {[tenant.name, tenant.address, tenant.contactPhone, tenant.contactEmail].filter(Boolean).join(' · ')}
          </p>
          {props.staffArea ? null : (
            <p>
              <a href={tenantPath(ctx, 'privacy')}>{t('layout.privacy')}</a>
              {' · '}
              <a href={tenantPath(ctx, 'staff', 'login')}>{t('layout.staff_area')}</a>
            </p>
          )}
        </footer>
      </body>
    </html>
  );
}

function StaffNav({ ctx }: { ctx: PageCtx }) {
  const { t } = ctx;
  const admin = ctx.staff?.role === 'admin';
  const supervisor = admin || ctx.staff?.role === 'supervisor';
  return (
    <nav aria-label={t('staff.nav_label')} class="staffnav">
      <ul>
        <li><a href={tenantPath(ctx, 'staff', 'console')}>{t('console.title')}</a></li>
        <li>
          <a href={tenantPath(ctx, 'staff')}>{t('staff.agenda.title')}</a>
        </li>
        {supervisor ? <li><a href={tenantPath(ctx, 'staff', 'indicators')}>{t('dashboard.nav')}</a></li> : null}
        {supervisor ? <li><a href={tenantPath(ctx, 'staff', 'reports')}>{t('report.page.title')}</a></li> : null}
        {admin ? (
          <li>
            <a href={tenantPath(ctx, 'staff', 'procedures')}>{t('staff.procedures.title')}</a>
          </li>
        ) : null}
        {admin ? (
          <li>
            <a href={tenantPath(ctx, 'staff', 'calendar')}>{t('staff.calendar.title')}</a>
          </li>
        ) : null}
        {admin ? (
          <li>
            <a href={tenantPath(ctx, 'staff', 'people')}>{t('staff.people.title')}</a>
          </li>
        ) : null}
        {admin ? <li><a href={tenantPath(ctx, 'staff', 'live-settings')}>{t('staff.live_settings.title')}</a></li> : null}
        {admin ? <li><a href={tenantPath(ctx, 'staff', 'indicator-settings')}>{t('staff.indicator_settings.title')}</a></li> : null}
        {admin ? <li><a href={tenantPath(ctx, 'staff', 'survey-settings')}>{t('survey_settings.title')}</a></li> : null}
        {admin ? <li><a href={tenantPath(ctx, 'staff', 'officials')}>{t('staff.officials.title')}</a></li> : null}
        {supervisor ? <li><a href={tenantPath(ctx, 'staff', 'handoffs')}>{t('handoff.list.title')}</a></li> : null}
        {admin ? <li><a href={tenantPath(ctx, 'staff', 'integration')}>{t('handoff.integration.title')}</a></li> : null}
        {admin ? (
          <li>
            <a href={tenantPath(ctx, 'staff', 'outbox')}>{t('staff.outbox.title')}</a>
          </li>
        ) : null}
        <li>
          <form method="post" action={tenantPath(ctx, 'staff', 'logout')}>
            <input type="hidden" name="_csrf" value={ctx.csrf} />
            <button type="submit" class="link">
              {t('staff.logout', { name: ctx.staff?.fullName })}
            </button>
          </form>
        </li>
      </ul>
    </nav>
  );
}

/** Renders a page component to a complete HTML document. */
export function renderPage(node: VNode<any>): string {
  return `<!doctype html>${renderToString(node)}`;
}
