/** What ledger aggregates can be grouped by. */
export type Dimension = 'agent' | 'task' | 'user' | 'session' | 'model';

/** The dimensions in their internal order (index = dimension number; the total is last). */
export const DIMENSIONS: readonly Dimension[] = ['agent', 'task', 'user', 'session', 'model'];

/** Internal dimension number of the single `total` row. */
export const TOTAL_DIMENSION = DIMENSIONS.length;

/**
 * Aggregated usage of one key (an agent id, a model, …) over a period. Token counts are in the
 * inclusive convention of `Usage`; money is integer nano-USD (convert with {@link nanoToUsd}).
 */
export interface UsageRow {
  readonly key: string;
  /** Records (settled calls), cache hits included. */
  readonly calls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  readonly reasoningTokens: number;
  /** Cost, nano-USD. */
  readonly costNano: number;
  /** Records served from the response cache. */
  readonly cachedCalls: number;
  /** List price of the cached calls, nano-USD: what the cache saved. */
  readonly savedNano: number;
}

/** Counter offsets inside one row of a ledger table. */
export const CALLS = 0;
export const INPUT = 1;
export const OUTPUT = 2;
export const CACHE_READ = 3;
export const CACHE_WRITE = 4;
export const REASONING = 5;
export const COST = 6;
export const CACHED_CALLS = 7;
export const SAVED = 8;
/** Counters per row. */
export const STRIDE = 9;

/** Builds a row from counters at `offset` of `counters`. */
export function toUsageRow(key: string, counters: Float64Array, offset = 0): UsageRow {
  return {
    key,
    calls: counters[offset + CALLS] ?? 0,
    inputTokens: counters[offset + INPUT] ?? 0,
    outputTokens: counters[offset + OUTPUT] ?? 0,
    cacheReadTokens: counters[offset + CACHE_READ] ?? 0,
    cacheWriteTokens: counters[offset + CACHE_WRITE] ?? 0,
    reasoningTokens: counters[offset + REASONING] ?? 0,
    costNano: counters[offset + COST] ?? 0,
    cachedCalls: counters[offset + CACHED_CALLS] ?? 0,
    savedNano: counters[offset + SAVED] ?? 0,
  };
}

/** Report order: most expensive first, then by key (code-unit order, locale-independent). */
export function compareUsageRows(a: UsageRow, b: UsageRow): number {
  if (a.costNano !== b.costNano) return b.costNano - a.costNano;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Converts integer nano-USD to USD for display (`1_500_000_000` → `1.5`). Sums stay in nano-USD;
 * convert only at the edge, since USD floats do not add up exactly.
 */
export function nanoToUsd(nano: number): number {
  return nano / 1e9;
}
