/**
 * The one database schema, for PGlite and PostgreSQL alike. Invariants that the
 * database can hold live here or in the hand-written migration (exclusion
 * constraint against double booking, generated ranges).
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
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
    createdAt: createdAt(),
  },
  (t) => [
    unique('appointments_tenant_reference').on(t.tenantId, t.reference),
    unique('appointments_manage_token').on(t.manageTokenHash),
    unique('appointments_tenant_idempotency').on(t.tenantId, t.idempotencyKey),
    index('appointments_tenant_start_idx').on(t.tenantId, t.startsAt),
    index('appointments_agent_start_idx').on(t.agentId, t.startsAt),
    check('appointments_status_known', sql`${t.status} IN ('booked','cancelled','attended','no_show')`),
    check('appointments_channel_known', sql`${t.channel} IN ('video','phone','callback','in_person')`),
    check(
      'appointments_kind_times',
      sql`(${t.kind} = 'asap' AND ${t.startsAt} IS NULL AND ${t.channel} = 'callback') OR (${t.kind} = 'slot' AND ${t.startsAt} IS NOT NULL AND ${t.endsAt} > ${t.startsAt} AND ${t.blockedUntil} >= ${t.endsAt} AND ${t.agentId} IS NOT NULL)`,
    ),
    check('appointments_contact', sql`${t.email} IS NOT NULL OR ${t.phone} IS NOT NULL`),
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
