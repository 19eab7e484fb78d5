/**
 * Weekly hours as people type them: "08:00-14:00, 16:00-19:30" per weekday.
 * Used for office hours and staff schedules alike.
 */
export type WeeklyRow = { weekday: number; startsAt: string; endsAt: string };

const RANGE = /^([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]|24):([0-5]\d)$/;

/** Parses one weekday's text; null when it is not a list of increasing, non-overlapping ranges. */
export function parseDayHours(weekday: number, text: string): WeeklyRow[] | null {
  const parts = text
    .split(/[,;]/)
    .map((p) => p.trim())
    .filter(Boolean);
  const rows: WeeklyRow[] = [];
  let last = -1;
  for (const p of parts) {
    const m = RANGE.exec(p);
    if (!m) return null;
    const start = Number(m[1]) * 60 + Number(m[2]);
    const end = Math.min(Number(m[3]) * 60 + Number(m[4]), 24 * 60 - 1);
    if (start >= end || start < last) return null;
    last = end;
    rows.push({ weekday, startsAt: `${m[1]}:${m[2]}`, endsAt: end === 24 * 60 - 1 ? '23:59' : `${m[3]}:${m[4]}` });
  }
  return rows;
}

/** The text of one weekday, e.g. "08:00-14:00, 16:00-19:30". */
export function formatDayHours(rows: Array<{ weekday: number; startsAt: string; endsAt: string }>, weekday: number): string {
  return rows
    .filter((r) => r.weekday === weekday)
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt))
    .map((r) => `${r.startsAt.slice(0, 5)}-${r.endsAt.slice(0, 5)}`)
    .join(', ');
}
