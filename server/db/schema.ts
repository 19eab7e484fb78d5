/**
 * The one database schema, for PGlite and PostgreSQL alike. Invariants that the
 * database can hold live here or in the hand-written migration (exclusion
 * constraint against double booking, generated ranges).
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  time,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { AccessibilityNeed, Channel, Language, LocalizedText, Role } from '../../shared/domain.js';

const id = () => uuid('id').primaryKey().defaultRandom();
const tenantRef = () =>
  uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' });
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export type TenantSettings = {
  /** Minutes before the start after which a citizen can no longer cancel or reschedule. */
  cancelCutoffMinutes: number;
  /** Live attention settings; absent fields take the defaults of `liveSettings()`. */
  live?: Partial<LiveSettings>;
  /** Indicators: targets, monthly report, publication; absent fields take the defaults of `indicatorSettings()`. */
  indicators?: Partial<IndicatorSettings>;
  /** The satisfaction survey's questions, in order; absent = the default set (modules/surveys/survey-questions.ts). */
  survey?: { questions: SurveyQuestionConfig[] };
  /** The formal procedure (documents, consent, hand-off, retention); absent fields take the defaults of `formalSettings()`. */
  formal?: Partial<FormalSettings>;
};

/** How a town hall runs formal procedures (see modules/filing/formal-settings.ts for defaults). */
export type FormalSettings = {
  /** Citizens may upload documents until this many hours before the slot (later only when the agent reopens). */
  uploadDeadlineHours: number;
  /** Optional one-time code as a simple signature of the consent: off, or sent by email. */
  consentOtp: 'off' | 'email';
  /** Days after an attention ends before the appointment's personal data is anonymised. */
  personalDataRetentionDays: number;
};

/**
 * A service-level target, e.g. "90% of call-backs within 4 minutes" =
 * `{ metric: 'wait', channel: 'callback', threshold: 240, goalPercent: 90 }`, or
 * "90% of appointments offered within 5 working days" =
 * `{ metric: 'first_free', threshold: 5, goalPercent: 90 }`.
 */
export type ServiceTarget = {
  /** Stable code, unique in the tenant (`^[a-z0-9-]{1,40}$`). */
  id: string;
  /** wait = taken − max(queued, due) (seconds); handling = closed − taken (seconds); first_free = working days to the first free slot. */
  metric: 'wait' | 'handling' | 'first_free';
  /** Only attentions (or availability samples) of this channel; absent = every channel. */
  channel?: 'video' | 'phone' | 'callback';
  /** Seconds for wait/handling (a histogram edge, see modules/indicators/histogram.ts), working days for first_free. */
  threshold: number;
  /** The share that must meet the threshold, 1–100. */
  goalPercent: number;
};

/** How a town hall uses its indicators (see modules/indicators/indicator-settings.ts for defaults). */
export type IndicatorSettings = {
  targets: ServiceTarget[];
  /** Who receives the monthly report by email. */
  reportRecipients: string[];
  /** The report's language; absent = the tenant's default language. */
  reportLanguage?: Language;
  /** The public transparency panel and open-data API are on. */
  publishTransparency: boolean;
  /** The tenant appears in the operator's cross-tenant comparison (opt-out). */
  shareWithOperator: boolean;
};

/** One question of a tenant's satisfaction survey. The default ids are liked, easy, again, comment. */
export type SurveyQuestionConfig = {
  /** `liked`, `easy`, `again`, `comment`, or a custom code (`^[a-z][a-z0-9_]{0,30}$`). */
  id: string;
  kind: 'scale' | 'yes_no' | 'text';
  required: boolean;
  /** The wording per language; absent for a default question = its translated default wording. */
  label?: LocalizedText;
};

/** How the live attention behaves in a town hall (see modules/attention/live-settings.ts for defaults). */
export type LiveSettings = {
  /** The waiting room opens this many minutes before the slot. */
  waitingRoomOpensMinutes: number;
  /** A booked citizen absent this long after the start is a no-show. */
  noShowMinutes: number;
  /** Failed call attempts after which a phone or call-back request ends as not reached. */
  maxCallAttempts: number;
  /** Link for click-to-call; `{number}` is replaced by the E.164 number (e.g. `sip:{number}@pbx.example`). */
  callLinkTemplate: string;
  /** The virtual queue (no appointment) is open to citizens. */
  queueOpen: boolean;
  /** Priority given to each reason a citizen may state when joining the queue (0 = none). */
  queuePriorities: Partial<Record<'over_65' | 'disability' | 'pregnancy', number>>;
};

export const tenants = pgTable(
  'tenants',
  {
    id: id(),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull(),
    dir3Code: text('dir3_code').notNull(),
    timeZone: text('time_zone').notNull().default('Europe/Madrid'),
    languages: text('languages').array().$type<Language[]>().notNull(),
    defaultLanguage: text('default_language').$type<Language>().notNull(),
    logoUrl: text('logo_url'),
    colour: text('colour').notNull().default('#0b5394'),
    contactEmail: text('contact_email'),
    contactPhone: text('contact_phone'),
    address: text('address'),
    settings: jsonb('settings').$type<TenantSettings>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    check('tenants_slug_format', sql`${t.slug} ~ '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$'`),
    check('tenants_colour_format', sql`${t.colour} ~ '^#[0-9a-fA-F]{6}$'`),
    check('tenants_default_language_offered', sql`${t.defaultLanguage} = ANY(${t.languages})`),
  ],
);

/** Opening hours of the office per ISO weekday (1 = Monday). Several rows a day allowed. */
export const officeHours = pgTable(
  'office_hours',
  {
    id: id(),
    tenantId: tenantRef(),
    weekday: smallint('weekday').notNull(),
    opensAt: time('opens_at').notNull(),
    closesAt: time('closes_at').notNull(),
  },
  (t) => [
    index('office_hours_tenant_idx').on(t.tenantId),
    check('office_hours_weekday', sql`${t.weekday} BETWEEN 1 AND 7`),
    check('office_hours_order', sql`${t.opensAt} < ${t.closesAt}`),
  ],
);

export const holidays = pgTable(
  'holidays',
  {
    id: id(),
    tenantId: tenantRef(),
    day: date('day').notNull(),
    name: jsonb('name').$type<LocalizedText>().notNull(),
  },
  (t) => [unique('holidays_tenant_day').on(t.tenantId, t.day)],
);

export const departments = pgTable(
  'departments',
  {
    id: id(),
    tenantId: tenantRef(),
    name: jsonb('name').$type<LocalizedText>().notNull(),
  },
  (t) => [index('departments_tenant_idx').on(t.tenantId)],
);

export type RequiredDocument = { description: LocalizedText };

export const procedures = pgTable(
  'procedures',
  {
    id: id(),
    tenantId: tenantRef(),
    code: text('code').notNull(),
    name: jsonb('name').$type<LocalizedText>().notNull(),
    help: jsonb('help').$type<LocalizedText>().notNull(),
    departmentId: uuid('department_id').references(() => departments.id, { onDelete: 'set null' }),
    channels: text('channels').array().$type<Channel[]>().notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    bufferMinutes: integer('buffer_minutes').notNull().default(0),
    minNoticeMinutes: integer('min_notice_minutes').notNull().default(60),
    horizonDays: integer('horizon_days').notNull().default(30),
    documents: jsonb('documents').$type<RequiredDocument[]>().notNull().default([]),
    /** The request form (a JSON Schema object, checked by modules/filing/request-schema.ts); null = no form. */
    requestSchema: jsonb('request_schema').$type<Record<string, unknown>>(),
    /** Days after the hand-off is acknowledged before documents, identity images and the recording are deleted. */
    retentionDays: integer('retention_days').notNull().default(7),
    active: boolean('active').notNull().default(true),
    position: integer('position').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    unique('procedures_tenant_code').on(t.tenantId, t.code),
    check('procedures_code_format', sql`${t.code} ~ '^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$'`),
    check('procedures_channels_known', sql`${t.channels} <@ ARRAY['video','phone','callback','in_person']::text[] AND cardinality(${t.channels}) > 0`),
    check('procedures_duration', sql`${t.durationMinutes} BETWEEN 5 AND 480`),
    check('procedures_buffer', sql`${t.bufferMinutes} BETWEEN 0 AND 240`),
    check('procedures_notice', sql`${t.minNoticeMinutes} BETWEEN 0 AND 43200`),
    check('procedures_horizon', sql`${t.horizonDays} BETWEEN 1 AND 366`),
    check('procedures_retention', sql`${t.retentionDays} BETWEEN 0 AND 3650`),
    check('procedures_request_schema_object', sql`${t.requestSchema} IS NULL OR jsonb_typeof(${t.requestSchema}) = 'object'`),
  ],
);

export const staff = pgTable(
  'staff',
  {
    id: id(),
    tenantId: tenantRef(),
    email: text('email').notNull(),
    fullName: text('full_name').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role').$type<Role>().notNull(),
    /** Channels this person attends; empty for someone who attends none. */
    channels: text('channels').array().$type<Channel[]>().notNull().default(sql`'{}'::text[]`),
    /** Procedures this person attends; empty means all. */
    procedureIds: uuid('procedure_ids').array().notNull().default(sql`'{}'::uuid[]`),
    active: boolean('active').notNull().default(true),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('staff_tenant_email').on(t.tenantId, sql`lower(${t.email})`),
    check('staff_role_known', sql`${t.role} IN ('agent','supervisor','admin')`),
  ],
);

/** Weekly working hours of a staff member, in the tenant's time zone. */
export const staffSchedules = pgTable(
  'staff_schedules',
  {
    id: id(),
    tenantId: tenantRef(),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staff.id, { onDelete: 'cascade' }),
    weekday: smallint('weekday').notNull(),
    startsAt: time('starts_at').notNull(),
    endsAt: time('ends_at').notNull(),
  },
  (t) => [
    index('staff_schedules_staff_idx').on(t.tenantId, t.staffId),
    check('staff_schedules_weekday', sql`${t.weekday} BETWEEN 1 AND 7`),
    check('staff_schedules_order', sql`${t.startsAt} < ${t.endsAt}`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the cookie token; the token itself is never stored. */
    tokenHash: text('token_hash').primaryKey(),
    tenantId: tenantRef(),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staff.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('sessions_staff_idx').on(t.staffId)],
);

export const appointments = pgTable(
  'appointments',
  {
    id: id(),
    tenantId: tenantRef(),
    reference: text('reference').notNull(),
    procedureId: uuid('procedure_id')
      .notNull()
      .references(() => procedures.id, { onDelete: 'restrict' }),
    channel: text('channel').$type<Channel>().notNull(),
    /** `slot` for a chosen time, `asap` for a call-me-back as soon as possible. */
    kind: text('kind').$type<'slot' | 'asap'>().notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }),
    endsAt: timestamp('ends_at', { withTimezone: true }),
    /** End of the agent's occupation: ends_at plus the procedure's buffer. */
    blockedUntil: timestamp('blocked_until', { withTimezone: true }),
    agentId: uuid('agent_id').references(() => staff.id, { onDelete: 'restrict' }),
    status: text('status').$type<'booked' | 'cancelled' | 'attended' | 'no_show'>().notNull().default('booked'),
    citizenName: text('citizen_name').notNull(),
    email: text('email'),
    phone: text('phone'),
    taxId: text('tax_id'),
    language: text('language').$type<Language>().notNull(),
    accessibility: jsonb('accessibility').$type<{ needs: AccessibilityNeed[]; interpreterLanguage?: string }>().notNull(),
    privacyAcceptedAt: timestamp('privacy_accepted_at', { withTimezone: true }).notNull(),
    accessCodeHash: text('access_code_hash').notNull(),
    manageTokenHash: text('manage_token_hash').notNull(),
    idempotencyKey: text('idempotency_key'),
    sequence: integer('sequence').notNull().default(0),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    /** The agent reopened the document space after the upload deadline, until this time. */
    documentsReopenedUntil: timestamp('documents_reopened_until', { withTimezone: true }),
    /** Personal data (name, email, phone, tax id) was replaced after its retention period. */
    anonymisedAt: timestamp('anonymised_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    unique('appointments_tenant_reference').on(t.tenantId, t.reference),
    unique('appointments_manage_token').on(t.manageTokenHash),
    unique('appointments_tenant_idempotency').on(t.tenantId, t.idempotencyKey),
    index('appointments_tenant_start_idx').on(t.tenantId, t.startsAt),
    index('appointments_agent_start_idx').on(t.agentId, t.startsAt),
    // the live sweep looks for booked appointments that became due or were missed
    index('appointments_booked_start_idx').on(t.startsAt).where(sql`${t.status} = 'booked'`),
    check('appointments_status_known', sql`${t.status} IN ('booked','cancelled','attended','no_show')`),
    check('appointments_channel_known', sql`${t.channel} IN ('video','phone','callback','in_person')`),
    check(
      'appointments_kind_times',
      sql`(${t.kind} = 'asap' AND ${t.startsAt} IS NULL AND ${t.channel} = 'callback') OR (${t.kind} = 'slot' AND ${t.startsAt} IS NOT NULL AND ${t.endsAt} > ${t.startsAt} AND ${t.blockedUntil} >= ${t.endsAt} AND ${t.agentId} IS NOT NULL)`,
    ),
    check('appointments_contact', sql`${t.email} IS NOT NULL OR ${t.phone} IS NOT NULL OR ${t.anonymisedAt} IS NOT NULL`),
  ],
);

/** Durable background work: emails (the outbox) and later reminders, webhooks, purges. */
export const jobs = pgTable(
  'jobs',
  {
    id: id(),
    tenantId: uuid('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status').$type<'pending' | 'running' | 'done' | 'failed' | 'held'>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(8),
    runAt: timestamp('run_at', { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastError: text('last_error'),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('jobs_due_idx').on(t.runAt).where(sql`${t.status} IN ('pending','running')`),
    index('jobs_tenant_type_idx').on(t.tenantId, t.type, t.createdAt),
    check('jobs_status_known', sql`${t.status} IN ('pending','running','done','failed','held')`),
  ],
);

/* ───────────────────────── Live attention (issue 3) ───────────────────────── */

export const PRESENCE_STATES = ['available', 'busy', 'pause', 'offline'] as const;
export type PresenceState = (typeof PRESENCE_STATES)[number];

/** Where each agent is now; one row per staff member, written by the console. */
export const agentPresence = pgTable(
  'agent_presence',
  {
    staffId: uuid('staff_id')
      .primaryKey()
      .references(() => staff.id, { onDelete: 'cascade' }),
    tenantId: tenantRef(),
    state: text('state').$type<PresenceState>().notNull(),
    since: timestamp('since', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('agent_presence_tenant_idx').on(t.tenantId),
    check('agent_presence_state_known', sql`${t.state} IN ('available','busy','pause','offline')`),
  ],
);

/** A town hall's list of consultation types, chosen when an attention is closed. */
export const typologies = pgTable(
  'typologies',
  {
    id: id(),
    tenantId: tenantRef(),
    code: text('code').notNull(),
    name: jsonb('name').$type<LocalizedText>().notNull(),
    active: boolean('active').notNull().default(true),
    position: integer('position').notNull().default(0),
  },
  (t) => [
    unique('typologies_tenant_code').on(t.tenantId, t.code),
    check('typologies_code_format', sql`${t.code} ~ '^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$'`),
  ],
);

export const ATTENTION_STATES = ['waiting', 'in_progress', 'closed', 'no_show', 'not_reached', 'abandoned'] as const;
export type AttentionState = (typeof ATTENTION_STATES)[number];
export const ATTENTION_OUTCOMES = ['resolved', 'follow_up', 'missing_documents', 'other'] as const;
export type AttentionOutcome = (typeof ATTENTION_OUTCOMES)[number];
export const LIVE_CHANNELS = ['video', 'phone', 'callback'] as const;
export type LiveChannel = (typeof LIVE_CHANNELS)[number];

/**
 * One attention from the moment a citizen waits (a booked citizen in the waiting
 * room, a phone or call-back request that is due, a virtual-queue entry) until the
 * agent closes it. Its times feed the indicators: waiting = taken − max(queued, due),
 * talk = ended − connected, handling = closed − taken.
 */
export const attentions = pgTable(
  'attentions',
  {
    id: id(),
    tenantId: tenantRef(),
    /** The booked appointment, or null for a virtual-queue entry. */
    appointmentId: uuid('appointment_id').references(() => appointments.id, { onDelete: 'restrict' }),
    procedureId: uuid('procedure_id')
      .notNull()
      .references(() => procedures.id, { onDelete: 'restrict' }),
    channel: text('channel').$type<LiveChannel>().notNull(),
    status: text('status').$type<AttentionState>().notNull().default('waiting'),
    /** Higher is served first (e.g. over 65, disability); then by `dueAt`. */
    priority: smallint('priority').notNull().default(0),
    priorityReasons: text('priority_reasons').array().notNull().default(sql`'{}'::text[]`),
    /** Queue entries only (appointments keep these on the appointment). */
    citizenName: text('citizen_name'),
    email: text('email'),
    phone: text('phone'),
    language: text('language').$type<Language>().notNull(),
    /** The agent who took it; a booked appointment's own agent is on the appointment. */
    agentId: uuid('agent_id').references(() => staff.id, { onDelete: 'restrict' }),
    /** When the citizen started waiting (entered the room, joined the queue, the call became due). */
    queuedAt: timestamp('queued_at', { withTimezone: true }).notNull().defaultNow(),
    /** Order in the queue: the slot start for appointments, the queue time otherwise. */
    dueAt: timestamp('due_at', { withTimezone: true }).notNull().defaultNow(),
    takenAt: timestamp('taken_at', { withTimezone: true }),
    connectedAt: timestamp('connected_at', { withTimezone: true }),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    typologyId: uuid('typology_id').references(() => typologies.id, { onDelete: 'restrict' }),
    outcome: text('outcome').$type<AttentionOutcome>(),
    notes: text('notes'),
    /** Call attempts made (phone and call-back). */
    attempts: integer('attempts').notNull().default(0),
    /** Personal data (name, email, phone, notes) was cleared after its retention period; the times and codes stay for statistics. */
    anonymisedAt: timestamp('anonymised_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('attentions_appointment').on(t.appointmentId),
    // An agent attends one citizen at a time, across every process.
    uniqueIndex('attentions_one_per_agent').on(t.agentId).where(sql`${t.status} = 'in_progress'`),
    index('attentions_waiting_idx').on(t.tenantId, t.priority, t.dueAt).where(sql`${t.status} = 'waiting'`),
    index('attentions_tenant_closed_idx').on(t.tenantId, t.closedAt),
    check('attentions_status_known', sql`${t.status} IN ('waiting','in_progress','closed','no_show','not_reached','abandoned')`),
    check('attentions_channel_known', sql`${t.channel} IN ('video','phone','callback')`),
    check('attentions_outcome_known', sql`${t.outcome} IS NULL OR ${t.outcome} IN ('resolved','follow_up','missing_documents','other')`),
    check('attentions_queue_contact', sql`${t.appointmentId} IS NOT NULL OR ${t.anonymisedAt} IS NOT NULL OR (${t.citizenName} IS NOT NULL AND (${t.email} IS NOT NULL OR ${t.phone} IS NOT NULL))`),
    check('attentions_in_progress_agent', sql`${t.status} <> 'in_progress' OR (${t.agentId} IS NOT NULL AND ${t.takenAt} IS NOT NULL)`),
    check('attentions_closed_fields', sql`${t.status} <> 'closed' OR (${t.closedAt} IS NOT NULL AND ${t.outcome} IS NOT NULL AND ${t.typologyId} IS NOT NULL)`),
  ],
);

/**
 * Who may enter a call room without a staff session: the citizen (after the
 * access code, or on joining the queue) and invited guests (an interpreter, one
 * use). Only the SHA-256 of the token is kept.
 */
export const roomPasses = pgTable(
  'room_passes',
  {
    tokenHash: text('token_hash').primaryKey(),
    tenantId: tenantRef(),
    /** `invite`: a one-time link for a guest, exchanged for a `guest` pass on first use. */
    role: text('role').$type<'citizen' | 'guest' | 'invite'>().notNull(),
    /** Citizen of an appointment before the attention exists (device check), or the attention. */
    appointmentId: uuid('appointment_id').references(() => appointments.id, { onDelete: 'cascade' }),
    attentionId: uuid('attention_id').references(() => attentions.id, { onDelete: 'cascade' }),
    /** A guest's label shown to the others (e.g. "Sign-language interpreter"). */
    label: text('label'),
    usedAt: timestamp('used_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('room_passes_attention_idx').on(t.attentionId),
    check('room_passes_role_known', sql`${t.role} IN ('citizen','guest','invite')`),
    check('room_passes_target', sql`${t.appointmentId} IS NOT NULL OR ${t.attentionId} IS NOT NULL`),
  ],
);

/** The in-call text chat, kept with the attention. */
export const chatMessages = pgTable(
  'chat_messages',
  {
    id: id(),
    tenantId: tenantRef(),
    attentionId: uuid('attention_id')
      .notNull()
      .references(() => attentions.id, { onDelete: 'cascade' }),
    authorRole: text('author_role').$type<'agent' | 'citizen' | 'guest'>().notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('chat_messages_attention_idx').on(t.attentionId, t.createdAt),
    check('chat_messages_role_known', sql`${t.authorRole} IN ('agent','citizen','guest')`),
    check('chat_messages_length', sql`char_length(${t.body}) BETWEEN 1 AND 2000`),
  ],
);

export const CALL_OUTCOMES = ['answered', 'no_answer', 'busy', 'wrong_number'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** Each outgoing call an agent makes for a phone or call-back attention, and how it went. */
export const callAttempts = pgTable(
  'call_attempts',
  {
    id: id(),
    tenantId: tenantRef(),
    attentionId: uuid('attention_id')
      .notNull()
      .references(() => attentions.id, { onDelete: 'cascade' }),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => staff.id, { onDelete: 'restrict' }),
    outcome: text('outcome').$type<CallOutcome>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('call_attempts_attention_idx').on(t.attentionId),
    check('call_attempts_outcome_known', sql`${t.outcome} IN ('answered','no_answer','busy','wrong_number')`),
  ],
);

/**
 * The recording of an attention: consent first (no row, no recording), then
 * chunks uploaded while the call goes on, then one assembled encrypted file.
 */
export const recordings = pgTable(
  'recordings',
  {
    id: id(),
    tenantId: tenantRef(),
    attentionId: uuid('attention_id')
      .notNull()
      .references(() => attentions.id, { onDelete: 'cascade' }),
    /** When the citizen consented, and the text they were shown (in their language). */
    consentAt: timestamp('consent_at', { withTimezone: true }).notNull(),
    consentText: text('consent_text').notNull(),
    status: text('status').$type<'recording' | 'assembling' | 'complete' | 'failed'>().notNull().default('recording'),
    mimeType: text('mime_type'),
    chunks: integer('chunks').notNull().default(0),
    /** Plain bytes (a long call passes 2 GiB). */
    bytes: bigint('bytes', { mode: 'number' }).notNull().default(0),
    /** SHA-256 of the assembled (plain) file. */
    sha256: text('sha256'),
    /** Storage key of the assembled encrypted file; no personal data in it. */
    storageKey: text('storage_key'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    lastChunkAt: timestamp('last_chunk_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('recordings_attention_idx').on(t.attentionId),
    check('recordings_status_known', sql`${t.status} IN ('recording','assembling','complete','failed')`),
  ],
);

/** One uploaded piece of a recording, stored encrypted; (recording, seq) once. */
export const recordingChunks = pgTable(
  'recording_chunks',
  {
    recordingId: uuid('recording_id')
      .notNull()
      .references(() => recordings.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    tenantId: tenantRef(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('recording_chunks_pk').on(t.recordingId, t.seq),
    check('recording_chunks_seq', sql`${t.seq} >= 0 AND ${t.seq} < 100000`),
  ],
);

/**
 * A link that lets the citizen of an attention answer the satisfaction survey
 * (by email after the close, or from the call's end screen). Several links may
 * point to one attention; only the SHA-256 of each token is kept.
 */
export const surveyInvitations = pgTable(
  'survey_invitations',
  {
    tokenHash: text('token_hash').primaryKey(),
    tenantId: tenantRef(),
    attentionId: uuid('attention_id')
      .notNull()
      .references(() => attentions.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('survey_invitations_attention_idx').on(t.attentionId)],
);

/** The citizen's answer to the satisfaction survey: one per attention, held by the unique key. */
export const surveyResponses = pgTable(
  'survey_responses',
  {
    id: id(),
    tenantId: tenantRef(),
    attentionId: uuid('attention_id')
      .notNull()
      .references(() => attentions.id, { onDelete: 'cascade' }),
    /** "Did you like it?" 0–10 (null when the tenant does not ask it). */
    liked: smallint('liked'),
    /** "Was it easy?" 0–10 (null when not asked). */
    easy: smallint('easy'),
    /** "Would you use it again?" (null when not asked). */
    again: boolean('again'),
    /** Answers to the tenant's own questions, by question id (number 0–10, boolean or text). */
    answers: jsonb('answers').$type<Record<string, number | boolean | string>>().notNull().default({}),
    comment: text('comment'),
    language: text('language').$type<Language>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    unique('survey_responses_attention').on(t.attentionId),
    index('survey_responses_tenant_created_idx').on(t.tenantId, t.createdAt),
    check('survey_responses_liked_range', sql`${t.liked} BETWEEN 0 AND 10`),
    check('survey_responses_easy_range', sql`${t.easy} BETWEEN 0 AND 10`),
    check('survey_responses_comment_length', sql`${t.comment} IS NULL OR char_length(${t.comment}) <= 2000`),
    check('survey_responses_language_known', sql`${t.language} IN ('ca','es','en')`),
  ],
);

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

/** The agent key of the rollup rows that count every agent. */
export const ALL_AGENTS = '00000000-0000-0000-0000-000000000000';
/** The procedure id of the rollup rows that count every procedure (all agents only). */
export const ALL_PROCEDURES = '00000000-0000-0000-0000-000000000000';

/**
 * Indicators kept up to date as attentions end, answers arrive and availability
 * is sampled (triggers and `fin_rollup_upsert` in migration 0007): one bag of
 * counters per local day and per local month, procedure, channel, and agent
 * (`ALL_AGENTS` = every agent; `ALL_PROCEDURES` rows sum every procedure, for
 * every agent). Counter keys are listed in
 * modules/indicators/counters.ts; a generated column `n` (migration 0007, read by
 * raw SQL only) repeats `counts.n`. Derived data: it holds no personal data and
 * outlives the attentions it counts.
 */
export const indicatorRollups = pgTable(
  'indicator_rollups',
  {
    tenantId: tenantRef(),
    grain: text('grain').$type<'day' | 'month'>().notNull(),
    agentKey: uuid('agent_key').notNull(),
    periodStart: date('period_start').notNull(),
    procedureId: uuid('procedure_id').notNull(),
    channel: text('channel').notNull(),
    counts: jsonb('counts').$type<Record<string, number>>().notNull().default({}),
  },
  (t) => [
    primaryKey({ name: 'indicator_rollups_pk', columns: [t.tenantId, t.grain, t.agentKey, t.periodStart, t.procedureId, t.channel] }),
    check('indicator_rollups_grain_known', sql`${t.grain} IN ('day','month')`),
  ],
);

/** A generated monthly report (PDF), by month and language; regenerating replaces it. */
export const monthlyReports = pgTable(
  'monthly_reports',
  {
    id: id(),
    tenantId: tenantRef(),
    /** The first day of the reported month. */
    month: date('month').notNull(),
    language: text('language').$type<Language>().notNull(),
    pdf: bytea('pdf').notNull(),
    /** schedule = the first-of-month job; manual = asked for by a supervisor. */
    trigger: text('trigger').$type<'schedule' | 'manual'>().notNull(),
    generatedAt: timestamp('generated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('monthly_reports_month_language').on(t.tenantId, t.month, t.language),
    check('monthly_reports_trigger_known', sql`${t.trigger} IN ('schedule','manual')`),
    check('monthly_reports_language_known', sql`${t.language} IN ('ca','es','en')`),
  ],
);

/** Hours in which a tenant's availability was sampled: the first process to insert the hour samples it. */
export const availabilitySampleRuns = pgTable(
  'availability_sample_runs',
  {
    tenantId: tenantRef(),
    hour: timestamp('hour', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ name: 'availability_sample_runs_pk', columns: [t.tenantId, t.hour] })],
);

/**
 * The legal events the audit log records (a closed list, held by a check
 * constraint: a new event needs a migration). `recording_consent_given` and
 * `entry_registered` (modules/register) are written today; the others belong to
 * the formal procedure (issue 4).
 */
export const AUDIT_EVENTS = [
  'recording_consent_given',
  'identity_checked',
  'consent_given',
  'document_accepted',
  'document_rejected',
  'entry_registered',
  'receipt_sealed',
  'package_delivered',
  'data_purged',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];
/** Who caused an audited event. */
export type AuditActorKind = 'staff' | 'citizen' | 'system';
/** The first entry of every tenant's chain takes this as its previous hash. */
export const AUDIT_GENESIS = '0'.repeat(64);

/**
 * Append-only, hash-chained log of legal events, one chain per tenant
 * (modules/audit: append-audit.ts writes, verify-audit-chain.ts checks; see
 * docs/AUDIT.md). `seq` runs 1, 2, 3… without gaps per tenant; `hash` is the
 * SHA-256 of the entry's canonical JSON (RFC 8785), `prev_hash` included.
 * Triggers (migration 0010) refuse UPDATE, DELETE and TRUNCATE; only a
 * tenant's own deletion takes its chain with it. Subjects are ids without
 * foreign keys (an entry outlives the attention it speaks of); neither
 * `subjects` nor `data` holds personal data.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey(),
    tenantId: tenantRef(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    /** When the entry was appended (database clock, whole milliseconds). */
    at: timestamp('at', { withTimezone: true }).notNull(),
    event: text('event').$type<AuditEvent>().notNull(),
    actorKind: text('actor_kind').$type<AuditActorKind>().notNull(),
    /** The staff member, when `actor_kind` = staff. */
    actorStaffId: uuid('actor_staff_id'),
    /** Ids of what the event is about: `{ "attention": uuid, "recording": uuid, … }`. */
    subjects: jsonb('subjects').$type<Record<string, string>>().notNull(),
    /** Facts without personal data: hashes, language, codes. */
    data: jsonb('data').$type<Record<string, string | number | boolean | null>>().notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    unique('audit_log_tenant_seq').on(t.tenantId, t.seq),
    index('audit_log_attention_idx')
      .on(t.tenantId, sql`(${t.subjects}->>'attention')`)
      .where(sql`(${t.subjects}->>'attention') IS NOT NULL`),
    check('audit_log_seq_positive', sql`${t.seq} >= 1`),
    check('audit_log_at_milliseconds', sql`${t.at} = date_trunc('milliseconds', ${t.at})`),
    check('audit_log_event_known', sql`${t.event} IN (${sql.raw(AUDIT_EVENTS.map((e) => `'${e}'`).join(','))})`),
    check('audit_log_actor_known', sql`${t.actorKind} IN ('staff','citizen','system')`),
    check('audit_log_actor_staff', sql`(${t.actorKind} = 'staff') = (${t.actorStaffId} IS NOT NULL)`),
    check('audit_log_subjects_object', sql`jsonb_typeof(${t.subjects}) = 'object'`),
    check('audit_log_data_object', sql`jsonb_typeof(${t.data}) = 'object'`),
    check('audit_log_hash_format', sql`${t.hash} ~ '^[0-9a-f]{64}$' AND ${t.prevHash} ~ '^[0-9a-f]{64}$'`),
    check('audit_log_genesis', sql`(${t.seq} = 1) = (${t.prevHash} = ${sql.raw(`'${AUDIT_GENESIS}'`)})`),
  ],
);

/**
 * The register's numbering (registre d'entrada), one counter per tenant and
 * year: the last number given. modules/register/register-entry.ts takes the
 * next one with an upsert in the filing transaction, so a rolled-back filing
 * gives its number back and numbers stay gapless. A trigger (migration 0011)
 * lets `last_number` only grow by one; only a tenant's own deletion removes
 * its counters. See docs/REGISTER.md.
 */
export const registerCounters = pgTable(
  'register_counters',
  {
    tenantId: tenantRef(),
    /** The registration year in the tenant's time zone. */
    year: integer('year').notNull(),
    lastNumber: integer('last_number').notNull(),
  },
  (t) => [
    primaryKey({ name: 'register_counters_pk', columns: [t.tenantId, t.year] }),
    check('register_counters_year_range', sql`${t.year} BETWEEN 1000 AND 9999`),
    check('register_counters_last_number_positive', sql`${t.lastNumber} >= 1`),
  ],
);

/**
 * One entry of the register (registre d'entrada): a filed request's number per
 * tenant and year and its display code `E/<year>/<number, at least 6 digits>`
 * (e.g. `E/2026/000123`, then `E/2026/1000000`), written in the transaction
 * that files the request. It holds ids and the SHA-256 of the filed data, no
 * personal data. Append-only (migration 0011 refuses UPDATE and DELETE; a
 * tenant's own deletion takes its entries with it); each reference names the
 * tenant (hand-written keys in 0011, as in 0004).
 */
export const registerEntries = pgTable(
  'register_entries',
  {
    id: id(),
    tenantId: tenantRef(),
    /** The registration year in the tenant's time zone (31 Dec 23:30 in Madrid is still that year). */
    year: integer('year').notNull(),
    number: integer('number').notNull(),
    /** `E/2026/000123`: prefix E (entrada), the year, the number zero-padded to 6 digits (more when larger). */
    code: text('code').notNull(),
    registeredAt: timestamp('registered_at', { withTimezone: true }).notNull(),
    /** The attention in which the request was filed, when there was one. */
    attentionId: uuid('attention_id').references(() => attentions.id, { onDelete: 'restrict' }),
    procedureId: uuid('procedure_id')
      .notNull()
      .references(() => procedures.id, { onDelete: 'restrict' }),
    /** The authorised official (funcionari habilitat) who filed it on the citizen's behalf. */
    officialId: uuid('official_id')
      .notNull()
      .references(() => staff.id, { onDelete: 'restrict' }),
    /** SHA-256 (lowercase hex) of the filed request data. */
    requestSha256: text('request_sha256').notNull(),
  },
  (t) => [
    unique('register_entries_tenant_year_number').on(t.tenantId, t.year, t.number),
    unique('register_entries_tenant_code').on(t.tenantId, t.code),
    index('register_entries_attention_idx').on(t.tenantId, t.attentionId).where(sql`${t.attentionId} IS NOT NULL`),
    check('register_entries_year_range', sql`${t.year} BETWEEN 1000 AND 9999`),
    check('register_entries_number_positive', sql`${t.number} >= 1`),
    check(
      'register_entries_code_format',
      sql`${t.code} = 'E/' || ${t.year}::text || '/' || lpad(${t.number}::text, greatest(6, length(${t.number}::text)), '0')`,
    ),
    check('register_entries_request_sha256_format', sql`${t.requestSha256} ~ '^[0-9a-f]{64}$'`),
  ],
);

/**
 * The public transparency figures of a settled month, stored once on their
 * first build and only ever served from here, so a published month never
 * changes (modules/transparency/publish-month.ts). `payload` is the month's
 * language-independent publication (counts, suppression pattern, daily rows;
 * ids and codes, no label); the first process to insert a month wins.
 */
export const transparencyPublications = pgTable(
  'transparency_publications',
  {
    tenantId: tenantRef(),
    /** The first day of the published month. */
    month: date('month').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'transparency_publications_pk', columns: [t.tenantId, t.month] }),
    check('transparency_publications_month_start', sql`extract(day from ${t.month}) = 1`),
    check('transparency_publications_payload_object', sql`jsonb_typeof(${t.payload}) = 'object'`),
  ],
);

/**
 * The town hall's register of authorised officials (funcionaris habilitats,
 * Llei 39/2015 art. 12.2): the staff members empowered by an act to file on a
 * citizen's behalf, from `valid_from` to `valid_until` (local dates, both
 * included; none means open-ended). Rows are never deleted: revoking sets
 * `revoked_at`, and a staff member has at most one row not revoked
 * (modules/officials). The composite FK (tenant_id, staff_id) → staff is
 * added by hand in migration 0013.
 */
export const authorisedOfficials = pgTable(
  'authorised_officials',
  {
    id: id(),
    tenantId: tenantRef(),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staff.id, { onDelete: 'restrict' }),
    /** The act that empowers them, e.g. "Decret 123/2026". */
    appointmentAct: text('appointment_act').notNull(),
    validFrom: date('valid_from').notNull(),
    validUntil: date('valid_until'),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('authorised_officials_one_current').on(t.tenantId, t.staffId).where(sql`${t.revokedAt} IS NULL`),
    index('authorised_officials_tenant_idx').on(t.tenantId, t.createdAt),
    check('authorised_officials_act_length', sql`char_length(${t.appointmentAct}) BETWEEN 1 AND 200`),
    check('authorised_officials_until_after_from', sql`${t.validUntil} IS NULL OR ${t.validUntil} >= ${t.validFrom}`),
  ],
);

/* ───────────────────────── Formal procedure (issue 4) ───────────────────────── */

export const DOCUMENT_KINDS = ['citizen', 'handout', 'id_front', 'id_back'] as const;
/** citizen = uploaded by the citizen; handout = given by the agent to the citizen; id_front/id_back = identity evidence captured from the video. */
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export const DOCUMENT_STATES = ['uploading', 'pending', 'accepted', 'rejected', 'refused', 'purged'] as const;
/**
 * uploading = tus upload in progress; pending = complete, stored, awaiting the agent's review;
 * accepted/rejected = reviewed; refused = failed a check (type, size, scan; `refused_code` says which,
 * nothing kept); purged = the file was deleted after retention (the row stays, without the file).
 */
export type DocumentState = (typeof DOCUMENT_STATES)[number];

/**
 * A file in an appointment's (or a queue attention's) secure document space.
 * The bytes live encrypted in the file store under `storage_key`
 * (`<tenant>/documents/<id>/…`, no personal data in the path); the name the
 * citizen gave is kept sanitised for display only.
 */
export const documents = pgTable(
  'documents',
  {
    id: id(),
    tenantId: tenantRef(),
    /** The space: the appointment, or the attention when there is none (virtual queue). */
    appointmentId: uuid('appointment_id').references(() => appointments.id, { onDelete: 'cascade' }),
    attentionId: uuid('attention_id').references(() => attentions.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<DocumentKind>().notNull(),
    /** Which of the procedure's required documents this is (index into `procedures.documents`); null = other. */
    requirement: smallint('requirement'),
    /** The tus upload id (random, no personal data). */
    uploadId: text('upload_id'),
    /** Sanitised display name (no path, no control characters), at most 200 characters. */
    fileName: text('file_name').notNull(),
    /** Size announced by the uploader (Upload-Length). */
    declaredBytes: bigint('declared_bytes', { mode: 'number' }).notNull(),
    /** Content type sniffed from the bytes once complete. */
    contentType: text('content_type'),
    bytes: bigint('bytes', { mode: 'number' }),
    sha256: text('sha256'),
    storageKey: text('storage_key'),
    status: text('status').$type<DocumentState>().notNull().default('uploading'),
    /** For `refused`: the error code (file_type_not_allowed, file_too_large, archive_bomb, virus_found, …). */
    refusedCode: text('refused_code'),
    /** For `rejected`: the agent's reason, shown to the citizen. */
    rejectReason: text('reject_reason'),
    reviewedBy: uuid('reviewed_by').references(() => staff.id, { onDelete: 'restrict' }),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    /** Uploaded by the staff member (handout, identity images); null = the citizen. */
    uploadedBy: uuid('uploaded_by').references(() => staff.id, { onDelete: 'restrict' }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    purgedAt: timestamp('purged_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('documents_upload_id').on(t.uploadId),
    index('documents_appointment_idx').on(t.tenantId, t.appointmentId).where(sql`${t.appointmentId} IS NOT NULL`),
    index('documents_attention_idx').on(t.tenantId, t.attentionId).where(sql`${t.attentionId} IS NOT NULL`),
    check('documents_space', sql`${t.appointmentId} IS NOT NULL OR ${t.attentionId} IS NOT NULL`),
    check('documents_kind_known', sql`${t.kind} IN ('citizen','handout','id_front','id_back')`),
    check('documents_status_known', sql`${t.status} IN ('uploading','pending','accepted','rejected','refused','purged')`),
    check('documents_file_name_length', sql`char_length(${t.fileName}) BETWEEN 1 AND 200`),
    check('documents_declared_bytes', sql`${t.declaredBytes} >= 0`),
    check('documents_stored', sql`${t.status} NOT IN ('pending','accepted','rejected') OR (${t.storageKey} IS NOT NULL AND ${t.sha256} IS NOT NULL AND ${t.bytes} IS NOT NULL AND ${t.contentType} IS NOT NULL)`),
    check('documents_rejected_reason', sql`${t.status} <> 'rejected' OR ${t.rejectReason} IS NOT NULL`),
    check('documents_refused_code', sql`${t.status} <> 'refused' OR ${t.refusedCode} IS NOT NULL`),
  ],
);

/**
 * The identity step of a formal attention: the agent confirmed the face
 * against the ID, captured its front and back (documents of kind id_front /
 * id_back) and recorded the name and ID number the citizen stated. Name and
 * number are cleared (`anonymised_at`) after the retention period.
 */
export const identityChecks = pgTable(
  'identity_checks',
  {
    id: id(),
    tenantId: tenantRef(),
    attentionId: uuid('attention_id')
      .notNull()
      .references(() => attentions.id, { onDelete: 'cascade' }),
    fullName: text('full_name'),
    /** dni, nie or cif (shared/tax-id.ts). */
    idKind: text('id_kind').$type<'dni' | 'nie' | 'cif'>().notNull(),
    idNumber: text('id_number'),
    faceConfirmed: boolean('face_confirmed').notNull(),
    frontDocumentId: uuid('front_document_id').references(() => documents.id, { onDelete: 'restrict' }),
    backDocumentId: uuid('back_document_id').references(() => documents.id, { onDelete: 'restrict' }),
    checkedBy: uuid('checked_by')
      .notNull()
      .references(() => staff.id, { onDelete: 'restrict' }),
    checkedAt: timestamp('checked_at', { withTimezone: true }).notNull().defaultNow(),
    anonymisedAt: timestamp('anonymised_at', { withTimezone: true }),
  },
  (t) => [
    index('identity_checks_attention_idx').on(t.tenantId, t.attentionId),
    check('identity_checks_kind_known', sql`${t.idKind} IN ('dni','nie','cif')`),
    check('identity_checks_face', sql`${t.faceConfirmed}`),
    check('identity_checks_present', sql`${t.anonymisedAt} IS NOT NULL OR (${t.fullName} IS NOT NULL AND ${t.idNumber} IS NOT NULL)`),
  ],
);

/**
 * The citizen's express consent to file a request (Llei 39/2015 art. 12.2):
 * the text shown in their language, for the form data whose SHA-256 is
 * `form_sha256`, the time, and the position in the recording when there is
 * one. With `otp_channel` set, the consent counts only once `otp_verified_at`
 * is set (a one-time code as a simple signature; only its hash is kept).
 */
export const filingConsents = pgTable(
  'filing_consents',
  {
    id: id(),
    tenantId: tenantRef(),
    attentionId: uuid('attention_id')
      .notNull()
      .references(() => attentions.id, { onDelete: 'cascade' }),
    formSha256: text('form_sha256').notNull(),
    language: text('language').$type<Language>().notNull(),
    textShown: text('text_shown').notNull(),
    givenAt: timestamp('given_at', { withTimezone: true }).notNull(),
    recordingId: uuid('recording_id').references(() => recordings.id, { onDelete: 'set null' }),
    /** Milliseconds from the recording's start to the consent. */
    recordingOffsetMs: bigint('recording_offset_ms', { mode: 'number' }),
    otpChannel: text('otp_channel').$type<'email'>(),
    otpHash: text('otp_hash'),
    otpExpiresAt: timestamp('otp_expires_at', { withTimezone: true }),
    otpAttempts: integer('otp_attempts').notNull().default(0),
    otpVerifiedAt: timestamp('otp_verified_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('filing_consents_attention_idx').on(t.tenantId, t.attentionId, t.givenAt),
    check('filing_consents_sha', sql`${t.formSha256} ~ '^[0-9a-f]{64}$'`),
    check('filing_consents_otp_channel', sql`${t.otpChannel} IS NULL OR ${t.otpChannel} = 'email'`),
  ],
);

export const FILING_STATES = ['registered', 'sealed'] as const;
/** registered = numbered, receipt not yet sealed (the seal_receipt job is queued in the same transaction); sealed = receipt stored. */
export type FilingState = (typeof FILING_STATES)[number];

/**
 * A request filed on a citizen's behalf by an authorised official during an
 * attention: the form data, the identity check and consent it rests on, its
 * register entry (same transaction), and its sealed receipt. Only the
 * SHA-256 of the secure verification code (CSV) is kept (`csv_hash`).
 */
export const filings = pgTable(
  'filings',
  {
    id: id(),
    tenantId: tenantRef(),
    attentionId: uuid('attention_id')
      .notNull()
      .references(() => attentions.id, { onDelete: 'restrict' }),
    procedureId: uuid('procedure_id')
      .notNull()
      .references(() => procedures.id, { onDelete: 'restrict' }),
    identityCheckId: uuid('identity_check_id')
      .notNull()
      .references(() => identityChecks.id, { onDelete: 'restrict' }),
    consentId: uuid('consent_id')
      .notNull()
      .references(() => filingConsents.id, { onDelete: 'restrict' }),
    officialId: uuid('official_id')
      .notNull()
      .references(() => staff.id, { onDelete: 'restrict' }),
    registerEntryId: uuid('register_entry_id')
      .notNull()
      .references(() => registerEntries.id, { onDelete: 'restrict' }),
    /** The form data as filed; null once anonymised after retention. */
    formData: jsonb('form_data').$type<Record<string, unknown>>(),
    formSha256: text('form_sha256').notNull(),
    /** The citizen's language: the receipt's and emails' language. */
    language: text('language').$type<Language>().notNull(),
    /** csvLookupKey(code): SHA-256 of the normalised CSV. */
    csvHash: text('csv_hash').notNull(),
    status: text('status').$type<FilingState>().notNull().default('registered'),
    receiptKey: text('receipt_key'),
    receiptSha256: text('receipt_sha256'),
    sealedAt: timestamp('sealed_at', { withTimezone: true }),
    anonymisedAt: timestamp('anonymised_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('filings_attention').on(t.attentionId),
    uniqueIndex('filings_register_entry').on(t.registerEntryId),
    uniqueIndex('filings_csv_hash').on(t.csvHash),
    index('filings_tenant_created_idx').on(t.tenantId, t.createdAt),
    check('filings_status_known', sql`${t.status} IN ('registered','sealed')`),
    check('filings_sealed', sql`${t.status} <> 'sealed' OR (${t.receiptKey} IS NOT NULL AND ${t.receiptSha256} IS NOT NULL AND ${t.sealedAt} IS NOT NULL)`),
    check('filings_sha', sql`${t.formSha256} ~ '^[0-9a-f]{64}$' AND ${t.csvHash} ~ '^[0-9a-f]{64}$'`),
  ],
);

export const HANDOFF_STATES = ['pending', 'delivered', 'failed', 'purged'] as const;
/**
 * pending = package built or being built, delivery queued/retrying; delivered = the case-management system
 * acknowledged it (webhook 2xx or pull ack); failed = retries exhausted (shown to supervisors, can be retried);
 * purged = retention passed, files deleted.
 */
export type HandoffState = (typeof HANDOFF_STATES)[number];

/**
 * The evidence package of a filing and its hand-off to the town hall's
 * case-management system. The idempotency key the receiver sees is the
 * filing id. `purge_after` = acknowledged + the procedure's retention days.
 */
export const handoffs = pgTable(
  'handoffs',
  {
    filingId: uuid('filing_id')
      .primaryKey()
      .references(() => filings.id, { onDelete: 'cascade' }),
    tenantId: tenantRef(),
    status: text('status').$type<HandoffState>().notNull().default('pending'),
    /** Storage key of the manifest (JSON) and of its detached CAdES seal. */
    manifestKey: text('manifest_key'),
    manifestSha256: text('manifest_sha256'),
    manifestSealKey: text('manifest_seal_key'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    /** 'webhook' or 'pull'. */
    deliveredVia: text('delivered_via').$type<'webhook' | 'pull'>(),
    purgeAfter: timestamp('purge_after', { withTimezone: true }),
    purgedAt: timestamp('purged_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('handoffs_tenant_status_idx').on(t.tenantId, t.status, t.createdAt),
    index('handoffs_purge_idx').on(t.purgeAfter).where(sql`${t.status} = 'delivered'`),
    check('handoffs_status_known', sql`${t.status} IN ('pending','delivered','failed','purged')`),
    check('handoffs_delivered_via', sql`${t.deliveredVia} IS NULL OR ${t.deliveredVia} IN ('webhook','pull')`),
    check('handoffs_delivered', sql`${t.status} NOT IN ('delivered','purged') OR (${t.deliveredAt} IS NOT NULL AND ${t.purgeAfter} IS NOT NULL)`),
  ],
);

/**
 * A town hall's case-management integration: where packages are pushed
 * (webhook URL, HMAC-SHA256 secret, encrypted with the tenant key) and the
 * hash of the bearer token of the pull API.
 */
export const integrations = pgTable('integrations', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  webhookUrl: text('webhook_url'),
  /** AES-256-GCM(tenant key) of the webhook secret, base64 (nonce ‖ ciphertext ‖ tag). */
  webhookSecretEnc: text('webhook_secret_enc'),
  /** SHA-256 of the pull API's bearer token. */
  pullTokenHash: text('pull_token_hash'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
