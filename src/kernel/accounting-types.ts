import type { Ledger } from '../budget/ledger.js';
import type { LimitCounter } from '../budget/limit-counter.js';
import type { LimitRegistry } from '../budget/limit-registry.js';
import type { UsageRecord } from '../budget/usage-record.js';
import type { Clock } from '../clock.js';
import type { Pricing } from '../pricing/pricing.js';
import type { SignalRouter } from './signal-router.js';

/** A reservation request. */
export interface ReserveRequest {
  /** Model id; defaults to the agent's `model`. */
  readonly model?: string;
  readonly inputTokens: number;
  readonly maxOutputTokens: number;
  /** Time to live in ms. @default the kernel's `reservationTtlMs` */
  readonly ttlMs?: number;
}

/** What the accounting path needs from the kernel. */
export interface AccountingDeps {
  readonly clock: Clock;
  readonly pricing: Pricing;
  readonly ledger: Ledger;
  readonly registry: LimitRegistry;
  readonly router: SignalRouter;
  readonly ttlMs: number;
  /** Receives each record; called only while `wantsRecords()` says someone listens. */
  readonly onRecord: (record: UsageRecord) => void;
  readonly wantsRecords: () => boolean;
  /**
   * Journals a record before anything is booked (undefined without a store): if the store fails,
   * the call throws with the kernel's state unchanged, and an acknowledged record is on disk.
   */
  readonly journalRecord:
    | ((
        record: UsageRecord,
        counters: readonly LimitCounter[],
        modelCounters: readonly LimitCounter[],
      ) => void)
    | undefined;
}
