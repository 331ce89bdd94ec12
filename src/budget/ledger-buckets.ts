import type { Usage } from '../usage.js';
import type { PeriodKind } from './limit-spec.js';
import { CALLS, STRIDE } from './ledger-row.js';
import {
  BOUNDS_PER_CELL,
  BUCKET_TABLES,
  HISTORY_KINDS,
  type LedgerBucketsSnapshot,
  type LedgerPeriodSnapshot,
} from './ledger-snapshot.js';
import { periodBounds, type PeriodBounds } from './period.js';

/** Period kinds by internal index; index 4 is the lifetime. */
export const SPANS = ['hour', 'day', 'week', 'month', 'lifetime'] as const;
/** Internal index of the lifetime span. */
export const LIFETIME = 4;

/**
 * Past periods answerable per kind (hour, day, week, month), besides the current one. Hours are
 * counted in elapsed time (the hours that started in the 48 h before the current one), so a DST
 * change can make that 47 or 49 wall-clock hours; the others are exact.
 */
export const HISTORY_PERIODS: readonly number[] = [48, 62, 14, 24];
/** Typical length of each kind, ms (a month: 365.2425 / 12 days). */
const NOMINAL_MS: readonly number[] = [3_600_000, 86_400_000, 604_800_000, 2_629_746_000];

const NO_PERIOD: PeriodBounds = { start: -Infinity, end: -Infinity };

/**
 * The ledger's counter table: one row per cell (a distinct agent × task × user × session × model
 * combination), in flat `Float64Array`s of `STRIDE` counters, so a record writes one row and
 * touches no Map. Every dimension's figure is a sum of cells, which makes the attribution sums
 * agree by construction.
 *
 * Only the current hour is written per record. Hours are nested in days, and days in weeks and
 * months (in any zone, since all follow the same local clock), so a cell's finer bucket is folded
 * into the coarser ones when its hour rolls over, lazily, at its next record:
 * day = closed hours + hour, week = closed days + day, month likewise, lifetime = closed days + day.
 * Closed buckets are also copied into a per-period history, kept for {@link HISTORY_PERIODS}.
 *
 * Times must be passed non-decreasing (the ledger clamps them) and {@link advance} must have been
 * called for a time before a cell is booked at it. Booking takes no time (a time passed to a call
 * that is not inlined is boxed, 16 bytes a record): the caller rolls a {@link stale} cell first.
 */
export class LedgerBuckets {
  readonly #timeZone: string;
  #capacity = 0;
  #count = 0;
  #hour = new Float64Array(0);
  #day = new Float64Array(0);
  #week = new Float64Array(0);
  #month = new Float64Array(0);
  #life = new Float64Array(0);
  #hourStart = new Float64Array(0);
  #hourEnd = new Float64Array(0);
  #dayStart = new Float64Array(0);
  #dayEnd = new Float64Array(0);
  #weekStart = new Float64Array(0);
  #weekEnd = new Float64Array(0);
  #monthStart = new Float64Array(0);
  #monthEnd = new Float64Array(0);
  /** The periods (per kind) containing the latest time seen. */
  readonly #current: PeriodBounds[] = [NO_PERIOD, NO_PERIOD, NO_PERIOD, NO_PERIOD];
  /** Periods starting before these have been forgotten. */
  readonly #cutoff: number[] = [-Infinity, -Infinity, -Infinity, -Infinity];
  /** Per kind: period start → cell → closed counters. */
  readonly #history: Map<number, Map<number, Float64Array>>[] = [
    new Map(),
    new Map(),
    new Map(),
    new Map(),
  ];

  constructor(timeZone: string) {
    this.#timeZone = timeZone;
    this.#grow(64);
  }

  /** End of the current hour: a record at or after it needs {@link advance} first. */
  get hourEnd(): number {
    return this.#current[0]!.end;
  }

  /** Number of cells. */
  get size(): number {
    return this.#count;
  }

  /** Adds a cell with zero counters and returns its number. */
  addCell(): number {
    if (this.#count === this.#capacity) this.#grow(this.#capacity * 2);
    const cell = this.#count++;
    // A new cell has no bucket yet: its first record rolls it into the current periods.
    this.#hourStart[cell] = this.#dayStart[cell] = this.#weekStart[cell] = NaN;
    this.#monthStart[cell] = NaN;
    this.#hourEnd[cell] = this.#dayEnd[cell] = this.#weekEnd[cell] = -Infinity;
    this.#monthEnd[cell] = -Infinity;
    return cell;
  }

  /** Moves the current periods forward to contain `time` and forgets expired history. */
  advance(time: number): void {
    for (let k = 0; k < 4; k++) {
      if (time < this.#current[k]!.end) continue;
      const kind = SPANS[k] as PeriodKind;
      const now = periodBounds(kind, time, this.#timeZone);
      // One lookup, not one per period: half a period of slack absorbs DST and month lengths.
      const back = HISTORY_PERIODS[k]! * NOMINAL_MS[k]! - NOMINAL_MS[k]! / 2;
      const cutoff = periodBounds(kind, now.start - back, this.#timeZone).start;
      this.#current[k] = now;
      this.#cutoff[k] = cutoff;
      for (const start of this.#history[k]!.keys()) {
        if (start < cutoff) this.#history[k]!.delete(start);
      }
    }
  }

  /**
   * The period of kind index `k` containing `at`, or undefined when it started before the
   * retained history (its figures are no longer complete).
   */
  periodAt(k: number, at: number): PeriodBounds | undefined {
    const current = this.#current[k]!;
    const bounds =
      current.start <= at && at < current.end
        ? current
        : periodBounds(SPANS[k] as PeriodKind, at, this.#timeZone);
    return bounds.start < this.#cutoff[k]! ? undefined : bounds;
  }

  /**
   * True when `cell`'s hour ended by the start of the current one: {@link roll} it before booking.
   * (Hours are aligned, so that is when a record in the current hour is at or after its end.)
   */
  stale(cell: number): boolean {
    return this.#hourEnd[cell]! <= this.#current[0]!.start;
  }

  /**
   * Adds one record to `cell`'s current hour: up to nine additions (the caller rolled a stale
   * cell). Counts a call does not have (no cache, no reasoning: most calls) are skipped.
   */
  book(cell: number, usage: Usage, cost: number, cached: boolean, saved: number): void {
    const h = this.#hour;
    const o = cell * STRIDE;
    const read = usage.cacheReadTokens;
    const write = usage.cacheWriteTokens;
    const reasoning = usage.reasoningTokens;
    h[o] = h[o]! + 1;
    h[o + 1] = h[o + 1]! + usage.inputTokens;
    h[o + 2] = h[o + 2]! + usage.outputTokens;
    if (read) h[o + 3] = h[o + 3]! + read;
    if (write) h[o + 4] = h[o + 4]! + write;
    if (reasoning) h[o + 5] = h[o + 5]! + reasoning;
    h[o + 6] = h[o + 6]! + cost;
    if (cached) {
      h[o + 7] = h[o + 7]! + 1;
      h[o + 8] = h[o + 8]! + saved;
    }
  }

  /**
   * Adds `cell`'s counters for the span `k` (the period starting at `start`; ignored for the
   * lifetime) into `out` at `outOffset`.
   */
  read(cell: number, k: number, start: number, out: Float64Array, outOffset: number): void {
    let closedDays: Float64Array | undefined;
    switch (k) {
      case 0:
        if (this.#hourStart[cell] !== start)
          return this.#readClosed(cell, k, start, out, outOffset);
        break;
      case 1:
        if (this.#dayStart[cell] !== start) return this.#readClosed(cell, k, start, out, outOffset);
        break;
      case 2:
        if (this.#weekStart[cell] !== start)
          return this.#readClosed(cell, k, start, out, outOffset);
        closedDays = this.#week;
        break;
      case 3:
        if (this.#monthStart[cell] !== start)
          return this.#readClosed(cell, k, start, out, outOffset);
        closedDays = this.#month;
        break;
      default:
        closedDays = this.#life;
    }
    const o = cell * STRIDE;
    addInto(out, outOffset, this.#hour, o);
    if (k !== 0) addInto(out, outOffset, this.#day, o);
    if (closedDays !== undefined) addInto(out, outOffset, closedDays, o);
  }

  /** Every cell's counters, bounds (null when unset) and retained history, as plain numbers. */
  snapshot(): LedgerBucketsSnapshot {
    const rows = this.#count * STRIDE;
    const tables = this.#tables();
    const counters = (k: number) => Array.from(tables[k]!.subarray(0, rows));
    const bounds: (number | null)[] = [];
    const columns = this.#boundColumns();
    for (let cell = 0; cell < this.#count; cell++) {
      for (const column of columns) {
        const v = column[cell]!;
        bounds.push(Number.isFinite(v) ? v : null);
      }
    }
    const history = (k: number): LedgerPeriodSnapshot[] =>
      Array.from(this.#history[k]!, ([start, byCell]) => {
        const counters: number[] = [];
        for (const closed of byCell.values()) for (const c of closed) counters.push(c);
        return { start, cells: [...byCell.keys()], counters };
      });
    return {
      hour: counters(0),
      day: counters(1),
      week: counters(2),
      month: counters(3),
      life: counters(4),
      bounds,
      history: { hour: history(0), day: history(1), week: history(2), month: history(3) },
    };
  }

  /**
   * Fills a fresh table with `count` cells from a checked snapshot, then moves the current
   * periods to `latest` (the latest record time; null for none), as the last record did.
   */
  load(data: LedgerBucketsSnapshot, count: number, latest: number | null): void {
    let capacity = this.#capacity;
    while (capacity < count) capacity *= 2;
    this.#grow(capacity);
    this.#count = count;
    const tables = this.#tables();
    BUCKET_TABLES.forEach((name, k) => tables[k]!.set(data[name]));
    const columns = this.#boundColumns();
    for (let cell = 0; cell < count; cell++) {
      for (let j = 0; j < BOUNDS_PER_CELL; j++) {
        // Unset bounds are NaN (starts) and -Infinity (ends): see addCell.
        columns[j]![cell] =
          data.bounds[cell * BOUNDS_PER_CELL + j] ?? (j % 2 === 1 ? -Infinity : NaN);
      }
    }
    HISTORY_KINDS.forEach((kind, k) => {
      for (const { start, cells, counters } of data.history[kind]) {
        const byCell = new Map<number, Float64Array>();
        // Views on one block per period: whole periods are forgotten at once.
        const block = Float64Array.from(counters);
        for (let i = 0; i < cells.length; i++)
          byCell.set(cells[i]!, block.subarray(i * STRIDE, (i + 1) * STRIDE));
        this.#history[k]!.set(start, byCell);
      }
    });
    if (latest !== null) this.advance(latest);
  }

  #tables(): Float64Array[] {
    return [this.#hour, this.#day, this.#week, this.#month, this.#life];
  }

  /** In {@link BOUNDS_PER_CELL} order: start and end of hour, day, week, month. */
  #boundColumns(): Float64Array[] {
    return [
      this.#hourStart,
      this.#hourEnd,
      this.#dayStart,
      this.#dayEnd,
      this.#weekStart,
      this.#weekEnd,
      this.#monthStart,
      this.#monthEnd,
    ];
  }

  #readClosed(cell: number, k: number, start: number, out: Float64Array, outOffset: number): void {
    const closed = this.#history[k]!.get(start)?.get(cell);
    if (closed !== undefined) addInto(out, outOffset, closed, 0);
  }

  /** Closes the cell's buckets that end at or before `time`; the current periods contain it. */
  roll(cell: number, time: number): void {
    const [hour, day, week, month] = this.#current as [
      PeriodBounds,
      PeriodBounds,
      PeriodBounds,
      PeriodBounds,
    ];
    this.#close(0, this.#hourStart[cell]!, cell, this.#hour, [this.#day]);
    this.#hourStart[cell] = hour.start;
    this.#hourEnd[cell] = hour.end;
    if (time < this.#dayEnd[cell]!) return;
    this.#close(1, this.#dayStart[cell]!, cell, this.#day, [this.#week, this.#month, this.#life]);
    this.#dayStart[cell] = day.start;
    this.#dayEnd[cell] = day.end;
    if (time >= this.#weekEnd[cell]!) {
      this.#close(2, this.#weekStart[cell]!, cell, this.#week, []);
      this.#weekStart[cell] = week.start;
      this.#weekEnd[cell] = week.end;
    }
    if (time >= this.#monthEnd[cell]!) {
      this.#close(3, this.#monthStart[cell]!, cell, this.#month, []);
      this.#monthStart[cell] = month.start;
      this.#monthEnd[cell] = month.end;
    }
  }

  /**
   * Ends the cell's bucket of kind `k` (which started at `start`): keeps a copy in the history if
   * still within retention, adds it into the coarser buckets `into`, and zeroes it.
   */
  #close(k: number, start: number, cell: number, bucket: Float64Array, into: Float64Array[]): void {
    const o = cell * STRIDE;
    if (!(bucket[o + CALLS]! > 0)) return;
    if (start >= this.#cutoff[k]!) {
      const history = this.#history[k]!;
      let period = history.get(start);
      if (period === undefined) history.set(start, (period = new Map()));
      period.set(cell, bucket.slice(o, o + STRIDE));
    }
    for (const target of into) addInto(target, o, bucket, o);
    bucket.fill(0, o, o + STRIDE);
  }

  #grow(capacity: number): void {
    const rows = (old: Float64Array) => {
      const next = new Float64Array(capacity * STRIDE);
      next.set(old);
      return next;
    };
    const cells = (old: Float64Array) => {
      const next = new Float64Array(capacity);
      next.set(old);
      return next;
    };
    this.#hour = rows(this.#hour);
    this.#day = rows(this.#day);
    this.#week = rows(this.#week);
    this.#month = rows(this.#month);
    this.#life = rows(this.#life);
    this.#hourStart = cells(this.#hourStart);
    this.#hourEnd = cells(this.#hourEnd);
    this.#dayStart = cells(this.#dayStart);
    this.#dayEnd = cells(this.#dayEnd);
    this.#weekStart = cells(this.#weekStart);
    this.#weekEnd = cells(this.#weekEnd);
    this.#monthStart = cells(this.#monthStart);
    this.#monthEnd = cells(this.#monthEnd);
    this.#capacity = capacity;
  }
}

/** out[outOffset + i] += source[offset + i] for every counter. */
function addInto(out: Float64Array, outOffset: number, source: Float64Array, offset: number): void {
  for (let i = 0; i < STRIDE; i++) out[outOffset + i] = out[outOffset + i]! + source[offset + i]!;
}
