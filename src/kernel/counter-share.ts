import type { CounterLease, LimitCounter } from '../budget/limit-counter.js';
import type { LeaseSizing, SharedBudget } from '../store/shared-store.js';
import { LeaseSizer } from './lease-sizer.js';

/**
 * One limit counter's part of a limit shared across processes. The counter's `usedTokens` holds
 * every process's usage (this process's plus `external`, learned from the store), so thresholds
 * fire on the shared total; its cap lets this process's used + reserved grow only as far as its
 * leases: `cap = min(limit, external + granted)`.
 */
export class CounterShare implements CounterLease {
  readonly counter: LimitCounter;
  budget: SharedBudget;
  /** Leased to this process this period, net of give-backs (includes `allowance`). */
  grantedTokens = 0;
  grantedNano = 0;
  /** Granted locally while the store was unreachable (fail open); not backed by the store. */
  allowanceTokens = 0;
  allowanceNano = 0;
  /** Usage of other processes this period, included in the counter's used. */
  externalTokens = 0;
  externalNano = 0;
  /** This process's usage the store has applied. */
  mineTokens = 0;
  mineNano = 0;
  /** A lease exists in the store for this period (to end on close). */
  acquired = false;
  /** The last ask got nothing: the limit is fully leased out (or spent). */
  starved = false;
  /** The refill in flight, and what settles it. */
  pending: Promise<void> | undefined;
  settle: (() => void) | undefined;
  readonly tokenSizer: LeaseSizer;
  readonly nanoSizer: LeaseSizer;
  readonly #refill: (share: CounterShare) => void;
  readonly #budgetOf: (counter: LimitCounter) => SharedBudget;
  readonly #moved: (share: CounterShare, from: SharedBudget) => void;

  constructor(
    counter: LimitCounter,
    sizing: LeaseSizing,
    budgetOf: (counter: LimitCounter) => SharedBudget,
    refill: (share: CounterShare) => void,
    moved: (share: CounterShare, from: SharedBudget) => void,
  ) {
    this.#moved = moved;
    this.counter = counter;
    this.#budgetOf = budgetOf;
    this.budget = budgetOf(counter);
    this.#refill = refill;
    const { limit } = counter;
    this.tokenSizer = new LeaseSizer(
      sizing.minTokens,
      Math.max(1, Math.min(sizing.maxTokens, Math.floor(limit.tokens * sizing.maxShare))),
      sizing.horizonMs,
    );
    this.nanoSizer = new LeaseSizer(
      sizing.minNano,
      Math.max(1, Math.min(sizing.maxNano, Math.floor(limit.nano * sizing.maxShare))),
      sizing.horizonMs,
    );
    counter.lease = this;
    this.recompute();
  }

  /** True for a hard limit: reservations need lease. Soft limits only share their usage. */
  get leased(): boolean {
    return this.counter.limit.hard;
  }

  /** This process's used + reserved tokens against the limit. */
  get localTokens(): number {
    return this.counter.usedTokens - this.externalTokens + this.counter.reservedTokens;
  }
  get localNano(): number {
    return this.counter.usedNano - this.externalNano + this.counter.reservedNano;
  }

  low(): void {
    if (this.leased) this.#refill(this);
  }

  rolled(): void {
    const from = this.budget;
    this.budget = this.#budgetOf(this.counter);
    this.#moved(this, from);
    this.grantedTokens = this.grantedNano = 0;
    this.allowanceTokens = this.allowanceNano = 0;
    this.externalTokens = this.externalNano = 0;
    this.mineTokens = this.mineNano = 0;
    this.acquired = false;
    this.tokenSizer.reset();
    this.nanoSizer.reset();
    this.recompute();
    this.low();
  }

  /** Takes in what the store reports: others' usage moves the counter (thresholds may cross). */
  observe(usedTokens: number, usedNano: number, mine: readonly [number, number] | undefined): void {
    if (mine !== undefined) {
      this.mineTokens = Math.max(this.mineTokens, mine[0]);
      this.mineNano = Math.max(this.mineNano, mine[1]);
    }
    const t = Math.max(this.externalTokens, usedTokens - this.mineTokens);
    const n = Math.max(this.externalNano, usedNano - this.mineNano);
    this.counter.usedTokens += t - this.externalTokens;
    this.counter.usedNano += n - this.externalNano;
    this.externalTokens = t;
    this.externalNano = n;
    this.recompute();
  }

  /** Adds granted lease (or removes it, negative). */
  grant(tokens: number, nano: number): void {
    this.grantedTokens += tokens;
    this.grantedNano += nano;
    this.recompute();
  }

  /** Lease that cannot be trusted any more (lost, or its heartbeat failed): keep only what is in use. */
  collapse(): void {
    this.grantedTokens = Math.min(this.grantedTokens, Math.max(0, this.localTokens));
    this.grantedNano = Math.min(this.grantedNano, Math.max(0, this.localNano));
    this.allowanceTokens = this.allowanceNano = 0;
    this.recompute();
  }

  /** Recomputes the counter's cap and refill marks. */
  recompute(): void {
    const c = this.counter;
    const { limit } = c;
    if (this.leased) {
      c.capTokens =
        limit.tokens === Infinity
          ? Infinity
          : Math.min(limit.tokens, this.externalTokens + this.grantedTokens);
      c.capNano =
        limit.nano === Infinity
          ? Infinity
          : Math.min(limit.nano, this.externalNano + this.grantedNano);
      c.refillTokens =
        c.capTokens === Infinity ? Infinity : c.capTokens - Math.ceil(this.tokenSizer.last / 2);
      c.refillNano =
        c.capNano === Infinity ? Infinity : c.capNano - Math.ceil(this.nanoSizer.last / 2);
    }
    c.retrigger();
  }
}
