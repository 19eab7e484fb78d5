import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { calendarFile } from './calendar-file.js';

describe('calendarFile', () => {
  it('is parsed by ical.js with TZID and the right instant', () => {
    const ics = calendarFile({
      uid: 'abc@finestreta',
      sequence: 2,
      cancelled: false,
      start: new Date('2026-10-26T09:00:00Z'),
      end: new Date('2026-10-26T09:30:00Z'),
      timeZone: 'Europe/Madrid',
      summary: 'Cita: empadronament',
      description: 'Línia 1\nLínia 2, amb coma; i punt i coma',
      location: 'https://example.test/join',
    });
    const comp = new ICAL.Component(ICAL.parse(ics));
    const tz = comp.getFirstSubcomponent('vtimezone')!;
    expect(tz.getFirstPropertyValue('tzid')).toBe('Europe/Madrid');
    ICAL.TimezoneService.register(tz);
    const ev = new ICAL.Event(comp.getFirstSubcomponent('vevent')!);
    expect(ev.uid).toBe('abc@finestreta');
    expect(ev.summary).toBe('Cita: empadronament');
    expect(ev.description).toBe('Línia 1\nLínia 2, amb coma; i punt i coma');
    expect(ev.startDate.zone.tzid).toBe('Europe/Madrid');
    expect(ev.startDate.toString()).toContain('2026-10-26T10:00:00');
    expect(ev.startDate.toJSDate().toISOString()).toBe('2026-10-26T09:00:00.000Z');
    expect(ev.sequence).toBe(2);
    expect(ics).toMatch(/^DTSTAMP:\d{8}T\d{6}Z\r?$/m);
  });
  it('marks cancellations', () => {
    const ics = calendarFile({
      uid: 'x@f', sequence: 1, cancelled: true, start: new Date(), end: new Date(Date.now() + 1), timeZone: 'Europe/Madrid',
      summary: 's', description: 'd', location: 'l',
    });
    expect(ics).toMatch(/METHOD:CANCEL/);
    expect(ics).toMatch(/STATUS:CANCELLED/);
  });
});
