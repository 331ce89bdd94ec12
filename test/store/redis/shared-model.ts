import type fc from 'fast-check';
import type { UsageRecord } from '../../../src/budget/usage-record.js';
import type { JournalEntry } from '../../../src/store/journal-entry.js';
import type { LedgerStore, StoreContents } from '../../../src/store/ledger-store.js';
import type {
  BudgetUsage,
  LeaseAsk,
  LeaseGrant,
  LeaseSizing,
  SharedBudget,
  SharedStore,
} from '../../../src/store/shared-store.js';

interface Budget {
  lt: number;
  ln: number;
  tt: number;
  tn: number;
  ut: number;
  un: number;
}
interface Lease {
  gt: number;
  gn: number;
  ut: number;
  un: number;
}

/**
 * The Redis scripts' semantics in memory (what ACQUIRE, GIVE_BACK, RENEW, RECORD do), with every
 * reply and every fan-out message delivered by a fast-check scheduler, so a property can run
 * several kernels against one shared budget under arbitrary interleavings.
 */
export class SharedModel {
  readonly budgets = new Map<string, Budget>();
  readonly leases = new Map<string, Lease>();
  /** Records applied, by id. */
  readonly records = new Map<string, { tokens: number; pid: string }>();
  readonly #s: fc.Scheduler;
  readonly #stores: ModelStore[] = [];

  constructor(scheduler: fc.Scheduler) {
    this.#s = scheduler;
  }

  /** One process's store. */
  store(pid: string, sizing: LeaseSizing): ModelStore {
    const store = new ModelStore(this, pid, sizing);
    this.#stores.push(store);
    return store;
  }

  /** A reply that arrives whenever the scheduler says. */
  later<T>(value: () => T): Promise<T> {
    return this.#s.schedule(Promise.resolve()).then(value);
  }

  budget(b: SharedBudget): Budget {
    let x = this.budgets.get(b.id);
    if (x === undefined) {
      x = { lt: b.limitTokens, ln: b.limitNano, tt: 0, tn: 0, ut: 0, un: 0 };
      this.budgets.set(b.id, x);
    }
    return x;
  }

  lease(b: SharedBudget, pid: string): Lease {
    const key = `${b.id}|${pid}`;
    let l = this.leases.get(key);
    if (l === undefined) {
      l = { gt: 0, gn: 0, ut: 0, un: 0 };
      this.leases.set(key, l);
    }
    return l;
  }

  /** Tells every other process a budget's totals (pub/sub), each delivery scheduled. */
  fanOut(from: string, id: string, ut: number, un: number): void {
    for (const s of this.#stores)
      if (s.processId !== from) void this.later(() => s.deliver(id, ut, un));
  }
}

/** One process's view of the model: a SharedStore and a LedgerStore. */
export class ModelStore implements SharedStore, LedgerStore {
  readonly processId: string;
  readonly leaseTtlMs = 60_000;
  readonly closeTimeoutMs = 1_000;
  readonly available = true;
  readonly leaseSizing: LeaseSizing;
  readonly #m: SharedModel;
  readonly #usage: Array<(id: string, t: number, n: number, mine?: [number, number]) => void> = [];
  #seq = 0;
  #queued: Array<{ id: string; tokens: number; nano: number; budgets: readonly SharedBudget[] }> =
    [];

  constructor(model: SharedModel, pid: string, sizing: LeaseSizing) {
    this.#m = model;
    this.processId = pid;
    this.leaseSizing = sizing;
  }

  get shared(): SharedStore {
    return this;
  }
  get pending(): number {
    return 0;
  }
  load(): Promise<StoreContents> {
    return Promise.resolve({ snapshot: undefined, entries: [], problems: [] });
  }
  append(_entry: JournalEntry): void {}
  compact(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return this.flush().then(() => undefined);
  }
  failMode(): 'closed' {
    return 'closed';
  }

  acquire(asks: readonly LeaseAsk[]): Promise<readonly LeaseGrant[] | undefined> {
    return this.#m.later(() => {
      const grants = asks.map((a) => {
        const b = this.#m.budget(a.budget);
        if (a.budget.configured) [b.lt, b.ln] = [a.budget.limitTokens, a.budget.limitNano];
        const t =
          b.lt === Infinity ? a.wantTokens : Math.min(a.wantTokens, Math.max(0, b.lt - b.tt));
        const n = b.ln === Infinity ? a.wantNano : Math.min(a.wantNano, Math.max(0, b.ln - b.tn));
        return { t, n, ok: t >= a.minTokens && n >= a.minNano };
      });
      if (!grants.every((g) => g.ok)) return undefined;
      return asks.map((a, i) => {
        const g = grants[i] as { t: number; n: number };
        const b = this.#m.budget(a.budget);
        const l = this.#m.lease(a.budget, this.processId);
        b.tt += g.t;
        b.tn += g.n;
        l.gt += g.t;
        l.gn += g.n;
        return { tokens: g.t, nano: g.n, ...this.#usageOf(a.budget) };
      });
    });
  }

  giveBack(budget: SharedBudget, tokens: number, nano: number, all: boolean): Promise<void> {
    return this.#m.later(() => {
      const b = this.#m.budget(budget);
      const l = this.#m.lease(budget, this.processId);
      const rt = all ? Math.max(0, l.gt - l.ut) : Math.min(tokens, Math.max(0, l.gt - l.ut));
      const rn = all ? Math.max(0, l.gn - l.un) : Math.min(nano, Math.max(0, l.gn - l.un));
      b.tt -= rt;
      b.tn -= rn;
      if (all) this.#m.leases.delete(`${budget.id}|${this.processId}`);
      else {
        l.gt -= rt;
        l.gn -= rn;
      }
    });
  }

  renew(budgets: readonly SharedBudget[]): Promise<ReadonlyArray<BudgetUsage | undefined>> {
    return this.#m.later(() => budgets.map((b) => this.#usageOf(b)));
  }

  raise(budget: SharedBudget, tokens: number): Promise<void> {
    return this.#m.later(() => {
      this.#m.budget(budget).lt += tokens;
    });
  }

  record(
    record: UsageRecord,
    budgets: readonly SharedBudget[],
    tokens: number,
    nano: number,
  ): void {
    void record;
    this.#queued.push({ id: `${this.processId}:${++this.#seq}`, tokens, nano, budgets });
  }

  onUsage(listener: (id: string, t: number, n: number, mine?: [number, number]) => void): void {
    this.#usage.push(listener);
  }
  onFreed(): void {}
  onAvailability(): void {}

  /** Applies what is queued, in one scheduled batch (as RECORD does). */
  flush(): Promise<boolean> {
    const batch = this.#queued;
    this.#queued = [];
    const done = this.#m.later(() => {
      const touched = new Map<string, SharedBudget>();
      for (const r of batch) {
        if (this.#m.records.has(r.id)) continue;
        this.#m.records.set(r.id, { tokens: r.tokens, pid: this.processId });
        for (const budget of r.budgets) {
          const b = this.#m.budget(budget);
          const l = this.#m.lease(budget, this.processId);
          const overT = Math.max(0, l.ut + r.tokens - Math.max(l.ut, l.gt));
          const overN = Math.max(0, l.un + r.nano - Math.max(l.un, l.gn));
          b.ut += r.tokens;
          b.un += r.nano;
          l.ut += r.tokens;
          l.un += r.nano;
          b.tt += overT;
          b.tn += overN;
          touched.set(budget.id, budget);
        }
      }
      for (const budget of touched.values()) {
        const u = this.#usageOf(budget);
        for (const listener of this.#usage)
          listener(budget.id, u.usedTokens, u.usedNano, [u.mineTokens, u.mineNano]);
        this.#m.fanOut(this.processId, budget.id, u.usedTokens, u.usedNano);
      }
      return true;
    });
    return done;
  }

  deliver(id: string, t: number, n: number): void {
    for (const listener of this.#usage) listener(id, t, n);
  }

  #usageOf(budget: SharedBudget): BudgetUsage {
    const b = this.#m.budget(budget);
    const l = this.#m.lease(budget, this.processId);
    return { usedTokens: b.ut, usedNano: b.un, mineTokens: l.ut, mineNano: l.un };
  }
}
