import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { expectNumberIn, expectObject, expectPositiveInt, invalid } from '../validate.js';
import { CostAwareCache } from './cost-aware-cache.js';

/* eslint-disable @typescript-eslint/no-unused-vars -- V ties the options to the cache's value type */
/** Options of {@link createCostCache}; `V` is the value type of the cache they configure. */
export interface CostCacheOptions<V> {
  /** Capacity in bytes: the sum of the `bytes` of resident entries never exceeds it. */
  readonly maxBytes: number;
  /**
   * Time to live of an entry in milliseconds, counted from its last `set` (a hit does not renew
   * it). An expired entry is never returned; it is dropped (reason `expired`) on access, on the
   * next write or eviction, or by `stats()`/`size`.
   * @default undefined (entries never expire)
   */
  readonly ttlMs?: number;
  /**
   * TinyLFU admission: an entry leaving the recency window enters the cost-aware main region
   * only if its recent frequency beats the frequency of the entries it would evict (equal
   * frequencies: the higher regeneration cost wins). Without it every entry is admitted and plain
   * GDSF decides.
   * @default true
   */
  readonly admission?: boolean;
  /** Time source for the TTL. @default systemClock */
  readonly clock?: Clock;
  /**
   * Share of `maxBytes` given to the LRU recency window at start (0 = none, 1 = plain LRU). New
   * entries start there, so requests repeated within a short time hit even before their
   * frequency is known. With `adaptiveWindow` it is only the starting point.
   * @default 0.01
   */
  readonly windowRatio?: number;
  /**
   * Let the window's share move, ARC-style: a miss on a recently refused or window-evicted key
   * grows the window, a miss on a recently GDSF-evicted key shrinks it (recency-heavy traffic
   * ends up with a large window, frequency-heavy traffic with a small one). Turn off for a
   * fixed, fully predictable layout.
   * @default true
   */
  readonly adaptiveWindow?: boolean;
}
/* eslint-enable @typescript-eslint/no-unused-vars */

/** What `set` is told about an entry. */
export interface CacheSetInfo {
  /**
   * Expected cost to regenerate the entry at list price, in integer nano-USD (1e-9 USD). A hit
   * adds it to `costSavedNano`; eviction favours keeping expensive bytes.
   */
  readonly costNano: number;
  /** Size of the entry in bytes (≥ 1), counted against `maxBytes`. */
  readonly bytes: number;
  /** Tokens a hit saves (input + output of the call it replaces), for `tokensSaved`. @default 0 */
  readonly tokens?: number;
}

/** Why entries left the cache. */
export interface CostCacheEvictions {
  /** Evicted to make room (GDSF minimum, or an entry too large for the room left). */
  readonly capacity: number;
  /** Dropped because their TTL ran out. */
  readonly expired: number;
  /** Refused by the admission filter when leaving the recency window (or on `set`). */
  readonly rejected: number;
  /** Removed by `delete`, `clear`, or a `set` whose new value was larger than `maxBytes`. */
  readonly deleted: number;
}

/** A snapshot of a cost cache's counters. */
export interface CostCacheStats {
  /** `get` calls that returned a value. */
  readonly hits: number;
  /** `get` calls that returned `undefined`; `hits + misses` is the number of lookups. */
  readonly misses: number;
  /** Entries that left the cache for any reason: the sum of `evictionsByReason`. */
  readonly evictions: number;
  readonly evictionsByReason: CostCacheEvictions;
  /** Bytes held now (≤ `maxBytes`). */
  readonly bytes: number;
  /** Entries held now. */
  readonly entries: number;
  /** Sum of `costNano` over every hit, in nano-USD. */
  readonly costSavedNano: number;
  /** Sum of `tokens` over every hit. */
  readonly tokensSaved: number;
}

/** A byte-bounded cache that keeps what is most expensive to regenerate per byte. */
export interface CostCache<V> {
  /**
   * The value for `key`, or `undefined`. A hit adds the entry's `costNano` and `tokens` to the
   * savings; every call counts as a hit or a miss and as one use in the frequency estimate.
   * @throws KernelError `INVALID_ARGUMENT` when `key` is not a non-empty string.
   */
  get(key: string): V | undefined;
  /**
   * Stores `value`; true when it is resident afterwards, false when it was larger than
   * `maxBytes`, larger than the room the cache can make, or not admitted.
   * @throws KernelError `INVALID_ARGUMENT` on a bad key or `info`.
   */
  set(key: string, value: V, info: CacheSetInfo): boolean;
  /**
   * Whether a live entry exists. No effect on statistics, recency or frequency.
   * @throws KernelError `INVALID_ARGUMENT` when `key` is not a non-empty string.
   */
  has(key: string): boolean;
  /**
   * Removes an entry (reason `deleted`); false when there was no live entry.
   * @throws KernelError `INVALID_ARGUMENT` when `key` is not a non-empty string.
   */
  delete(key: string): boolean;
  /** Removes every entry (counted as `deleted`) and forgets frequencies; counters are kept. */
  clear(): void;
  /** A snapshot of the counters, after dropping expired entries. */
  stats(): CostCacheStats;
  /** Number of live entries. */
  readonly size: number;
}

/** Fully defaulted options. */
export interface ResolvedCostCacheOptions {
  readonly maxBytes: number;
  readonly ttlMs: number | undefined;
  readonly admission: boolean;
  readonly clock: Clock;
  readonly windowRatio: number;
  readonly adaptiveWindow: boolean;
}

/**
 * Starting share of `maxBytes` for the recency window: W-TinyLFU's 1 %. The window tuner moves it
 * within a fraction of a capacity of traffic; in bench/cache.bench.ts starting at 1 %, 20 % or
 * 50 % ended within a few percent of each other.
 */
export const DEFAULT_WINDOW_RATIO = 0.01;

/**
 * Creates a cost-aware cache: an LRU recency window (lru-cache) in front of a main region
 * evicted by GDSF (priority `L + frequency × cost / size` in an indexed min-heap, `L` inflated
 * to each evicted priority), with TinyLFU admission between them. Success is dollars saved, not
 * hit ratio.
 * @example
 * const cache = createCostCache<string>({ maxBytes: 64 * 1024 * 1024 });
 * let text = cache.get(key);
 * if (text === undefined) {
 *   text = await generate();
 *   cache.set(key, text, { costNano: 42_000, bytes: Buffer.byteLength(text), tokens: 1_250 });
 * }
 * @throws KernelError `INVALID_ARGUMENT` on a bad option.
 */
export function createCostCache<V>(options: CostCacheOptions<V>): CostCache<V> {
  return new CostAwareCache<V>(resolveCostCacheOptions(options));
}

function resolveCostCacheOptions(options: unknown): ResolvedCostCacheOptions {
  const o = expectObject('options', options);
  const maxBytes = expectPositiveInt('maxBytes', o['maxBytes']);
  const ttlMs = o['ttlMs'] === undefined ? undefined : expectPositiveInt('ttlMs', o['ttlMs']);
  const admission = o['admission'] ?? true;
  if (typeof admission !== 'boolean') invalid('admission', 'a boolean', admission);
  const clock = o['clock'] ?? systemClock;
  if (
    clock === null ||
    typeof clock !== 'object' ||
    typeof (clock as Record<string, unknown>)['now'] !== 'function'
  ) {
    invalid('clock', 'a Clock with a now() function', clock);
  }
  const windowRatio =
    o['windowRatio'] === undefined
      ? DEFAULT_WINDOW_RATIO
      : expectNumberIn('windowRatio', o['windowRatio'], 0, 1);
  const adaptiveWindow = o['adaptiveWindow'] ?? true;
  if (typeof adaptiveWindow !== 'boolean') invalid('adaptiveWindow', 'a boolean', adaptiveWindow);
  return { maxBytes, ttlMs, admission, clock: clock as Clock, windowRatio, adaptiveWindow };
}
