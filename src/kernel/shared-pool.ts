import type { Clock } from '../clock.js';
import type { SharedBudget, SharedStore } from '../store/shared-store.js';
import { LeaseSizer } from './lease-sizer.js';

/** What the shared pool needs from the kernel's local pool. */
export interface PoolHost {
  readonly clock: Clock;
  /** Tokens in the local pool not held by any window. */
  poolAvailable(): number;
  /** Tokens the head of the queue needs beyond what is available (0: nobody waits). */
  poolNeed(): number;
  /** Lease arrived: the local pool grows (preempted windows restored, waiting agents served). */
  addPoolTokens(tokens: number): void;
  /** Lease leaves: takes up to `tokens` from the available part; returns what it took. */
  removePoolTokens(tokens: number): number;
  warn(message: string): void;
  error(error: unknown, source: string): void;
}

/**
 * The pool shared by every process: the local pool's total is this process's lease on it. Windows
 * come out of the lease as before; below the low-water mark (or when an agent waits) more is
 * asked for; what sits unused above twice the lease size goes back.
 */
export class SharedPool {
  budget: SharedBudget;
  readonly #store: SharedStore;
  readonly #host: PoolHost;
  readonly #sizer: LeaseSizer;
  #pending: Promise<void> | undefined;
  #leased = 0;
  #giving = false;
  #closing = false;
  /** The last refill got tokens (so asking again may too). */
  #grew = false;

  constructor(store: SharedStore, host: PoolHost, total: number) {
    this.#store = store;
    this.#host = host;
    this.budget = {
      id: 'pool',
      limitTokens: total,
      limitNano: Infinity,
      expireAt: Infinity,
      configured: false,
    };
    const s = store.leaseSizing;
    this.#sizer = new LeaseSizer(
      s.minTokens,
      Math.max(1, Math.min(s.maxTokens, Math.floor(total * s.maxShare))),
      s.horizonMs,
    );
  }

  /** Called after the local pool changed (spawn, admit, release): refill or give back. */
  check(): void {
    const available = this.#host.poolAvailable();
    const need = this.#host.poolNeed();
    if (need > 0 || available < this.#sizer.last / 2) void this.refill(need);
    else if (available > 2 * this.#sizer.last && !this.#giving)
      void this.#giveBack(available - this.#sizer.last);
  }

  /** Asks for more pool lease (at least `need` tokens, or nothing). */
  refill(need: number): Promise<void> {
    if (this.#closing) return Promise.resolve();
    if (this.#pending !== undefined) return this.#pending;
    this.#pending = this.#refill(need).finally(() => {
      this.#pending = undefined;
      // Agents may have queued while this ask was out: ask again for them.
      if (this.#host.poolNeed() > 0 && this.#grew) this.check();
    });
    return this.#pending;
  }

  /** Adds tokens to the shared pool for every process (replenish); each asks for its part. */
  async raise(tokens: number): Promise<void> {
    this.budget = { ...this.budget, limitTokens: this.budget.limitTokens + tokens };
    await this.#store.raise(this.budget, tokens);
    this.check();
  }

  /** The lease was lost (or cannot be trusted): drop the available part of the local pool. */
  lost(): void {
    this.#leased -= this.#host.removePoolTokens(this.#host.poolAvailable());
    this.check();
  }

  /** Stops asking; resolves when the ask in flight (if any) is back. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#pending;
  }

  async #refill(need: number): Promise<void> {
    this.#grew = false;
    const used = this.#leased - this.#host.poolAvailable();
    const want = Math.max(this.#sizer.next(used, this.#host.clock.now()), need);
    try {
      const grants = await this.#store.acquire([
        {
          budget: this.budget,
          wantTokens: want,
          wantNano: 0,
          minTokens: Math.max(1, need),
          minNano: 0,
        },
      ]);
      const g = grants?.[0];
      if (g === undefined || g.tokens === 0) return;
      this.#leased += g.tokens;
      this.#grew = true;
      this.#host.addPoolTokens(g.tokens);
    } catch (error) {
      if (this.#store.failMode('pool') !== 'open') {
        this.#host.warn(`store unreachable: the shared pool fails closed (${String(error)})`);
        return;
      }
      this.#host.warn(
        `store unreachable: the shared pool fails open, allowing ${want} tokens locally`,
      );
      this.#host.addPoolTokens(want);
    }
  }

  async #giveBack(tokens: number): Promise<void> {
    this.#giving = true;
    const taken = this.#host.removePoolTokens(tokens);
    try {
      await this.#store.giveBack(this.budget, taken, 0, false);
      this.#leased -= taken;
    } catch (error) {
      // Not given back: the tokens stay this process's.
      this.#host.addPoolTokens(taken);
      this.#host.error(error, 'pool give-back');
    } finally {
      this.#giving = false;
    }
  }
}
