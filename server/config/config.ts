/**
 * Every setting of the server, validated once at boot. This is the only module
 * that reads `process.env`; a bad value stops the process naming the variable.
 */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  /** HTTP port. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Interface to listen on; 0.0.0.0 behind a load balancer. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Public base URL used in emails and calendar files; defaults to http://localhost:PORT. */
  PUBLIC_URL: z.url().optional(),
  /** PostgreSQL URL; when absent the embedded PGlite database in DATA_DIR is used. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  /** Maximum connections in the PostgreSQL pool. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  /** Folder for the embedded database and local files. */
  DATA_DIR: z.string().min(1).default('./data'),
  /** SMTP server (smtp://user:pass@host:port or smtps://…); when absent emails stay in the outbox. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  /** Sender address of outgoing emails. */
  MAIL_FROM: z.string().min(3).default('Finestreta <no-reply@finestreta.localhost>'),
  /** pino log level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Seed a demo town hall when the database has no tenant. */
  DEMO_SEED: bool.default(true),
  /** Trust X-Forwarded-* headers (behind a proxy or load balancer). */
  TRUST_PROXY: bool.default(false),
  /** Booking requests per IP per minute. */
  RATE_LIMIT_BOOKING_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /** Login attempts per IP per minute. */
  RATE_LIMIT_LOGIN_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  /** Failed logins in a row before an account is locked for ACCOUNT_LOCK_MINUTES. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  ACCOUNT_LOCK_MINUTES: z.coerce.number().int().min(1).default(15),
  /** Staff session lifetime. */
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  /** How often open staff sockets are checked against their session (signed out → disconnected). */
  LIVE_SESSION_CHECK_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Run the background job worker in this process. */
  WORKER: bool.default(true),
  /** How often the worker looks for due jobs. */
  JOB_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Attempts before an email job is marked failed. */
  JOB_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /**
   * ICE servers for the calls, as JSON: `[{"urls":"stun:stun.example.org:3478"}]`.
   * Empty (the default) uses host candidates only, which works on one network.
   */
  ICE_SERVERS: z
    .string()
    .default('[]')
    .transform((s, c) => {
      try {
        return iceServerList.parse(JSON.parse(s));
      } catch {
        c.addIssue({ code: 'custom', message: 'must be a JSON array of {urls, username?, credential?}' });
        return z.NEVER;
      }
    }),
  /** TURN servers (coturn `use-auth-secret`), comma-separated `turn:`/`turns:` URLs; credentials are minted per call. */
  TURN_URLS: z
    .string()
    .transform((s) => s.split(',').map((u) => u.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^turns?:[^\s]+$/, 'each URL must start with turn: or turns:')).max(10))
    .default([]),
  /** coturn's `static-auth-secret`; required with TURN_URLS. */
  TURN_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Lifetime of minted TURN credentials. */
  TURN_CREDENTIAL_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  /**
   * Master key for files encrypted at rest (recordings, documents): 32 bytes in base64.
   * Absent: a key is generated once in DATA_DIR/keys (fine for a demo, not for production).
   */
  STORAGE_MASTER_KEY: z
    .string()
    .refine((s) => Buffer.from(s, 'base64').length === 32, 'must be 32 bytes in base64')
    .optional(),
  /** How often each process sweeps for no-shows and due phone/call-back requests. */
  LIVE_SWEEP_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
  /** How often each process looks for an hour of availability to sample (indicators); 0 = never. */
  FIRST_FREE_SAMPLE_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
  /** Virtual-queue entries per IP per minute. */
  RATE_LIMIT_QUEUE_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  /** Public transparency panel and open-data requests per IP and route. */
  RATE_LIMIT_OPEN_DATA_PER_MINUTE: z.coerce.number().int().min(1).max(100000).default(120),
  /** Public receipt verification (page, API and receipt download by CSV) requests per IP per minute. */
  RATE_LIMIT_VERIFY_PER_MINUTE: z.coerce.number().int().min(1).max(100000).default(20),
  /**
   * Slug of the operator's own tenant, for a service run for several town halls: its supervisors and
   * admins see the cross-tenant comparison (/{slug}/staff/compare). Absent: nobody does.
   */
  OPERATOR_TENANT: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/, 'must be a tenant slug (lowercase letters, digits, hyphens)')
    .optional(),
  /**
   * The town hall's organisation certificate for sealing receipts and evidence manifests: a PKCS#12
   * (.p12/.pfx) file with the private key and its certificate (and chain). Absent: a self-signed demo
   * seal is generated once in DATA_DIR/keys/seal.p12 (fine for a demo, not legally valid).
   */
  SEAL_P12_PATH: z.string().min(1).optional(),
  /** Password of SEAL_P12_PATH; required with it. Never logged. */
  SEAL_P12_PASSWORD: z.string().optional(),
  /** How often each process runs the retention task (package files purged, personal data anonymised); 0 = never. */
  RETENTION_SWEEP_SECONDS: z.coerce.number().int().min(0).max(86_400).default(3600),
  /** Attempts of a package delivery to the case-management webhook (exponential backoff, up to an hour apart). */
  HANDOFF_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(12),
  /** A webhook call that has not answered after this many milliseconds counts as failed. */
  HANDOFF_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  /** Pull API requests (case-management systems) per IP per minute. */
  RATE_LIMIT_HANDOFF_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(600),
  /** Let webhooks point at plain http and at loopback or private addresses (local tests only; never in production). */
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  /** Largest document a citizen or agent may upload, in bytes (default 4 GiB; docs/DOCUMENTS.md). */
  UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 ** 4).default(4 * 1024 ** 3),
  /** An upload not finished within this many hours is refused (upload_incomplete) and its parts deleted. */
  UPLOAD_EXPIRY_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(24),
  /** Upload requests (tus POST/PATCH/HEAD) per IP per minute. */
  RATE_LIMIT_UPLOAD_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(600),
  /** clamd to scan documents with (INSTREAM): `tcp://127.0.0.1:3310` or `unix:///run/clamav/clamd.ctl`. Absent: no scan. */
  CLAMD_URL: z
    .string()
    .regex(/^(tcp:\/\/[^/\s]+:\d{1,5}|unix:\/\/\/\S+)$/, 'must be tcp://host:port or unix:///path')
    .optional(),
  /** How long a scan may take before the upload is refused with scan_unavailable, in milliseconds. */
  CLAMD_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
})
  .refine((c) => c.TURN_URLS.length === 0 || !!c.TURN_SECRET, { path: ['TURN_SECRET'], message: 'is required when TURN_URLS is set' })
  .refine((c) => !c.SEAL_P12_PATH || c.SEAL_P12_PASSWORD !== undefined, { path: ['SEAL_P12_PASSWORD'], message: 'is required when SEAL_P12_PATH is set' });

const iceServerList = z
  .array(
    z.object({
      urls: z.union([z.string().regex(/^(stun|stuns|turn|turns):/), z.array(z.string().regex(/^(stun|stuns|turn|turns):/)).min(1)]),
      username: z.string().optional(),
      credential: z.string().optional(),
    }),
  )
  .max(10);

export type Config = z.infer<typeof schema> & { PUBLIC_URL: string };

/** Thrown for bad configuration; `main` prints it and exits. */
export class ConfigError extends Error {}

/** Parses settings from an environment-like object (process.env by default). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = result.data;
  return { ...c, PUBLIC_URL: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, '') };
}
