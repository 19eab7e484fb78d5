/** The dashboard's GET filter form (period, procedure, channel, department, agent) and its one-click periods. */
import { ErrorSummary, Select, TextField, type FieldErrors } from '../../form-parts.js';
import type { PageCtx } from '../../page-context.js';
import type { QuickPeriod } from './quick-periods.js';

/** The filter as typed (query-string names), shown back in the form. */
export type FilterValues = { from?: string; to?: string; procedure?: string; channel?: string; department?: string; agent?: string };
export type Option = { value: string; label: string };

export type FilterFormProps = {
  ctx: PageCtx;
  action: string;
  values: FilterValues;
  errors: FieldErrors;
  message?: string;
  options: { procedures: Option[]; channels: Option[]; departments: Option[]; agents: Option[] };
  quick: { key: QuickPeriod; href: string; current: boolean }[];
};

export function FilterForm(p: FilterFormProps) {
  const { t } = p.ctx;
  const all = { value: '', label: t('dashboard.filter.all') };
  return (
    <section class="dashboard-filter" aria-labelledby="filter-title">
      <h2 id="filter-title">{t('dashboard.filter.title')}</h2>
      <ErrorSummary ctx={p.ctx} errors={p.errors} message={p.message} />
      <nav aria-label={t('dashboard.filter.quick_label')} class="quick-periods">
        <ul>
          {p.quick.map((q) => (
            <li>
              <a href={q.href} aria-current={q.current ? 'true' : undefined}>
                {t(`dashboard.filter.quick.${q.key}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <form method="get" action={p.action} class="filters" novalidate>
        <TextField name="from" type="date" label={t('dashboard.filter.from')} hint={t('dashboard.filter.date_hint')} value={p.values.from} errors={p.errors} />
        <TextField name="to" type="date" label={t('dashboard.filter.to')} hint={t('dashboard.filter.date_hint')} value={p.values.to} errors={p.errors} />
        <Select name="procedure" label={t('dashboard.filter.procedure')} value={p.values.procedure ?? ''} options={[all, ...p.options.procedures]} errors={p.errors} />
        <Select name="channel" label={t('dashboard.filter.channel')} value={p.values.channel ?? ''} options={[all, ...p.options.channels]} errors={p.errors} />
        <Select name="department" label={t('dashboard.filter.department')} value={p.values.department ?? ''} options={[all, ...p.options.departments]} errors={p.errors} />
        <Select name="agent" label={t('dashboard.filter.agent')} value={p.values.agent ?? ''} options={[all, ...p.options.agents]} errors={p.errors} />
        <div class="field">
          <button type="submit">{t('dashboard.filter.apply')}</button>
        </div>
      </form>
    </section>
  );
}
