/** Monthly reports (supervisors, admins): generate one on demand, see how it goes, download the stored ones. */
import type { Language } from '../../../../shared/domain.js';
import { formatDateTime } from '../../../i18n/format.js';
import { capitalise, monthName } from '../../../modules/reports/report-format.js';
import type { ReportJob, ReportSummary } from '../../../modules/reports/reports.repository.js';
import { ErrorSummary, Select, Sr, type FieldErrors } from '../form-parts.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';

/** What happened to the report the supervisor just asked for. */
export type ReportNotice = { state: 'preparing' | 'ready' | 'failed'; jobId: string; month: string; language: Language; reportId?: string };

export function ReportsPage(p: {
  ctx: PageCtx;
  reports: ReportSummary[];
  jobs: ReportJob[];
  /** Months offered, newest (the current one) first. */
  months: string[];
  values: { month: string; language: string };
  errors?: FieldErrors;
  notice?: ReportNotice;
  /** The language of the automatic report. */
  scheduledLanguage: Language;
}) {
  const { ctx } = p;
  const { t, lang, tenant } = ctx;
  const month = (m: string) => capitalise(monthName(m, lang));
  const language = (l: string) => t(`report.language.${l}`);
  const pdfPath = (id: string) => tenantPath(ctx, 'staff', 'reports', `${id}.pdf`);
  const waiting = p.jobs.filter((j) => j.status === 'pending' || j.status === 'running');
  return (
    <Layout ctx={ctx} title={t('report.page.title')} staffArea>
      <h1>{t('report.page.title')}</h1>
      {p.notice ? <Notice ctx={ctx} notice={p.notice} month={monthName(p.notice.month, lang)} language={language(p.notice.language)} pdfPath={pdfPath} /> : null}
      <ErrorSummary ctx={ctx} errors={p.errors ?? {}} />
      <p>{t('report.page.intro')}</p>
      <p>
        {t('report.page.default_language')}: {language(p.scheduledLanguage)}
      </p>

      <h2>{t('report.page.generate_title')}</h2>
      <form method="post" action={tenantPath(ctx, 'staff', 'reports')} novalidate>
        <input type="hidden" name="_csrf" value={ctx.csrf} />
        <Select
          name="month"
          label={t('report.page.month')}
          value={p.values.month}
          errors={p.errors}
          options={p.months.map((m, i) => ({ value: m, label: i === 0 ? t('report.page.current', { month: month(m) }) : month(m) }))}
        />
        <Select
          name="language"
          label={t('report.page.language')}
          value={p.values.language}
          errors={p.errors}
          options={tenant.languages.map((l) => ({ value: l, label: language(l) }))}
        />
        <div class="actions">
          <button type="submit">{t('report.page.submit')}</button>
        </div>
      </form>

      {waiting.length ? (
        <>
          <h2>{t('report.page.pending_title')}</h2>
          <ul>
            {waiting.map((j) => (
              <li>
                {month(j.month)} ({language(j.language ?? p.scheduledLanguage)}): {t(`report.page.status_${j.status}`)}
              </li>
            ))}
          </ul>
          <p>
            <a href={`${tenantPath(ctx, 'staff', 'reports')}?lang=${lang}`}>{t('report.page.refresh')}</a>
          </p>
        </>
      ) : null}

      <h2 id="reports-list">{t('report.page.list_title')}</h2>
      {p.reports.length === 0 ? <p>{t('report.page.empty')}</p> : null}
      {p.reports.length ? (
        <table aria-labelledby="reports-list">
          <thead>
            <tr>
              <th scope="col">{t('report.page.col_month')}</th>
              <th scope="col">{t('report.page.col_language')}</th>
              <th scope="col">{t('report.page.col_generated')}</th>
              <th scope="col">{t('report.page.col_trigger')}</th>
              <th scope="col">{t('report.page.col_file')}</th>
            </tr>
          </thead>
          <tbody>
            {p.reports.map((r) => (
              <tr>
                <th scope="row">{month(r.month)}</th>
                <td>{language(r.language)}</td>
                <td>{formatDateTime(r.generatedAt, tenant.timeZone, lang)}</td>
                <td>{t(`report.page.trigger_${r.trigger}`)}</td>
                <td>
                  <a href={pdfPath(r.id)} download>
                    {t('report.page.download')}
                    <Sr> {t('report.page.download_context', { month: monthName(r.month, lang), language: language(r.language) })}</Sr>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Layout>
  );
}

function Notice(p: { ctx: PageCtx; notice: ReportNotice; month: string; language: string; pdfPath: (id: string) => string }) {
  const { t, lang } = p.ctx;
  const { notice } = p;
  if (notice.state === 'failed') {
    return (
      <p class="notice" role="status">
        {t('report.page.failed', { month: p.month })}
      </p>
    );
  }
  if (notice.state === 'ready' && notice.reportId) {
    return (
      <p class="success" role="status">
        {t('report.page.ready', { month: p.month, language: p.language })}{' '}
        <a href={p.pdfPath(notice.reportId)} download>
          {t('report.page.download')}
        </a>
      </p>
    );
  }
  return (
    <p class="notice" role="status">
      {t('report.page.preparing', { month: p.month, language: p.language })}{' '}
      <a href={`${tenantPath(p.ctx, 'staff', 'reports')}?lang=${lang}&job=${notice.jobId}`}>{t('report.page.refresh')}</a>
    </p>
  );
}
