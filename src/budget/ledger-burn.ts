import type { LedgerBurnSnapshot } from './ledger-snapshot.js';

/** Width of one burn-rate bucket, ms. */
export const MINUTE_MS = 60_000;
/** Minute buckets kept: the longest burn-rate window is one day. */
export const BURN_MINUTES = 1440;

/** Sums over a range of minutes. */
export interface BurnSums {
  readonly tokens: number;
  readonly costNano: number;
  readonly calls: number;
}

/**
 * Tokens, cost and calls per UTC minute for the last {@link BURN_MINUTES} minutes, in a ring of
 * flat counters: O(1) per record (a minute change zeroes the minutes skipped, at most the ring).
 * Times must be non-decreasing. The caller checks {@link minuteEnd} and moves the ring itself, so
 * that `add` takes no time: a time passed to a call that is not inlined is boxed (16 bytes).
 */
export class BurnRing {
  readonly #counters = new Float64Array(BURN_MINUTES * 3);
  /** The latest minute written (minute index since the epoch). */
  #minute = -Infinity;
  #minuteEnd = -Infinity;
  #offset = 0;

  /** End of the minute records are added to: a record at or after it needs {@link moveTo} first. */
  get minuteEnd(): number {
    return this.#minuteEnd;
  }

  /** Adds one record to the current minute (the caller moved to the record's minute first). */
  add(tokens: number, costNano: number): void {
    const c = this.#counters;
    const o = this.#offset;
    c[o] = c[o]! + tokens;
    c[o + 1] = c[o + 1]! + costNano;
    c[o + 2] = c[o + 2]! + 1;
  }

  /** Makes the minute of `time` (ms, not before the current one) the current one. */
  moveTo(time: number): void {
    const minute = Math.floor(time / MINUTE_MS);
    const skipped = Math.min(minute - this.#minute, BURN_MINUTES);
    for (let m = minute - skipped + 1; m <= minute; m++) {
      const o = slot(m);
      this.#counters.fill(0, o, o + 3);
    }
    this.#minute = minute;
    this.#minuteEnd = (minute + 1) * MINUTE_MS;
    this.#offset = slot(minute);
  }

  /** Sums of the minutes `from` to `to` (minute indexes, inclusive); forgotten minutes count 0. */
  sum(from: number, to: number): BurnSums {
    const first = Math.max(from, this.#minute - BURN_MINUTES + 1);
    const last = Math.min(to, this.#minute);
    let tokens = 0;
    let costNano = 0;
    let calls = 0;
    const c = this.#counters;
    for (let m = first; m <= last; m++) {
      const o = slot(m);
      tokens += c[o]!;
      costNano += c[o + 1]!;
      calls += c[o + 2]!;
    }
    return { tokens, costNano, calls };
  }

  /** The kept minutes, oldest first, as plain numbers. */
  snapshot(): LedgerBurnSnapshot {
    if (this.#minute === -Infinity) return { minute: null, counters: [] };
    const counters: number[] = [];
    for (let m = this.#minute - BURN_MINUTES + 1; m <= this.#minute; m++) {
      const o = slot(m);
      counters.push(this.#counters[o]!, this.#counters[o + 1]!, this.#counters[o + 2]!);
    }
    return { minute: this.#minute, counters };
  }

  /** Fills a fresh ring from a checked snapshot. */
  load(data: LedgerBurnSnapshot): void {
    if (data.minute === null) return;
    this.moveTo(data.minute * MINUTE_MS);
    const first = data.minute - BURN_MINUTES + 1;
    for (let i = 0; i < BURN_MINUTES; i++) {
      this.#counters.set(data.counters.slice(i * 3, i * 3 + 3), slot(first + i));
    }
  }
}

function slot(minute: number): number {
  return (((minute % BURN_MINUTES) + BURN_MINUTES) % BURN_MINUTES) * 3;
}
