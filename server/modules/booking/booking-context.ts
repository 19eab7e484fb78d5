/** The few things booking use cases need; passed explicitly, never a god-service. */
import type { Database } from '../../db/client.js';
import type { CalendarCache } from '../scheduling/calendar-cache.js';

export type BookingDeps = {
  database: Database;
  calendars: CalendarCache;
  /** Attempts before an email job is marked failed. */
  jobMaxAttempts: number;
  /** Wakes the job worker so that emails leave at once. */
  kickJobs: () => void;
  now?: () => number;
};
