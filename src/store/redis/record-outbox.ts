import type { Clock, TimerHandle } from '../../clock.js';
import type { UsageRecord } from '../../budget/usage-record.js';
import type { SharedBudget } from '../shared-store.js';

/** One record waiting for Redis. */
export interface OutboxItem {
  readonly id: string;
  /** Serialized when its batch is sent, off the booking path. */
  readonly record: UsageRecord;
  readonly tokens: number;
  readonly nano: number;
  readonly budgets: readonly SharedBudget[];
}

/** Sends a batch; rejects when it was not applied (it is then sent again). */
export type SendBatch = (items: readonly OutboxItem[]) => Promise<void>;

/**
 * Records on their way to Redis: queued synchronously, sent in batches (several in flight, on one
 * pipelined connection), kept and re-sent after a failure until applied. Re-sending is safe because
 * Redis applies a record id once.
 */
export class RecordOutbox {
  readonly #queue: OutboxItem[] = [];
  readonly #send: SendBatch;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #batch: number;
  #timer: TimerHandle | undefined;
  #inFlight = 0;
  #backoffMs = 0;
  #idle: Array<() => void> = [];
  #closed = false;

  constructor(send: SendBatch, clock: Clock, intervalMs: number, batch: number) {
    this.#send = send;
    this.#clock = clock;
    this.#intervalMs = intervalMs;
    this.#batch = batch;
  }

  /** Records not yet applied by Redis (queued or in flight). */
  get pending(): number {
    return this.#queue.length + this.#inFlight;
  }

  push(item: OutboxItem): void {
    this.#queue.push(item);
    if (this.#queue.length >= this.#batch * 4) this.#sendNow();
    else this.#schedule(this.#intervalMs);
  }

  /** Resolves once every queued record is applied (waits through outages). */
  drained(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    this.#sendNow();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Sends what is queued now (the connection came back). */
  kick(): void {
    this.#backoffMs = 0;
    this.#sendNow();
  }

  /** Stops the timers; queued records stay (reported by the store's close). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  #schedule(ms: number): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#sendNow();
    }, ms);
  }

  #sendNow(): void {
    if (this.#closed) return;
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#queue.length > 0) {
      const items = this.#queue.splice(0, this.#batch);
      this.#inFlight += items.length;
      this.#send(items).then(
        () => this.#settled(items, true),
        () => this.#settled(items, false),
      );
    }
  }

  #settled(items: readonly OutboxItem[], applied: boolean): void {
    this.#inFlight -= items.length;
    if (applied) {
      this.#backoffMs = 0;
    } else {
      this.#queue.unshift(...items);
      this.#backoffMs = Math.min(Math.max(2 * this.#backoffMs, 50), 1_000);
      this.#schedule(this.#backoffMs);
    }
    if (this.pending === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }
}
