import type { UsageRecord } from '../../budget/usage-record.js';
import { KernelError } from '../../errors.js';
import type { JournalEntry } from '../journal-entry.js';
import type { LedgerStore, StoreContents } from '../ledger-store.js';
import type {
  BudgetUsage,
  FailMode,
  LeaseAsk,
  LeaseGrant,
  LeaseSizing,
  SharedBudget,
  SharedStore,
} from '../shared-store.js';
import { RecordOutbox, type OutboxItem } from './record-outbox.js';
import { RedisConnection, RedisScript } from './redis-connection.js';
import { ACQUIRE, GIVE_BACK, RAISE, RECORD, RENEW } from './redis-scripts.js';
import { resolveRedisStoreOptions, type ResolvedRedisStoreOptions } from './redis-store-options.js';

export type { RedisStoreOptions } from './redis-store-options.js';

const SCRIPTS = {
  acquire: new RedisScript(ACQUIRE),
  renew: new RedisScript(RENEW),
  giveBack: new RedisScript(GIVE_BACK),
  record: new RedisScript(RECORD),
  raise: new RedisScript(RAISE),
};
const BATCH = 256;

/** A store whose kernel shares one pool and one set of limits with other processes. */
export interface RedisStore extends LedgerStore {
  /** The shared-budget side the kernel uses. */
  readonly shared: SharedStore;
  /** Records booked here that Redis has not applied yet. */
  readonly unsent: number;
}

/**
 * A store for several processes (or machines) spending one pool and one set of limits through one
 * Redis: each process takes leases debited atomically in Lua, reserves locally against them, and
 * every usage record reaches Redis once (idempotent by record id). Use as `createKernel({ store })`.
 * @throws KernelError `INVALID_ARGUMENT` on bad options
 */
export function createRedisStore(options: unknown): RedisStore {
  return new RedisLeaseStore(resolveRedisStoreOptions(options));
}

class RedisLeaseStore implements RedisStore, SharedStore {
  readonly #o: ResolvedRedisStoreOptions;
  readonly #redis: RedisConnection;
  readonly #outbox: RecordOutbox;
  readonly #usage: Array<
    (id: string, t: number, n: number, mine: readonly [number, number] | undefined) => void
  > = [];
  readonly #availability: Array<(available: boolean) => void> = [];
  readonly #freed: Array<(budgetId: string) => void> = [];
  #seq = 0;
  #closed = false;

  constructor(o: ResolvedRedisStoreOptions) {
    this.#o = o;
    this.#redis = new RedisConnection(o.target, (up) => {
      if (up) this.#outbox.kick();
      for (const l of this.#availability) l(up);
    });
    this.#outbox = new RecordOutbox(
      (items) => this.#sendBatch(items),
      o.clock,
      o.flushIntervalMs,
      BATCH,
    );
  }

  get shared(): SharedStore {
    return this;
  }
  get processId(): string {
    return this.#o.processId;
  }
  get leaseTtlMs(): number {
    return this.#o.leaseTtlMs;
  }
  get leaseSizing(): LeaseSizing {
    return this.#o.sizing;
  }
  get available(): boolean {
    return this.#redis.available && !this.#closed;
  }
  get closeTimeoutMs(): number {
    return this.#o.closeTimeoutMs;
  }
  get unsent(): number {
    return this.#outbox.pending;
  }
  /** The Redis store keeps no local journal: nothing is replayed. */
  get pending(): number {
    return 0;
  }

  failMode(name: string): FailMode {
    return this.#o.failMode(name);
  }

  async load(): Promise<StoreContents> {
    await this.#redis.open(
      this.#key('usage'),
      (message) => this.#onMessage(message),
      Object.values(SCRIPTS),
      this.#o.connectTimeoutMs,
      this.#o.clock,
    );
    return { snapshot: undefined, entries: [], problems: [] };
  }

  /** Local lifecycle entries are not kept: records reach Redis through {@link record}. */
  append(_entry: JournalEntry): void {}

  compact(): Promise<void> {
    return Promise.resolve();
  }

  async acquire(asks: readonly LeaseAsk[]): Promise<readonly LeaseGrant[] | undefined> {
    const keys = [this.#key('leases')];
    const args = [String(this.#o.leaseTtlMs), String(asks.length)];
    for (const a of asks) {
      const b = a.budget;
      keys.push(this.#budgetKey(b), this.#leaseKey(b));
      args.push(
        limit(b.limitTokens),
        limit(b.limitNano),
        String(a.wantTokens),
        String(a.wantNano),
        String(a.minTokens),
        String(a.minNano),
        b.expireAt === Infinity ? '0' : String(b.expireAt),
        b.configured ? '1' : '0',
      );
    }
    const reply = numbers(await this.#redis.run(SCRIPTS.acquire, keys, args));
    if (reply[0] !== 1) return undefined;
    return asks.map((_, i) => {
      const r = reply.slice(1 + i * 6, 7 + i * 6);
      return {
        tokens: r[0] ?? 0,
        nano: r[1] ?? 0,
        usedTokens: r[2] ?? 0,
        usedNano: r[3] ?? 0,
        mineTokens: r[4] ?? 0,
        mineNano: r[5] ?? 0,
      };
    });
  }

  async giveBack(budget: SharedBudget, tokens: number, nano: number, all: boolean): Promise<void> {
    await this.#redis.run(
      SCRIPTS.giveBack,
      [this.#key('leases'), this.#budgetKey(budget), this.#leaseKey(budget)],
      [String(tokens), String(nano), all ? '1' : '0', this.#key('usage'), this.#o.processId],
    );
  }

  async renew(budgets: readonly SharedBudget[]): Promise<ReadonlyArray<BudgetUsage | undefined>> {
    if (budgets.length === 0) return [];
    const keys = [this.#key('leases')];
    for (const b of budgets) keys.push(this.#budgetKey(b), this.#leaseKey(b));
    const reply = numbers(await this.#redis.run(SCRIPTS.renew, keys, [String(this.#o.leaseTtlMs)]));
    return budgets.map((_, i) => {
      const r = reply.slice(i * 5, i * 5 + 5);
      if (r[0] !== 1) return undefined;
      return {
        usedTokens: r[1] ?? 0,
        usedNano: r[2] ?? 0,
        mineTokens: r[3] ?? 0,
        mineNano: r[4] ?? 0,
      };
    });
  }

  async raise(budget: SharedBudget, tokens: number): Promise<void> {
    await this.#redis.run(
      SCRIPTS.raise,
      [this.#budgetKey(budget)],
      [String(tokens), this.#key('usage'), this.#o.processId],
    );
  }

  record(
    record: UsageRecord,
    budgets: readonly SharedBudget[],
    tokens: number,
    nano: number,
  ): void {
    if (this.#closed) throw new KernelError('STORE_FAILED', 'The Redis store is closed');
    this.#outbox.push({ id: `${this.#o.processId}:${++this.#seq}`, record, tokens, nano, budgets });
  }

  onUsage(
    listener: (
      id: string,
      t: number,
      n: number,
      mine: readonly [number, number] | undefined,
    ) => void,
  ): void {
    this.#usage.push(listener);
  }

  onFreed(listener: (budgetId: string) => void): void {
    this.#freed.push(listener);
  }

  onAvailability(listener: (available: boolean) => void): void {
    this.#availability.push(listener);
  }

  async flush(timeoutMs = Infinity): Promise<boolean> {
    if (timeoutMs === Infinity) {
      await this.#outbox.drained();
      return true;
    }
    let timer: unknown;
    const timeout = new Promise<boolean>((resolve) => {
      timer = this.#o.clock.setTimeout(() => resolve(false), timeoutMs);
    });
    const drained = await Promise.race([this.#outbox.drained().then(() => true), timeout]);
    this.#o.clock.clearTimeout(timer);
    return drained;
  }

  /** Sends unsent records (waiting up to `closeTimeoutMs`), then closes the connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush(this.#o.closeTimeoutMs);
    this.#closed = true;
    const left = this.#outbox.pending;
    this.#outbox.close();
    await this.#redis.close();
    if (left > 0)
      throw new KernelError(
        'STORE_UNAVAILABLE',
        `${left} usage records could not reach Redis within ${this.#o.closeTimeoutMs} ms`,
        { details: { unsent: left } },
      );
  }

  async #sendBatch(items: readonly OutboxItem[]): Promise<void> {
    const index = new Map<string, number>();
    const budgets: SharedBudget[] = [];
    for (const item of items)
      for (const b of item.budgets)
        if (!index.has(b.id)) {
          index.set(b.id, budgets.length + 1);
          budgets.push(b);
        }
    const keys = [this.#key('records')];
    const args = [this.#key('usage'), this.#o.processId, String(budgets.length)];
    for (const b of budgets) {
      keys.push(this.#budgetKey(b), this.#leaseKey(b));
      args.push(b.expireAt === Infinity ? '0' : String(b.expireAt));
    }
    args.push(String(items.length));
    for (const item of items) {
      args.push(
        item.id,
        JSON.stringify({ id: item.id, process: this.#o.processId, ...item.record }),
        String(item.tokens),
        String(item.nano),
        String(item.budgets.length),
      );
      for (const b of item.budgets) args.push(String(index.get(b.id)));
    }
    const reply = numbers(await this.#redis.run(SCRIPTS.record, keys, args));
    budgets.forEach((b, i) => {
      const r = reply.slice(1 + i * 4, 5 + i * 4);
      for (const l of this.#usage) l(b.id, r[0] ?? 0, r[1] ?? 0, [r[2] ?? 0, r[3] ?? 0]);
    });
  }

  #onMessage(message: string): void {
    let parsed: { p?: unknown; b?: unknown; f?: unknown };
    try {
      parsed = JSON.parse(message) as { p?: unknown; b?: unknown; f?: unknown };
    } catch {
      return;
    }
    const prefix = this.#key('b:');
    if (typeof parsed.f === 'string' && parsed.f.startsWith(prefix)) {
      for (const l of this.#freed) l(parsed.f.slice(prefix.length));
      return;
    }
    if (parsed.p === this.#o.processId || !Array.isArray(parsed.b)) return;
    for (const entry of parsed.b as unknown[]) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string') continue;
      const id = entry[0].startsWith(prefix) ? entry[0].slice(prefix.length) : entry[0];
      for (const l of this.#usage) l(id, Number(entry[1]), Number(entry[2]), undefined);
    }
  }

  #key(name: string): string {
    return `${this.#o.namespace}:${name}`;
  }
  #budgetKey(b: SharedBudget): string {
    return `${this.#o.namespace}:b:${b.id}`;
  }
  #leaseKey(b: SharedBudget): string {
    return `${this.#o.namespace}:l:${b.id}:${this.#o.processId}`;
  }
}

function limit(value: number): string {
  return value === Infinity ? '-1' : String(value);
}

function numbers(reply: unknown): number[] {
  if (!Array.isArray(reply))
    throw new KernelError('STORE_FAILED', `Unexpected Redis reply: ${String(reply)}`);
  return reply.map((v) => Number(v));
}
