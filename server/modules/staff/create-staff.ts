/** Adds a staff member with a hashed password and a weekly schedule. */
import type { Channel, Role } from '../../../shared/domain.js';
import type { Db } from '../../db/client.js';
import { hashPassword } from './passwords.js';
import { insertSchedule, insertStaff, type Staff } from './staff.repository.js';

export async function createStaff(o: {
  db: Db;
  tenantId: string;
  email: string;
  fullName: string;
  password: string;
  role: Role;
  channels?: Channel[];
  procedureIds?: string[];
  schedule?: Array<{ weekday: number; startsAt: string; endsAt: string }>;
}): Promise<Staff> {
  const passwordHash = await hashPassword(o.password);
  return o.db.transaction(async (tx) => {
    const person = await insertStaff(tx as unknown as Db, {
      tenantId: o.tenantId,
      email: o.email,
      fullName: o.fullName,
      passwordHash,
      role: o.role,
      channels: o.channels ?? [],
      procedureIds: o.procedureIds ?? [],
    });
    await insertSchedule(
      tx as unknown as Db,
      (o.schedule ?? []).map((s) => ({ ...s, tenantId: o.tenantId, staffId: person.id })),
    );
    return person;
  });
}
