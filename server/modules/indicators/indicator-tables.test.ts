import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../../shared/domain.js';
import { translator } from '../../i18n/i18n.js';
import { buildIndicators } from './compute-indicators.js';
import { durationText, INDICATOR_TABLE_IDS, indicatorTables, tableToCsv, targetLabel } from './indicator-tables.js';

const en = translator('en');
const ca = translator('ca');
const es = translator('es');

describe('targetLabel', () => {
  it('words the seed targets in each language', () => {
    const callback = { id: 'cb', metric: 'wait', channel: 'callback', threshold: 240, goalPercent: 90 } as const;
    const appointment = { id: 'ap', metric: 'first_free', threshold: 5, goalPercent: 90 } as const;
    expect(targetLabel(callback, en)).toBe('90% of call-backs within 4 minutes');
    expect(targetLabel(callback, ca)).toBe('90% de les trucades de retorn en 4 minuts');
    expect(targetLabel(callback, es)).toBe('90% de las llamadas de vuelta en 4 minutos');
    expect(targetLabel(appointment, en)).toBe('90% of appointments offered within 5 working days');
    expect(targetLabel(appointment, ca)).toBe('90% de les cites ofertes en 5 dies feiners');
    expect(targetLabel({ ...appointment, threshold: 1 }, es)).toBe('90% de las citas ofrecidas en 1 día hábil');
    expect(targetLabel({ id: 'h', metric: 'handling', threshold: 5400, goalPercent: 95.5 }, ca)).toBe('95,5% de les atencions resoltes en 1 hora i 30 minuts o menys');
    expect(targetLabel({ id: 'v', metric: 'wait', channel: 'video', threshold: 90, goalPercent: 80 }, en)).toBe('80% of video calls answered within 1 minute and 30 seconds');
  });

  it('phrases durations naturally', () => {
    expect(durationText(45, en)).toBe('45 seconds');
    expect(durationText(60, es)).toBe('1 minuto');
    expect(durationText(3600, ca)).toBe('1 hora');
    expect(durationText(9000, es)).toBe('2 horas y 30 minutos');
    expect(durationText(86_400, en)).toBe('24 hours');
    expect(durationText(0, en)).toBe('0 seconds');
  });
});

describe('tableToCsv', () => {
  it('writes RFC 4180 with CRLF and a byte-order mark, numbers as numbers, formulas defused', () => {
    const csv = tableToCsv({
      id: 'x',
      title: 'X',
      columns: ['Name', 'Count'],
      rows: [
        ['Padró, "alta"', 3],
        ['=HYPERLINK("http://x")', 1.5],
        ['+34 600', null],
        ['-1', -1],
        ['@cmd', 0],
        ['line\nbreak', Infinity],
        ['Tràmit', 2],
      ],
    });
    expect(csv).toBe(
      '\uFEFFName,Count\r\n"Padró, ""alta""",3\r\n"\'=HYPERLINK(""http://x"")",1.5\r\n\'+34 600,\r\n\'-1,-1\r\n\'@cmd,0\r\n"line\nbreak",\r\nTràmit,2\r\n',
    );
  });
});

describe('indicatorTables', () => {
  const ind = buildIndicators(
    { timeZone: 'Europe/Madrid', settings: { cancelCutoffMinutes: 60, survey: { questions: [{ id: 'clarity', kind: 'scale', required: false, label: { en: 'Clarity' } }] } } },
    { from: '2026-06-01', to: '2026-06-02' },
    'en',
    {
      channels: [
        { channel: 'video', counts: { n: 3, 'st:closed': 2, 'st:no_show': 1, appt: 2, 'h:9': 3, 'wd:1': 3, 'oc:resolved': 2, 'ty:t': 2, 'w:60': 2, wn: 2, ws: 100, 'hd:300': 2, hdn: 2, hds: 500, sv: 1, 'sl:8': 1, 'se:9': 1, 'sa:1': 1, 'sq:clarity:7': 1 } },
      ],
      procedures: [{ id: 'p', name: { en: 'Census' }, count: 3 }],
      daily: [{ day: '2026-06-02', value: 3 }],
      typologyNames: new Map([['t', { en: 'Info' }]]),
    },
  );

  it('has every table, in every language, without a missing translation', () => {
    for (const lang of LANGUAGES) {
      const t = translator(lang);
      const tables = indicatorTables(ind, t);
      expect(tables.map((x) => x.id)).toEqual([...INDICATOR_TABLE_IDS]);
      for (const table of tables) {
        const texts = [table.title, ...table.columns, ...table.rows.map((r) => r[0])].filter((x): x is string => typeof x === 'string');
        expect(texts.filter((x) => /^(indicators|weekday)\./.test(x)), `${lang} ${table.id}`).toEqual([]);
        for (const row of table.rows) expect(row, `${lang} ${table.id}`).toHaveLength(table.columns.length);
      }
    }
  });

  it('fills the tables from the indicators', () => {
    const byId = Object.fromEntries(indicatorTables(ind, en).map((x) => [x.id, x]));
    expect(byId['by-channel'].rows).toEqual([
      ['Video call', 3, 100],
      ['Phone call', 0, 0],
      ['Call-back', 0, 0],
    ]);
    expect(byId['by-day'].rows).toEqual([
      ['2026-06-01', 0],
      ['2026-06-02', 3],
    ]);
    expect(byId['by-hour'].rows[9]).toEqual(['09:00–10:00', 3]);
    expect(byId['by-hour'].rows[23]).toEqual(['23:00–00:00', 0]);
    expect(byId['by-weekday'].rows[0]).toEqual(['Monday', 3]);
    expect(byId.times.rows[0]).toEqual(['Waiting time (seconds)', 2, 50, 60]);
    expect(byId.summary.rows).toContainEqual(['No-show rate (%)', 50]);
    expect(byId.satisfaction.rows).toContainEqual(['Clarity', 1, 7, null, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    expect(byId.targets.rows[0]).toEqual(['90% of call-backs within 4 minutes', 90, 0, null, 'No data']);
  });
});
