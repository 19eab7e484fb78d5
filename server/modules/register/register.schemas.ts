/** What `registerEntry` accepts, checked before a number is taken (a bad call is a programming error). */
import { z } from 'zod';

const uuid = z.string().toLowerCase().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a uuid');

/** An IANA zone that this runtime knows (the database must know it too: it computes the year). */
const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone');

export const registerEntryInput = z
  .object({
    tenantId: uuid,
    /** The tenant's time zone: the registration year is the year there. */
    timeZone,
    /** The registration time; absent = the database clock once it is this filing's turn (the normal case). */
    at: z.date().refine((d) => !Number.isNaN(+d), 'must be a valid date').optional(),
    attentionId: uuid.optional(),
    procedureId: uuid,
    /** The authorised official filing on the citizen's behalf (the caller checks the authorisation). */
    officialId: uuid,
    /** SHA-256 (lowercase hex) of the filed request data. */
    requestSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256'),
  })
  .strict();
export type RegisterEntryInput = z.input<typeof registerEntryInput>;
