import type { LimitCounter } from '../budget/limit-counter.js';
import { periodBounds } from '../budget/period.js';
import type { UsageRecord } from '../budget/usage-record.js';
import type { Clock, TimerHandle } from '../clock.js';
import { KernelError } from '../errors.js';
import type { LeaseAsk, LeaseGrant, SharedBudget, SharedStore } from '../store/shared-store.js';
import { CounterShare } from './counter-share.js';
import { SharedPool, type PoolHost } from './shared-pool.js';

/** What shared budgets need from the kernel. */
export interface SharedHost extends PoolHost {
  readonly clock: Clock;
  readonly timeZone: string;
  /** Re-checks a counter whose usage moved (thresholds, stops) and delivers the signals. */
  crossed(counter: LimitCounter): void;
  warn(message: string): void;
  error(error: unknown, source: string): void;
  readonly closed: boolean;
}

/** Grace after a period ends before its Redis keys expire (late records still count), ms. */
const GRACE_MS = 3_600_000;

/**
 * The kernel side of a shared store: binds every limit counter and the pool to leases, refills
 * them asynchronously below their low-water marks (all asks of a moment in one atomic request),
 * keeps them alive with heartbeats, gives back what is unused, applies other processes' usage to
 * the counters (so every process sees SIGWARN/SIGSTOP on the shared total), and applies the fail
 * mode while the store is unreachable. The accounting hot path only sees counter caps.
 */
export class SharedBudgets {
  readonly store: SharedStore;
  readonly #host: SharedHost;
  readonly #shares = new Map<string, CounterShare>();
  readonly #all = new Set<CounterShare>();
  readonly pool: SharedPool;
  readonly #wanted = new Set<CounterShare>();
  #batchQueued = false;
  #heartbeat: TimerHandle | undefined;
  #lastRenewOk: number;
  #started = false;
  #closing = false;

  constructor(store: SharedStore, host: SharedHost, poolTotal: number) {
    this.store = store;
    this.#host = host;
    this.#lastRenewOk = host.clock.now();
    this.pool = new SharedPool(store, host, poolTotal);
    store.onUsage((id, t, n, mine) => this.#observe(id, t, n, mine));
    store.onAvailability((up) => this.#availability(up));
    store.onFreed((id) => this.#freed(id));
  }

  /** Binds a new counter: a shared limit from now on (a hard one starts with no lease). */
  bind(counter: LimitCounter): void {
    const share = new CounterShare(
      counter,
      this.store.leaseSizing,
      (c) => this.#budgetOf(c, c.periodStart),
      (s) => this.#want(s),
      (s, from) => {
        // A new period is a new budget: index the share under its new id, and end the old
        // period's lease now (best effort: it expires after its TTL anyway).
        this.#shares.delete(from.id);
        this.#shares.set(s.budget.id, s);
        if (s.acquired) void this.store.giveBack(from, 0, 0, true).catch(() => undefined);
      },
    );
    this.#all.add(share);
    this.#shares.set(share.budget.id, share);
    if (this.#started) share.low();
  }

  /** After the store is loaded: the first pool lease, leases for counters made so far, heartbeats. */
  async start(): Promise<void> {
    this.#started = true;
    for (const share of this.#all) share.low();
    await Promise.all([this.pool.refill(0), this.#drain()]);
    this.#beat();
  }

  /** Queues a record for the store with the budgets it debits. */
  record(
    record: UsageRecord,
    counters: readonly LimitCounter[],
    models: readonly LimitCounter[],
  ): void {
    const budgets: SharedBudget[] = [this.pool.budget];
    const add = (c: LimitCounter): void => {
      const share = c.lease as CounterShare | undefined;
      if (share === undefined) return;
      // Booked after its period ended: the counter rolls next, so the record is the new period's.
      budgets.push(
        record.time >= c.periodEnd
          ? this.#budgetOf(
              c,
              periodBounds(c.limit.period as never, record.time, this.#host.timeZone).start,
            )
          : share.budget,
      );
    };
    for (const c of counters) add(c);
    for (const c of models) add(c);
    const tokens = record.cached ? 0 : record.usage.inputTokens + record.usage.outputTokens;
    this.store.record(record, budgets, tokens, record.costNano);
  }

  /** An agent ended: limits no live agent here counts against give their unused lease back. */
  released(counters: readonly LimitCounter[]): void {
    if (this.#closing) return;
    for (const c of counters) {
      const share = c.lease as CounterShare | undefined;
      if (share === undefined || !share.leased || c.agents.size > 0) continue;
      // Local truth: never more than Redis would count as unused, even before records flush.
      const t = Math.max(0, share.grantedTokens - share.allowanceTokens - share.localTokens);
      const n = Math.max(0, share.grantedNano - share.allowanceNano - share.localNano);
      if (t + n === 0) continue;
      share.grant(-t, -n);
      this.store
        .giveBack(share.budget, t, n, false)
        .catch((error: unknown) => this.#host.error(error, 'lease give-back'));
    }
  }

  /**
   * Resolves when every hard shared limit among `counters` has lease in hand, or the
   * store has none left to give; undefined when nothing needs waiting for.
   */
  whenFunded(counters: readonly LimitCounter[]): Promise<void> | undefined {
    const waits: Promise<void>[] = [];
    for (const c of counters) {
      const share = c.lease as CounterShare | undefined;
      if (share === undefined || !share.leased) continue;
      const thin =
        c.capTokens - c.usedTokens - c.reservedTokens < share.tokenSizer.last / 2 ||
        c.capNano - c.usedNano - c.reservedNano < share.nanoSizer.last / 2;
      if (thin) share.low();
      if (share.pending !== undefined) waits.push(share.pending);
    }
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  }

  /**
   * Turns a refusal by a shared limit into `STORE_UNAVAILABLE` while the store is unreachable in
   * fail-closed mode (the lease in hand ran out and no refill is possible).
   */
  explain(error: unknown): unknown {
    if (this.store.available || !(error instanceof KernelError) || error.code !== 'BUDGET_EXCEEDED')
      return error;
    const name = error.details['limit'];
    if (typeof name !== 'string' || this.store.failMode(name) !== 'closed') return error;
    const shared =
      name === 'window'
        ? this.pool.budget
        : [...this.#all].find((s) => s.counter.limit.name === name);
    if (shared === undefined) return error;
    return new KernelError(
      'STORE_UNAVAILABLE',
      `Redis is unreachable and \`${name}\` fails closed: only the lease in hand can be spent, and it is used up`,
      { cause: error, details: error.details },
    );
  }

  /**
   * Flushes records, then gives every unused lease back. Records Redis has not applied would be
   * given back as unused, so when they cannot be flushed in the store's `closeTimeoutMs` the
   * leases are left to expire instead.
   */
  async close(): Promise<void> {
    if (this.#heartbeat !== undefined) this.#host.clock.clearTimeout(this.#heartbeat);
    this.#heartbeat = undefined;
    // No new asks; the ones out come back first, or their leases would outlive the give-back.
    this.#closing = true;
    await Promise.all([...[...this.#all].map((s) => s.pending), this.pool.close()]);
    if (!this.#started) return;
    if (!(await this.store.flush(this.store.closeTimeoutMs)) || !this.store.available) {
      this.#host.warn(
        `store unreachable on close: this process's leases come back when they expire (${this.store.leaseTtlMs} ms)`,
      );
      return;
    }
    const backs = [...this.#all]
      .filter((s) => s.acquired)
      .map((s) => this.store.giveBack(s.budget, 0, 0, true));
    backs.push(this.store.giveBack(this.pool.budget, 0, 0, true));
    const results = await Promise.allSettled(backs);
    for (const r of results)
      if (r.status === 'rejected') this.#host.error(r.reason, 'lease give-back');
  }

  #budgetOf(c: LimitCounter, periodStart: number): SharedBudget {
    const { limit } = c;
    const end =
      limit.period === 'lifetime'
        ? Infinity
        : periodBounds(limit.period, periodStart, this.#host.timeZone).end + GRACE_MS;
    return {
      id: `${limit.scope}:${limit.key}:${limit.name}:${limit.period === 'lifetime' ? 'all' : periodStart}`,
      limitTokens: limit.tokens,
      limitNano: limit.nano,
      expireAt: end,
      configured: true,
    };
  }

  #want(share: CounterShare): void {
    if (share.pending !== undefined || this.#closing || !this.#started) return;
    this.#wanted.add(share);
    share.pending = new Promise<void>((resolve) => (share.settle = resolve)).finally(() => {
      share.pending = undefined;
    });
    if (!this.#batchQueued) {
      this.#batchQueued = true;
      queueMicrotask(() => void this.#drain());
    }
  }

  /** Sends every wanted refill in one all-or-nothing request; if that fails, each alone. */
  async #drain(): Promise<void> {
    this.#batchQueued = false;
    const shares = [...this.#wanted];
    this.#wanted.clear();
    if (shares.length === 0) return;
    const now = this.#host.clock.now();
    const asks = shares.map((s) => this.#ask(s, now));
    try {
      const grants = await this.store.acquire(asks);
      if (grants !== undefined)
        shares.forEach((s, i) => this.#granted(s, asks[i] as LeaseAsk, grants[i]));
      else if (shares.length > 1)
        await Promise.all(
          shares.map(async (s, i) => {
            const one = await this.store.acquire([asks[i] as LeaseAsk]);
            this.#granted(s, asks[i] as LeaseAsk, one?.[0]);
          }),
        );
      else this.#granted(shares[0] as CounterShare, asks[0] as LeaseAsk, undefined);
    } catch (error) {
      for (const s of shares) this.#unreachable(s, error);
    } finally {
      for (const s of shares) s.settle?.();
    }
  }

  #ask(s: CounterShare, now: number): LeaseAsk {
    const c = s.counter;
    const usedT = Math.max(0, c.usedTokens - s.externalTokens);
    const usedN = Math.max(0, c.usedNano - s.externalNano);
    const finiteT = c.limit.tokens !== Infinity;
    const finiteN = c.limit.nano !== Infinity;
    return {
      budget: s.budget,
      wantTokens: finiteT ? s.tokenSizer.next(usedT, now) : 0,
      wantNano: finiteN ? s.nanoSizer.next(usedN, now) : 0,
      minTokens: finiteT ? 1 : 0,
      minNano: finiteN ? 1 : 0,
    };
  }

  #granted(s: CounterShare, ask: LeaseAsk, g: LeaseGrant | undefined): void {
    s.starved = g === undefined || g.tokens + g.nano === 0;
    if (g === undefined) return;
    s.acquired = true;
    if (s.budget.id !== ask.budget.id) {
      // The period rolled while asking: the lease is the old period's; give it back.
      void this.store.giveBack(ask.budget, 0, 0, true).catch(() => undefined);
      return;
    }
    s.grant(g.tokens, g.nano);
    s.observe(g.usedTokens, g.usedNano, [g.mineTokens, g.mineNano]);
    this.#host.crossed(s.counter);
  }

  #unreachable(s: CounterShare, error: unknown): void {
    const name = s.counter.limit.name;
    if (this.store.failMode(name) !== 'open') {
      this.#host.warn(`store unreachable: \`${name}\` fails closed (${String(error)})`);
      return;
    }
    const t = s.counter.limit.tokens === Infinity ? 0 : s.tokenSizer.last;
    const n = s.counter.limit.nano === Infinity ? 0 : s.nanoSizer.last;
    s.allowanceTokens += t;
    s.allowanceNano += n;
    s.grant(t, n);
    this.#host.warn(
      `store unreachable: \`${name}\` fails open, allowing ${t} tokens and $${(n / 1e9).toFixed(4)} locally`,
    );
  }

  #observe(id: string, t: number, n: number, mine: readonly [number, number] | undefined): void {
    if (id === this.pool.budget.id) return;
    const share = this.#shares.get(id);
    if (share === undefined) return;
    share.observe(t, n, mine);
    this.#host.crossed(share.counter);
  }

  /** Room again somewhere: agents waiting for the pool, and starved limits, ask again. */
  #freed(id: string): void {
    if (id === this.pool.budget.id) this.pool.check();
    else {
      const share = this.#shares.get(id);
      if (share?.starved === true) share.low();
    }
  }

  #availability(up: boolean): void {
    if (!up) return;
    for (const s of this.#all) {
      if (s.allowanceTokens + s.allowanceNano > 0) {
        s.grant(-s.allowanceTokens, -s.allowanceNano);
        s.allowanceTokens = s.allowanceNano = 0;
      }
      if (s.leased) s.low();
    }
    void this.pool.refill(0);
  }

  /** Heartbeat every third of the lease TTL; past the TTL without one, fail-closed leases collapse. */
  #beat(): void {
    const every = Math.max(10, Math.floor(this.store.leaseTtlMs / 3));
    this.#heartbeat = this.#host.clock.setTimeout(() => {
      if (this.#host.closed) return;
      void this.#renew().finally(() => {
        if (!this.#host.closed) this.#beat();
      });
    }, every);
  }

  async #renew(): Promise<void> {
    const live = [...this.#all].filter((s) => s.leased && s.grantedTokens + s.grantedNano > 0);
    try {
      const usage = await this.store.renew([...live.map((s) => s.budget), this.pool.budget]);
      this.#lastRenewOk = this.#host.clock.now();
      live.forEach((s, i) => {
        const u = usage[i];
        if (u === undefined) {
          s.collapse();
          s.low();
          return;
        }
        s.observe(u.usedTokens, u.usedNano, [u.mineTokens, u.mineNano]);
        this.#host.crossed(s.counter);
      });
      if (usage[live.length] === undefined) this.pool.lost();
      // Missed a message? Ask again for waiting agents and starved limits.
      this.pool.check();
      for (const s of this.#all) if (s.starved) s.low();
    } catch {
      if (this.#host.clock.now() - this.#lastRenewOk < this.store.leaseTtlMs * 0.8) return;
      for (const s of live)
        if (this.store.failMode(s.counter.limit.name) === 'closed') s.collapse();
      if (this.store.failMode('pool') === 'closed') this.pool.lost();
    }
  }
}
