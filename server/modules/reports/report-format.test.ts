import { describe, expect, it } from 'vitest';
import { translator } from '../../i18n/i18n.js';
import { niceScale } from './pdf-charts.js';
import { monthName, reportFileName, reportFormat, winAnsi } from './report-format.js';

describe('report formatting', () => {
  it('prints figures and signed changes in the language', () => {
    const ca = reportFormat('ca', translator('ca'));
    expect(ca.value('count', 12345)).toBe('12.345');
    expect(ca.value('share', 0.456)).toBe('45,6\u00a0%');
    expect(ca.value('seconds', 150)).toBe('2,5 min');
    expect(ca.value('score', 9)).toBe('9,0');
    expect(ca.value('share', null)).toBe('–');
    expect(ca.change('count', 6, 4)).toEqual({ text: '+2', direction: 1 });
    expect(ca.change('count', 4, 4)).toEqual({ text: '0', direction: 0 });
    expect(ca.change('share', 0.8, 1)).toEqual({ text: '-20,0 p.p.', direction: -1 });
    expect(ca.change('seconds', 120, 160)).toEqual({ text: '-0,7 min', direction: -1 });
    // a change that rounds to nothing is level, not a tiny arrow
    expect(ca.change('score', 8.71, 8.7)).toEqual({ text: '0,0', direction: 0 });
    expect(ca.change('count', 3, null)).toEqual({ text: '–', direction: null });
    const en = reportFormat('en', translator('en'));
    expect(en.value('count', 12345)).toBe('12,345');
    expect(en.change('share', 0.5, 0.25)).toEqual({ text: '+25.0 pp', direction: 1 });
    expect(en.value('days', 2.25)).toBe('2.3 days');
  });

  it('names months in each language', () => {
    expect(monthName('2026-11', 'ca')).toBe('novembre del 2026');
    expect(monthName('2026-10', 'es')).toBe('octubre de 2026');
    expect(monthName('2026-01', 'en')).toBe('January 2026');
    expect(reportFileName({ slug: 'sant-cugat' }, '2026-11', 'en')).toBe('sant-cugat-report-2026-11-en.pdf');
  });

  it('keeps text inside WinAnsi, the standard fonts\u2019 encoding', () => {
    expect(winAnsi('Col·legi, ç, ñ, ¿Qué? ¡Sí! – “cites” €')).toBe('Col·legi, ç, ñ, ¿Qué? ¡Sí! – “cites” €');
    expect(winAnsi('\u2212 5 \u2265 90 % i ŀl')).toBe('- 5 >= 90 % i l·l');
    expect(winAnsi('e\u0301')).toBe('é'); // decomposed accents are composed
    expect(winAnsi('漢字 → x')).toBe('?? -> x');
  });

  it('rounds chart axes to 1, 2 or 5 steps', () => {
    expect(niceScale(0)).toEqual({ top: 4, step: 1 });
    expect(niceScale(3)).toEqual({ top: 3, step: 1 });
    expect(niceScale(10)).toEqual({ top: 10, step: 5 });
    expect(niceScale(44)).toEqual({ top: 60, step: 20 });
    expect(niceScale(130)).toEqual({ top: 150, step: 50 });
  });
});
