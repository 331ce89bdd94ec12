import type { Usage } from '../usage.js';

/** The key under which a record with no task, user or session is attributed. */
export const NO_KEY = '(none)';

/** Last three digits, zero-padded: ids of nearby reservations share all the digits before. */
const LOW_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** The thousand the last id was in (none yet), and `r` + its digits. */
let idBase = -Infinity;
let idPrefix = '';

/**
 * The id of the kernel's reservation number `seq` (`r1`, `r2`, …), as records carry it. Reuses
 * the leading digits of the previous call's thousand: converting the whole number each time
 * cost more than the rest of building a record (~40 ns against ~20 ns).
 */
export function reservationIdOf(seq: number): string {
  const low = seq - idBase;
  if (low >= 0 && low < 1000) return idPrefix + LOW_DIGITS[low]!;
  if (seq < 1000 || !Number.isSafeInteger(seq)) return `r${seq}`;
  idBase = seq - (seq % 1000);
  idPrefix = `r${idBase / 1000}`;
  return idPrefix + LOW_DIGITS[seq - idBase]!;
}

/** One settled call in the ledger. Money is integer nano-USD (1e-9 USD). */
export interface UsageRecord {
  /** Monotonic sequence number within one kernel (starts at 1). */
  readonly seq: number;
  /** When it was settled, ms since the epoch. */
  readonly time: number;
  readonly agentId: string;
  readonly taskId: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly model: string;
  readonly usage: Usage;
  /** Cost in nano-USD; 0 for a cache hit. */
  readonly costNano: number;
  /** Where the price came from, e.g. `genai-prices@0.1.8` or `user`. */
  readonly priceSource: string;
  /** True when served from the response cache (costs the agent nothing). */
  readonly cached: boolean;
  /** The reservation it settled, or undefined for `record()`. */
  readonly reservationId: string | undefined;
  /** For a cache hit: what the call would have cost at list price, nano-USD. */
  readonly savedNano?: number;
}
