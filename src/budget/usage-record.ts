import type { Usage } from '../usage.js';

/** The key under which a record with no task, user or session is attributed. */
export const NO_KEY = '(none)';

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
