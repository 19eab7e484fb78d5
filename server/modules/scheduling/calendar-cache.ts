/**
 * Keeps each tenant's calendar (office hours, holidays, staff schedules, the
 * procedure catalogue) in memory for a few seconds: these change rarely and are
 * read on every availability query and booking. Writers call `invalidate`; other processes
 * see a change after at most `ttlMs`.
 */
import { DateTime } from 'luxon';
import type { Channel } from '../../../shared/domain.js';
import type { Database } from '../../db/client.js';
import { listProcedures, type Procedure } from '../catalogue/catalogue.repository.js';
import { listHolidays, listOfficeHours, type Tenant } from '../tenants/tenants.repository.js';
import { listAttendingStaff, listBusyRanges, type StaffCalendarRow } from './scheduling.repository.js';
import { toMinutes, type CalendarRules, type WeeklyInterval } from './slot-rules.js';

export type TenantCalendar = {
  rules: CalendarRules;
  procedures: Procedure[];
  staff: Array<{ id: string; channels: Channel[]; procedureIds: string[]; schedule: WeeklyInterval[] }>;
};

/** Booked ranges per agent over a window, as last read from the database. */
export type BusySnapshot = { from: number; to: number; byAgent: Map<string, Array<[number, number]>> };

export class CalendarCache {
  private entries = new Map<string, { at: number; value: Promise<TenantCalendar> }>();
  private busyEntries = new Map<string, { at: number; value: Promise<BusySnapshot> }>();
  constructor(
    private readonly database: Database,
    private readonly ttlMs = 5_000,
    /** Free-slot listings may lag other processes' bookings by this much; booking itself always asks the database. */
    private readonly busyTtlMs = 2_000,
  ) {}

  /**
   * Booked ranges of the tenant's agents covering [from, to). A booking,
   * cancellation or move in this process calls `invalidateBusy`, so listings
   * here are exact; other processes' changes show within `busyTtlMs`.
   */
  busy(tenantId: string, from: number, to: number): Promise<BusySnapshot> {
    const hit = this.busyEntries.get(tenantId);
    if (hit && Date.now() - hit.at < this.busyTtlMs) {
      return hit.value.then((b) => (b.from <= from && to <= b.to ? b : this.loadBusy(tenantId, from, to)));
    }
    return this.loadBusy(tenantId, from, to);
  }

  invalidateBusy(tenantId: string): void {
    this.busyEntries.delete(tenantId);
  }

  private loadBusy(tenantId: string, from: number, to: number): Promise<BusySnapshot> {
    const value = listBusyRanges(this.database, tenantId, from, to).then((byAgent) => ({ from, to, byAgent }));
    this.busyEntries.set(tenantId, { at: Date.now(), value });
    value.catch(() => this.busyEntries.delete(tenantId));
    if (this.busyEntries.size > 10_000) this.busyEntries.clear();
    return value;
  }

  get(tenant: Tenant): Promise<TenantCalendar> {
    const hit = this.entries.get(tenant.id);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const value = this.load(tenant);
    this.entries.set(tenant.id, { at: Date.now(), value });
    value.catch(() => this.entries.delete(tenant.id));
    return value;
  }

  invalidate(tenantId: string): void {
    this.entries.delete(tenantId);
  }

  private async load(tenant: Tenant): Promise<TenantCalendar> {
    const today = DateTime.now().setZone(tenant.timeZone).minus({ days: 1 }).toISODate()!;
    const [hours, days, people, procedures] = await Promise.all([
      listOfficeHours(this.database.db, tenant.id),
      listHolidays(this.database.db, tenant.id, today),
      listAttendingStaff(this.database, tenant.id),
      listProcedures(this.database.db, tenant.id, { activeOnly: false }),
    ]);
    return {
      procedures,
      rules: {
        timeZone: tenant.timeZone,
        officeHours: hours.map((h) => ({ weekday: h.weekday, start: toMinutes(h.opensAt), end: toMinutes(h.closesAt) })),
        holidays: new Set(days.map((d) => d.day)),
      },
      staff: people.map((p: StaffCalendarRow) => ({
        id: p.id,
        channels: p.channels,
        procedureIds: p.procedureIds,
        schedule: p.schedule.map((s) => ({ weekday: s.weekday, start: toMinutes(s.startsAt), end: toMinutes(s.endsAt) })),
      })),
    };
  }
}

/** Staff who attend a procedure on a channel (an empty procedure list means every procedure). */
export function eligibleStaff(calendar: TenantCalendar, procedureId: string, channel: Channel) {
  return calendar.staff.filter(
    (s) => s.channels.includes(channel) && (s.procedureIds.length === 0 || s.procedureIds.includes(procedureId)),
  );
}

/** An active procedure of the catalogue by its code. */
export function activeProcedure(calendar: TenantCalendar, code: string): Procedure | undefined {
  return calendar.procedures.find((p) => p.code === code && p.active);
}
