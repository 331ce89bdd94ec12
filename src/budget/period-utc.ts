import type { PeriodKind } from './limit-spec.js';

/** Milliseconds in one hour. */
export const HOUR_MS = 3_600_000;
/** Milliseconds in one (24 h) day of wall-clock time. */
export const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (`month` 1–12). Integer arithmetic only, so
 * it is exact for every year a `Date` can hold (H. Hinnant's `days_from_civil`).
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** A proleptic Gregorian date. */
export interface CivilDate {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  /** 1–31 */
  readonly day: number;
}

/** The calendar date of a day count since 1970-01-01 (inverse of {@link daysFromCivil}). */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Monday-based weekday (Monday 0 … Sunday 6) of a day count; 1970-01-01 was a Thursday. */
function isoWeekday(days: number): number {
  return (((days + 3) % 7) + 7) % 7;
}

/**
 * The start of the `kind` period containing `ms`, reading `ms` as UTC wall-clock time. Used
 * directly for UTC and on local wall-clock values for other zones.
 */
export function floorWall(kind: PeriodKind, ms: number): number {
  switch (kind) {
    case 'hour':
      return Math.floor(ms / HOUR_MS) * HOUR_MS;
    case 'day':
      return Math.floor(ms / DAY_MS) * DAY_MS;
    case 'week': {
      const days = Math.floor(ms / DAY_MS);
      return (days - isoWeekday(days)) * DAY_MS;
    }
    case 'month': {
      const { year, month } = civilFromDays(Math.floor(ms / DAY_MS));
      return daysFromCivil(year, month, 1) * DAY_MS;
    }
  }
}

/** The start of the period after the one starting at `start` (a value from {@link floorWall}). */
export function nextWall(kind: PeriodKind, start: number): number {
  switch (kind) {
    case 'hour':
      return start + HOUR_MS;
    case 'day':
      return start + DAY_MS;
    case 'week':
      return start + WEEK_MS;
    case 'month': {
      const { year, month } = civilFromDays(Math.floor(start / DAY_MS));
      return (
        (month === 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1)) * DAY_MS
      );
    }
  }
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

/**
 * The key of the `kind` period containing wall-clock `ms`: `2026-11-22T14`, `2026-11-22`,
 * `2026-W47` (ISO week-year and week number) or `2026-11`.
 */
export function wallKey(kind: PeriodKind, ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  if (kind === 'week') {
    // The ISO week belongs to the year of its Thursday.
    const thursday = days - isoWeekday(days) + 3;
    const { year } = civilFromDays(thursday);
    const week = Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1;
    return `${pad(year, 4)}-W${pad(week, 2)}`;
  }
  const { year, month, day } = civilFromDays(days);
  if (kind === 'month') return `${pad(year, 4)}-${pad(month, 2)}`;
  const date = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  if (kind === 'day') return date;
  return `${date}T${pad(Math.floor((ms - days * DAY_MS) / HOUR_MS), 2)}`;
}
