import type { PeriodKind, LimitScope } from './limit-spec.js';
import { periodBounds } from './period.js';
import { ThresholdLadder } from './threshold-ladder.js';

/** A resolved limit: one spec applied to one key (a user, a task, …). */
export interface ResolvedLimit {
  readonly name: string;
  readonly scope: Exclude<LimitScope, 'call'>;
  /** The key it counts for (`*` expanded), or `org`. */
  readonly key: string;
  readonly period: PeriodKind | 'lifetime';
  /** Token limit, or Infinity. */
  readonly tokens: number;
  /** Money limit in nano-USD, or Infinity. */
  readonly nano: number;
  readonly thresholds: readonly number[];
  readonly hard: boolean;
}

/**
 * A counter's share of a limit that several processes spend together (a Redis store): its
 * lease. The counter holds at most what its leases cover (`capTokens`/`capNano`).
 */
export interface CounterLease {
  /** Called when used + reserved reached the low-water mark, or a reservation did not fit. */
  low(): void;
  /** Called when the counter started a new period: the old period's leases are void. */
  rolled(): void;
}

/** Something a counter can stop and resume: an agent's internal state. */
export interface Stoppable {
  readonly id: string;
}

/**
 * Used and reserved tokens and money against one resolved limit, for its current period. The
 * period rolls over on read (`roll(now)`), so a missed timer can never leave a limit stuck.
 */
export class LimitCounter {
  readonly limit: ResolvedLimit;
  usedTokens = 0;
  usedNano = 0;
  reservedTokens = 0;
  reservedNano = 0;
  periodStart = 0;
  periodEnd = Infinity;
  readonly tokenLadder: ThresholdLadder;
  readonly nanoLadder: ThresholdLadder;
  /** Used tokens at which the hot path must look again (next threshold or the hard limit). */
  triggerTokens = Infinity;
  /** Used nano-USD at which the hot path must look again. */
  triggerNano = Infinity;
  /**
   * Used + reserved tokens this counter may reach: the limit, or for a shared limit the usage of
   * other processes plus this process's leases (never more than the limit).
   */
  capTokens: number;
  /** Used + reserved nano-USD this counter may reach (see {@link capTokens}). */
  capNano: number;
  /** Used tokens at which a shared counter asks for more lease (Infinity when not shared). */
  refillTokens = Infinity;
  /** Used nano-USD at which a shared counter asks for more lease. */
  refillNano = Infinity;
  /** Set when the limit is shared across processes. */
  lease: CounterLease | undefined;
  /** Agents this counter applies to (live ones only). */
  readonly agents = new Set<Stoppable>();
  readonly #timeZone: string;

  constructor(limit: ResolvedLimit, now: number, timeZone: string) {
    this.limit = limit;
    this.#timeZone = timeZone;
    this.capTokens = limit.tokens;
    this.capNano = limit.nano;
    this.tokenLadder = new ThresholdLadder(limit.thresholds, limit.tokens);
    this.nanoLadder = new ThresholdLadder(limit.thresholds, limit.nano);
    if (limit.period !== 'lifetime') {
      const bounds = periodBounds(limit.period, now, timeZone);
      this.periodStart = bounds.start;
      this.periodEnd = bounds.end;
    }
    this.retrigger();
  }

  /** Recomputes the triggers after a ladder moved (crossing, re-arm, rollover). */
  retrigger(): void {
    const stopping = this.limit.hard && !this.tokenLadder.stopped;
    this.triggerTokens = Math.min(
      this.tokenLadder.nextAt,
      stopping ? this.limit.tokens : Infinity,
      this.refillTokens,
    );
    this.triggerNano = Math.min(
      this.nanoLadder.nextAt,
      stopping ? this.limit.nano : Infinity,
      this.refillNano,
    );
  }

  /**
   * Starts a new period when `now` has passed the current one. Reserved amounts carry over (the
   * reservations are still open); used restarts at zero. Returns true when it rolled.
   */
  roll(now: number): boolean {
    if (now < this.periodEnd) return false;
    const bounds = periodBounds(this.limit.period as PeriodKind, now, this.#timeZone);
    this.periodStart = bounds.start;
    this.periodEnd = bounds.end;
    this.usedTokens = 0;
    this.usedNano = 0;
    this.tokenLadder.rearm(0, this.limit.tokens);
    this.nanoLadder.rearm(0, this.limit.nano);
    if (this.lease !== undefined) this.lease.rolled();
    this.retrigger();
    return true;
  }

  /** True when a hard limit is used up: the agents it applies to are stopped. */
  get exhausted(): boolean {
    return (
      this.limit.hard && (this.usedTokens >= this.limit.tokens || this.usedNano >= this.limit.nano)
    );
  }

  /** Tokens that can still be reserved (Infinity when there is no token limit). */
  get freeTokens(): number {
    return this.capTokens - this.usedTokens - this.reservedTokens;
  }

  /** Nano-USD that can still be reserved (Infinity when there is no money limit). */
  get freeNano(): number {
    return this.capNano - this.usedNano - this.reservedNano;
  }
}
