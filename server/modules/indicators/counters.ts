/**
 * The counter keys of `indicator_rollups.counts` (written by the database:
 * migration 0007, and by the availability sampler). Every value is an integer
 * count or sum; a bag can be added to another key by key.
 *
 * Attentions in an end state (closed, no_show, not_reached, abandoned), at
 * their due time in the tenant's zone:
 * - `n`               attentions
 * - `st:<status>`     by end state
 * - `appt`            attentions of a booked appointment (no-show rate denominator)
 * - `h:<0-23>`        by local hour of the due time; `wd:<1-7>` by ISO weekday
 * - `oc:<outcome>`    closed, by outcome (resolved, follow_up, missing_documents, other)
 * - `ty:<typologyId>` closed, by consultation type
 * - `w:<edge>`        waiting time (taken − the later of queued and due) histogram; `wn` count, `ws` sum of seconds
 * - `hd:<edge>`       handling time (closed − taken) histogram; `hdn` count, `hds` sum of seconds
 * Survey answers (counted on the attention's row):
 * - `sv`              answers; `sl:<0-10>` liked, `se:<0-10>` easy, `sa:1`/`sa:0` would use again
 * - `sq:<question>:<value>` the tenant's own scale (0–10) and yes/no (1/0) questions
 * Availability samples (agent: none), see first-free sampler:
 * - `ffn`             samples; `ffd:<working days>` to the first free slot (0–60), `ffd:none` none within the horizon
 */
export type Counters = Record<string, number>;

/** Adds `b` into `a` (in place) and returns `a`. */
export function addCounters(a: Counters, b: Counters): Counters {
  for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v;
  return a;
}

/** The counts under `<prefix><suffix>` as a map suffix → count (e.g. `ty:` → typology id → count). */
export function countersByPrefix(c: Counters, prefix: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const [k, v] of Object.entries(c)) {
    if (k.startsWith(prefix) && v) m.set(k.slice(prefix.length), (m.get(k.slice(prefix.length)) ?? 0) + v);
  }
  return m;
}

/** The most working days the first-free counter distinguishes; beyond it counts as `ffd:none`. */
export const FIRST_FREE_MAX_DAYS = 60;
