import type { UsageRecord } from '../budget/usage-record.js';

/** What a shared budget does while its store is unreachable. */
export type FailMode = 'closed' | 'open';

/** One budget shared by every process: the pool, or one limit in one period. */
export interface SharedBudget {
  /** Stable id across processes (scope, key, name and period start). */
  readonly id: string;
  /** Token limit, or Infinity. */
  readonly limitTokens: number;
  /** Money limit in nano-USD, or Infinity. */
  readonly limitNano: number;
  /** When the budget's keys may be dropped (ms since epoch), or Infinity. */
  readonly expireAt: number;
  /** True when the configured limit is the truth (limits); false when the store's value is (the pool). */
  readonly configured: boolean;
}

/** A request for more lease on one budget. */
export interface LeaseAsk {
  readonly budget: SharedBudget;
  readonly wantTokens: number;
  readonly wantNano: number;
  /** Less than this on any budget of the request and nothing is granted at all. */
  readonly minTokens: number;
  readonly minNano: number;
}

/** A budget's usage as the store has it. */
export interface BudgetUsage {
  /** Used by every process. */
  readonly usedTokens: number;
  readonly usedNano: number;
  /** Used by this process's records the store has applied. */
  readonly mineTokens: number;
  readonly mineNano: number;
}

/** What an ask got. */
export interface LeaseGrant extends BudgetUsage {
  readonly tokens: number;
  readonly nano: number;
}

/**
 * A store that lets several processes spend one pool and one set of limits: leases are taken
 * all-or-nothing, usage records are applied once each, and usage totals fan out to every process.
 * Every async method rejects with KernelError `STORE_UNAVAILABLE` while the store is unreachable.
 */
export interface SharedStore {
  /** This process's id in the store. */
  readonly processId: string;
  /** How long closing waits for unsent records, ms. */
  readonly closeTimeoutMs: number;
  /** How long a lease lives without a heartbeat, ms. */
  readonly leaseTtlMs: number;
  /** True while the store is reachable. */
  readonly available: boolean;
  /** How the adaptive lease size is bounded. */
  readonly leaseSizing: LeaseSizing;
  /** The fail mode of a budget (by limit name, `pool` for the pool). */
  failMode(name: string): FailMode;
  /** Takes leases on every ask, or (undefined) on none when one cannot get its minimum. */
  acquire(asks: readonly LeaseAsk[]): Promise<readonly LeaseGrant[] | undefined>;
  /** Returns unused lease; with `all`, every unused token and nano-USD, and the lease ends. */
  giveBack(budget: SharedBudget, tokens: number, nano: number, all: boolean): Promise<void>;
  /** Heartbeat: keeps the leases alive; undefined for a lease the store no longer has. */
  renew(budgets: readonly SharedBudget[]): Promise<ReadonlyArray<BudgetUsage | undefined>>;
  /** Raises a budget's limit (a replenished shared pool). */
  raise(budget: SharedBudget, tokens: number): Promise<void>;
  /**
   * Queues a usage record for the store (synchronous; sent in batches, retried until applied).
   * `tokens`/`nano` are what it debits from each of `budgets`.
   */
  record(record: UsageRecord, budgets: readonly SharedBudget[], tokens: number, nano: number): void;
  /**
   * Usage totals of budgets as records are applied by any process; `mine` (this process's part)
   * is known only for this process's own batches.
   */
  onUsage(
    listener: (
      budgetId: string,
      usedTokens: number,
      usedNano: number,
      mine: readonly [tokens: number, nano: number] | undefined,
    ) => void,
  ): void;
  /** A budget got room again (a lease given back, a pool raised), by any process. */
  onFreed(listener: (budgetId: string) => void): void;
  /** Reachability changes. */
  onAvailability(listener: (available: boolean) => void): void;
  /**
   * Sends every queued record; resolves true when the store has applied them, false when
   * `timeoutMs` passed first (Redis unreachable).
   */
  flush(timeoutMs?: number): Promise<boolean>;
}

/** How big a lease is: the burn rate over `horizonMs`, clamped. */
export interface LeaseSizing {
  /** Smallest lease, tokens. */
  readonly minTokens: number;
  /** Largest lease, tokens. */
  readonly maxTokens: number;
  /** Smallest lease, nano-USD. */
  readonly minNano: number;
  /** Largest lease, nano-USD. */
  readonly maxNano: number;
  /** Largest share of a limit one lease may take. */
  readonly maxShare: number;
  /** A lease covers this much of the process's recent burn, ms. */
  readonly horizonMs: number;
}

/** True when a store also shares budgets across processes. */
export function isSharedStore(value: unknown): value is { readonly shared: SharedStore } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'shared' in value &&
    typeof (value as { shared: unknown }).shared === 'object'
  );
}
