import { invalid } from '../validate.js';
import type { PeriodKind } from './limit-spec.js';
import { DAY_MS, floorWall, nextWall, wallKey } from './period-utc.js';
import { ZoneClock } from './period-zone.js';

/** A calendar period as a half-open interval [start, end) of ms since the epoch. */
export interface PeriodBounds {
  readonly start: number;
  readonly end: number;
}

/** Latest (and, negated, earliest) accepted time: the `Date` range minus room for a month's end. */
const MAX_TIME = 8.64e15 - 40 * DAY_MS;

interface CachedPeriod {
  readonly bounds: PeriodBounds;
  readonly key: string;
}

interface ZoneEntry {
  /** undefined when the zone is UTC under another name (`Etc/UTC`, `GMT`, `utc`). */
  readonly clock: ZoneClock | undefined;
  readonly name: string;
  /** The last period computed per kind: most calls land in the same period as the previous one. */
  readonly last: (CachedPeriod | undefined)[];
}

/** The last UTC period per kind, for callers that ask about the same period again and again. */
const utcLast: (PeriodBounds | undefined)[] = [undefined, undefined, undefined, undefined];

const MAX_ZONE_ENTRIES = 1024;
const zones = new Map<string, ZoneEntry>();

function zoneEntry(timeZone: unknown): ZoneEntry {
  if (typeof timeZone === 'string') {
    const hit = zones.get(timeZone);
    if (hit !== undefined) return hit;
  }
  if (typeof timeZone !== 'string' || timeZone.length === 0 || timeZone.length > 64) {
    invalid('timeZone', 'an IANA time zone name such as `Europe/Berlin`', timeZone);
  }
  let clock: ZoneClock;
  try {
    clock = new ZoneClock(timeZone);
  } catch {
    invalid('timeZone', 'an IANA time zone name such as `Europe/Berlin`', timeZone);
  }
  const name = clock.canonicalName;
  const entry: ZoneEntry = {
    clock: name === 'UTC' ? undefined : clock,
    name,
    last: [undefined, undefined, undefined, undefined],
  };
  // Spellings are unbounded (any casing is accepted), so the cache is too unless capped.
  if (zones.size >= MAX_ZONE_ENTRIES) zones.clear();
  zones.set(timeZone, entry);
  return entry;
}

function kindIndex(kind: unknown): number {
  switch (kind) {
    case 'hour':
      return 0;
    case 'day':
      return 1;
    case 'week':
      return 2;
    case 'month':
      return 3;
    default:
      return invalid('kind', "one of 'hour', 'day', 'week', 'month'", kind);
  }
}

function checkTime(time: unknown): number {
  if (typeof time !== 'number' || !(time >= -MAX_TIME && time <= MAX_TIME)) {
    invalid('time', `a finite time in ms since the epoch within ±${MAX_TIME}`, time);
  }
  return time;
}

function zonedPeriod(entry: ZoneEntry, clock: ZoneClock, kind: PeriodKind, time: number) {
  const index = kindIndex(kind);
  const cached = entry.last[index];
  if (cached !== undefined && cached.bounds.start <= time && time < cached.bounds.end)
    return cached;
  const wall = time + clock.offset(time);
  const wallStart = floorWall(kind, wall);
  const period: CachedPeriod = {
    bounds: {
      start: clock.crossingBefore(time, wallStart),
      end: clock.crossingAfter(time, nextWall(kind, wallStart)),
    },
    key: wallKey(kind, wallStart),
  };
  entry.last[index] = period;
  return period;
}

/**
 * Checks an IANA time zone name against the runtime's time zone data.
 * @returns the canonical name (`US/Eastern` → `America/New_York`, `Etc/UTC` → `UTC`).
 * @throws KernelError `INVALID_ARGUMENT` for anything else, including offsets like `+05:30`.
 */
export function validateTimeZone(timeZone: unknown): string {
  return zoneEntry(timeZone).name;
}

/**
 * The calendar period of `kind` containing `time`: a local hour, a local day (midnight to
 * midnight, so 23 or 25 h across a DST change), an ISO week (Monday 00:00 to Monday 00:00) or a
 * calendar month, in `timeZone`. Periods tile time: the period containing `end` starts at `end`.
 *
 * Hours follow the local wall clock (in Asia/Kathmandu, +05:45, they start at :15 UTC). A skipped
 * wall-clock hour has no period; a repeated one (autumn DST) is part of the hour already running,
 * which then lasts two hours (90 minutes for Australia/Lord_Howe's 30-minute DST). In general a
 * period starts where the local clock first reaches its start going forward.
 *
 * UTC is pure arithmetic; other zones use `Intl.DateTimeFormat` (cached per zone, and the last
 * period per zone and kind is reused).
 *
 * @param time ms since the epoch.
 * @param timeZone an IANA zone name. @default 'UTC'
 * @throws KernelError `INVALID_ARGUMENT` for an unknown kind or zone, or a non-finite time.
 */
export function periodBounds(kind: PeriodKind, time: number, timeZone?: string): PeriodBounds {
  checkTime(time);
  if (timeZone !== undefined && timeZone !== 'UTC') {
    const entry = zoneEntry(timeZone);
    if (entry.clock !== undefined) return zonedPeriod(entry, entry.clock, kind, time).bounds;
  }
  const index = kindIndex(kind);
  const cached = utcLast[index];
  if (cached !== undefined && cached.start <= time && time < cached.end) return cached;
  const start = floorWall(kind, time);
  const bounds = { start, end: nextWall(kind, start) };
  utcLast[index] = bounds;
  return bounds;
}

/**
 * A stable, sortable name for the period containing `time`, in local time of `timeZone`:
 * `2026-11-22T14` (hour), `2026-11-22` (day), `2026-W47` (ISO week-year and week), `2026-11`
 * (month).
 * @param timeZone an IANA zone name. @default 'UTC'
 * @throws KernelError `INVALID_ARGUMENT` for an unknown kind or zone, or a non-finite time.
 */
export function periodKey(kind: PeriodKind, time: number, timeZone?: string): string {
  checkTime(time);
  if (timeZone !== undefined && timeZone !== 'UTC') {
    const entry = zoneEntry(timeZone);
    if (entry.clock !== undefined) return zonedPeriod(entry, entry.clock, kind, time).key;
  }
  kindIndex(kind);
  return wallKey(kind, time);
}
