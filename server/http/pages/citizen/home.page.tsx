/** The town hall's page: what you can get help with, and how. */
import { pickText } from '../../../../shared/domain.js';
import { liveSettings } from '../../../modules/attention/live-settings.js';
import type { Procedure } from '../../../modules/catalogue/catalogue.repository.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';
import { Sr } from '../form-parts.js';

export function HomePage({ ctx, procedures }: { ctx: PageCtx; procedures: Procedure[] }) {
  const { t, lang } = ctx;
  return (
    <Layout ctx={ctx} title={t('home.title')}>
      <h1>{t('home.title')}</h1>
      <p class="lead">{t('home.intro')}</p>
      <p class="actions">
        <a class="button secondary" href={tenantPath(ctx, 'join')}>
          {t('home.join_link')}
        </a>
        {liveSettings(ctx.tenant).queueOpen ? (
          <a class="button secondary" href={tenantPath(ctx, 'queue')}>
            {t('queue.home_link')}
          </a>
        ) : null}
      </p>
      <h2>{t('home.procedures_title')}</h2>
      {procedures.length === 0 ? <p>{t('home.no_procedures')}</p> : null}
      <ul class="cards">
        {procedures.map((p) => {
          const name = pickText(p.name, lang);
          return (
            <li class="card">
              <h3>{name}</h3>
              <p>{pickText(p.help, lang)}</p>
              <p class="meta">
                {t('home.channels')}: {p.channels.map((c) => t(`channel.${c}.name`)).join(', ')}
                {' · '}
                {t('home.duration', { count: p.durationMinutes })}
              </p>
              {p.documents.length ? (
                <details>
                  <summary>
                    {t('booking.documents_title')}
                    <Sr>: {name}</Sr>
                  </summary>
                  <ul>
                    {p.documents.map((d) => (
                      <li>{pickText(d.description, lang)}</li>
                    ))}
                  </ul>
                </details>
              ) : null}
              <a class="button" href={tenantPath(ctx, 'book', p.code)} aria-label={`${t('home.book')}: ${name}`}>
                {t('home.book')}
              </a>
            </li>
          );
        })}
      </ul>
    </Layout>
  );
}
