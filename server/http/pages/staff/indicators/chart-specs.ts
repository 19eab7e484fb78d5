/** The dashboard's charts, per table id of indicatorTables(), built from the period's Indicators. */
import { DateTime } from 'luxon';
import type { Language } from '../../../../../shared/domain.js';
import type { T } from '../../../../i18n/i18n.js';
import type { Breakdown, Indicators } from '../../../../modules/indicators/indicators.types.js';
import type { ChartSpec } from './chart-table.js';

/** `title` gives each chart the title of the table beside it (the two say the same). */
export function chartSpecs(ind: Indicators, t: T, lang: Language, title: (tableId: string) => string): Record<string, ChartSpec> {
  const attentions = t('dashboard.charts.attentions');
  const bars = (id: string, b: Breakdown): ChartSpec => ({
    type: 'bar',
    title: title(id),
    labels: b.map((x) => x.label),
    datasets: [{ label: attentions, data: b.map((x) => x.count) }],
  });
  const scale = Array.from({ length: 11 }, (_, i) => String(i));
  return {
    'by-day': {
      type: 'line',
      title: title('by-day'),
      labels: ind.volume.byDay.map((d) => DateTime.fromISO(d.day).setLocale(lang).toLocaleString({ day: 'numeric', month: 'short' })),
      datasets: [{ label: attentions, data: ind.volume.byDay.map((d) => d.count) }],
    },
    'by-type': bars('by-type', ind.volume.byType),
    'by-channel': bars('by-channel', ind.volume.byChannel),
    'by-procedure': bars('by-procedure', ind.volume.byProcedure),
    'by-outcome': bars('by-outcome', ind.volume.byOutcome),
    'by-hour': {
      type: 'bar',
      title: title('by-hour'),
      labels: ind.volume.byHour.map((_, h) => `${String(h).padStart(2, '0')}:00`),
      datasets: [{ label: attentions, data: ind.volume.byHour }],
    },
    'by-weekday': {
      type: 'bar',
      title: title('by-weekday'),
      labels: ind.volume.byWeekday.map((_, i) => t(`weekday_short.${i + 1}`)),
      datasets: [{ label: attentions, data: ind.volume.byWeekday }],
    },
    satisfaction: {
      type: 'bar',
      // drawn across the page, above its wide table: flatter
      aspectRatio: 3,
      title: title('satisfaction'),
      labels: scale,
      datasets: [
        { label: t('dashboard.charts.liked'), data: ind.satisfaction.likedDistribution },
        { label: t('dashboard.charts.easy'), data: ind.satisfaction.easyDistribution },
      ],
    },
  };
}
