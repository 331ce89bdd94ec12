import type { Clock, TimerHandle } from '../../src/clock.js';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/** A deterministic clock: time moves only when the test calls `advance` or `set`. */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers = new Map<number, Timer>();

  constructor(start = Date.UTC(2026, 0, 5, 12, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as number);
  }

  /** Number of timers still scheduled. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in time order (then creation order). */
  advance(ms: number): void {
    this.set(this.#now + ms);
  }

  /** Moves time to `time`, firing due timers in order. */
  set(time: number): void {
    for (;;) {
      let due: Timer | undefined;
      for (const t of this.#timers.values()) {
        if (
          t.at <= time &&
          (due === undefined || t.at < due.at || (t.at === due.at && t.id < due.id))
        )
          due = t;
      }
      if (due === undefined) break;
      this.#timers.delete(due.id);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
    }
    this.#now = Math.max(this.#now, time);
  }
}
