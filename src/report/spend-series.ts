import type { PeriodKind } from '../budget/limit-spec.js';
import { periodBounds, periodKey } from '../budget/period.js';
import type { Usage } from '../usage.js';

/** Spend in one calendar period of a {@link SpendSeries}. Money in nano-USD. */
export interface SeriesRow {
  /** The period's sortable name in the report's zone: `2026-11-22T14`, `2026-11-22`, `2026-W47`, `2026-11`. */
  readonly period: string;
  /** Period start and end (exclusive), ms since the epoch. */
  readonly start: number;
  readonly end: number;
  readonly calls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  readonly reasoningTokens: number;
  readonly costNano: number;
  /** `costNano` in USD, for display. */
  readonly usd: number;
}

interface Bucket {
  readonly start: number;
  readonly end: number;
  readonly sums: Float64Array;
}

/**
 * Spend per calendar period (hour, day, ISO week or month in a time zone), O(1) per record. Times
 * must be passed non-decreasing (the report clamps them as the ledger does, so the series sums to
 * the total). At most `maxPeriods` periods with spend are kept, the latest; older ones are
 * dropped and counted.
 */
export class SpendSeries {
  readonly kind: PeriodKind;
  readonly #timeZone: string;
  readonly #max: number;
  readonly #buckets: Bucket[] = [];
  #current: Bucket | undefined;
  #dropped = 0;

  constructor(kind: PeriodKind, timeZone: string, maxPeriods: number) {
    this.kind = kind;
    this.#timeZone = timeZone;
    this.#max = maxPeriods;
  }

  /** Books one call at `time` (ms, not before the previous one). */
  add(time: number, usage: Usage, costNano: number): void {
    let bucket = this.#current;
    if (bucket === undefined || time >= bucket.end) {
      const { start, end } = periodBounds(this.kind, time, this.#timeZone);
      bucket = { start, end, sums: new Float64Array(7) };
      this.#buckets.push(bucket);
      if (this.#buckets.length > this.#max) {
        this.#buckets.shift();
        this.#dropped++;
      }
      this.#current = bucket;
    }
    const s = bucket.sums;
    s[0]! += 1;
    s[1]! += usage.inputTokens;
    s[2]! += usage.outputTokens;
    s[3]! += usage.cacheReadTokens ?? 0;
    s[4]! += usage.cacheWriteTokens ?? 0;
    s[5]! += usage.reasoningTokens ?? 0;
    s[6]! += costNano;
  }

  /** Periods with spend dropped for being older than the `maxPeriods` kept. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Periods kept. */
  get size(): number {
    return this.#buckets.length;
  }

  /** The kept periods with spend, oldest first. */
  rows(): SeriesRow[] {
    return this.#buckets.map(({ start, end, sums: s }) => ({
      period: periodKey(this.kind, start, this.#timeZone),
      start,
      end,
      calls: s[0]!,
      inputTokens: s[1]!,
      outputTokens: s[2]!,
      cacheReadTokens: s[3]!,
      cacheWriteTokens: s[4]!,
      reasoningTokens: s[5]!,
      costNano: s[6]!,
      usd: s[6]! / 1e9,
    }));
  }
}
