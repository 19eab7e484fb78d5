/** What route modules receive: the few shared parts of a running server. */
import type { Config } from '../config/config.js';
import type { Database } from '../db/client.js';
import type { BookingDeps } from '../modules/booking/booking-context.js';
import type { CalendarCache } from '../modules/scheduling/calendar-cache.js';
import type { TenantCache } from '../modules/tenants/tenant-cache.js';

export type AppContext = {
  config: Config;
  database: Database;
  tenants: TenantCache;
  calendars: CalendarCache;
  booking: BookingDeps;
  /** Whether emails can leave (SMTP configured). */
  smtpConfigured: boolean;
};
