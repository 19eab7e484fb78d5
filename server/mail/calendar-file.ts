/**
 * RFC 5545 calendar file for an appointment, with TZID and a VTIMEZONE so the
 * time shows correctly in any calendar. Texts in the citizen's language.
 */
import { ICalCalendar, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { tzlib_get_ical_block } from 'timezones-ical-library';

export type CalendarEvent = {
  uid: string;
  sequence: number;
  cancelled: boolean;
  start: Date;
  end: Date;
  timeZone: string;
  summary: string;
  description: string;
  location: string;
  url?: string;
  organizer?: { name: string; email: string };
};

export function calendarFile(e: CalendarEvent): string {
  const cal = new ICalCalendar({
    prodId: { company: 'Finestreta', product: 'finestreta', language: 'EN' },
    method: e.cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.PUBLISH,
  });
  cal.timezone({ name: e.timeZone, generator: (tz) => tzlib_get_ical_block(tz)[0] });
  cal.createEvent({
    id: e.uid,
    sequence: e.sequence,
    start: DateTime.fromJSDate(e.start, { zone: e.timeZone }),
    end: DateTime.fromJSDate(e.end, { zone: e.timeZone }),
    timezone: e.timeZone,
    summary: e.summary,
    description: e.description,
    location: e.location,
    url: e.url,
    organizer: e.organizer,
    status: e.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  // RFC 5545 §3.8.7.2: DTSTAMP is UTC. ical-generator writes it in the calendar's zone, so set it here.
  const stamp = DateTime.utc().toFormat("yyyyMMdd'T'HHmmss'Z'");
  return cal.toString().replace(/^DTSTAMP:.*$/m, `DTSTAMP:${stamp}`);
}
