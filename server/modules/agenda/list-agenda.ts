/**
 * An agent's agenda: their appointments (a supervisor or admin sees everyone's)
 * over a period, filterable by procedure, channel and state.
 */
import { and, asc, eq, gte, inArray, isNull, lt, or, type SQL } from 'drizzle-orm';
import type { AppointmentState, Channel } from '../../../shared/domain.js';
import type { Db } from '../../db/client.js';
import { appointments, procedures, staff } from '../../db/schema.js';
import type { Staff } from '../staff/staff.repository.js';

export type AgendaFilter = {
  from: Date;
  to: Date;
  procedureId?: string;
  channel?: Channel;
  status?: AppointmentState;
};

export async function listAgenda(o: { db: Db; tenantId: string; actor: Staff; filter: AgendaFilter }) {
  const f = o.filter;
  const conditions: SQL[] = [
    eq(appointments.tenantId, o.tenantId),
    // call-me-back "as soon as possible" requests have no time: they show until handled
    or(and(gte(appointments.startsAt, f.from), lt(appointments.startsAt, f.to)), and(isNull(appointments.startsAt), eq(appointments.status, 'booked')))!,
  ];
  if (o.actor.role === 'agent') conditions.push(or(eq(appointments.agentId, o.actor.id), isNull(appointments.agentId))!);
  if (f.procedureId) conditions.push(eq(appointments.procedureId, f.procedureId));
  if (f.channel) conditions.push(eq(appointments.channel, f.channel));
  if (f.status) conditions.push(inArray(appointments.status, [f.status]));
  return o.db
    .select({
      id: appointments.id,
      reference: appointments.reference,
      startsAt: appointments.startsAt,
      endsAt: appointments.endsAt,
      kind: appointments.kind,
      channel: appointments.channel,
      status: appointments.status,
      citizenName: appointments.citizenName,
      email: appointments.email,
      phone: appointments.phone,
      language: appointments.language,
      accessibility: appointments.accessibility,
      procedureName: procedures.name,
      procedureCode: procedures.code,
      agentName: staff.fullName,
    })
    .from(appointments)
    .innerJoin(procedures, and(eq(procedures.id, appointments.procedureId), eq(procedures.tenantId, appointments.tenantId)))
    .leftJoin(staff, eq(staff.id, appointments.agentId))
    .where(and(...conditions))
    .orderBy(asc(appointments.startsAt), asc(appointments.createdAt))
    .limit(500);
}
