import { DAY_MS, HOUR_MS, daysFromCivil } from './period-utc.js';

/**
 * Offsets are sampled at most this far apart when looking for a transition. Two transitions
 * closer than this that cancel each other out would be missed; no tzdb zone has had such a pair
 * since 1970 (Morocco's Ramadan suspensions, the closest, are weeks apart).
 */
const SAMPLE_STEP_MS = 7 * DAY_MS;

/**
 * Wall-clock arithmetic for one IANA time zone through `Intl.DateTimeFormat`. A zone's local time
 * is piecewise `instant + offset`, with the offset changing at transitions (DST, law changes).
 */
export class ZoneClock {
  readonly #format: Intl.DateTimeFormat;

  /** @throws RangeError for a zone unknown to the runtime's ICU data. */
  constructor(timeZone: string) {
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** The zone's canonical name (e.g. `America/New_York` for `US/Eastern`). */
  get canonicalName(): string {
    return this.#format.resolvedOptions().timeZone;
  }

  /** Local wall-clock time minus `instant`, ms (e.g. +19,800,000 for +05:30). */
  offset(instant: number): number {
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let beforeCommonEra = false;
    for (const part of this.#format.formatToParts(instant)) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value) % 24;
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
        case 'era':
          beforeCommonEra = part.value === 'BC' || part.value === 'B';
          break;
        default:
          break;
      }
    }
    if (beforeCommonEra) year = 1 - year;
    const wholeSecond = Math.floor(instant / 1000) * 1000;
    const wall =
      daysFromCivil(year, month, day) * DAY_MS + hour * HOUR_MS + minute * 60_000 + second * 1000;
    return wall - wholeSecond;
  }

  /**
   * The first instant at or after `instant` whose local time is ≥ `wall`, given that local time at
   * `instant` is below `wall`: where the wall clock reaches a period boundary going forward,
   * either by ticking or by jumping over it.
   */
  crossingAfter(instant: number, wall: number): number {
    let at = instant;
    let offset = this.offset(at);
    for (;;) {
      const target = wall - offset;
      const change = this.#nextChange(at, offset, target);
      if (change === undefined) return target;
      const next = this.offset(change);
      if (change + next >= wall) return change;
      at = change;
      offset = next;
    }
  }

  /**
   * The last instant at or before `instant` where local time reached `wall` going forward, given
   * that local time at `instant` is ≥ `wall`. A repeated wall-clock stretch (after a backward
   * jump) stays in the period that was already running, so periods never overlap.
   */
  crossingBefore(instant: number, wall: number): number {
    let at = instant;
    let offset = this.offset(at);
    for (;;) {
      const candidate = wall - offset;
      const start = this.#segmentStart(at, offset, candidate - 1);
      if (start === undefined) return candidate;
      const previous = this.offset(start - 1);
      if (start - 1 + previous < wall) return start;
      at = start - 1;
      offset = previous;
    }
  }

  /** First instant in (from, to] whose offset differs from `offset`, or undefined. */
  #nextChange(from: number, offset: number, to: number): number | undefined {
    for (let p = from; p < to;) {
      const q = Math.min(p + SAMPLE_STEP_MS, to);
      if (this.offset(q) !== offset) return this.#bisect(p, q, offset, false);
      p = q;
    }
    return undefined;
  }

  /**
   * The first instant of the constant-offset stretch that ends at `from`, if it starts after
   * `lowest`; undefined when the offset is `offset` all the way down to `lowest`.
   */
  #segmentStart(from: number, offset: number, lowest: number): number | undefined {
    for (let p = from; p > lowest;) {
      const q = Math.max(p - SAMPLE_STEP_MS, lowest);
      if (this.offset(q) !== offset) return this.#bisect(q, p, offset, true);
      p = q;
    }
    return undefined;
  }

  /**
   * Binary search for the single transition in (lo, hi]: returns the first instant whose offset
   * is `offset` (`towardsOffset`) or is not `offset` (otherwise).
   */
  #bisect(lo: number, hi: number, offset: number, towardsOffset: boolean): number {
    let a = lo;
    let b = hi;
    while (b - a > 1) {
      const mid = a + Math.floor((b - a) / 2);
      if ((this.offset(mid) === offset) === towardsOffset) b = mid;
      else a = mid;
    }
    return b;
  }
}
