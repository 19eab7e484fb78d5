/** What route modules receive: the few shared parts of a running server. */
import type { Config } from '../config/config.js';
import type { Database } from '../db/client.js';
import type { BookingDeps } from '../modules/booking/booking-context.js';
import type { CalendarCache } from '../modules/scheduling/calendar-cache.js';
import type { Sealer } from '../modules/sealing/sealer.js';
import type { TenantCache } from '../modules/tenants/tenant-cache.js';
import type { FileStore } from '../storage/encrypted-files.js';

export type AppContext = {
  config: Config;
  database: Database;
  tenants: TenantCache;
  calendars: CalendarCache;
  booking: BookingDeps;
  /** Whether emails can leave (SMTP configured). */
  smtpConfigured: boolean;
  /** The encrypted file store (opened on first use, shared by the process). */
  files: () => Promise<FileStore>;
  /** The organisation seal (loaded on first use: the demo seal's key is generated once, on first need). */
  sealer: () => Promise<Sealer>;
  /** Runs due jobs now (e.g. after queueing one), without waiting for the next poll. */
  kickJobs: () => void;
};
