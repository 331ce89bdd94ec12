import { systemClock, type Clock, type TimerHandle } from '../clock.js';

/**
 * The clock of a report over historical records: "now" is the latest record time seen, so that
 * the current period, the burn rate and the forecast are those of the moment the log ends, not of
 * the moment the report runs. Before any record it reads `before` (the system clock by default).
 * Timers are delegated to `before`; a report sets none.
 */
export class HistoricalClock implements Clock {
  readonly #before: Clock;
  #latest = -Infinity;

  /** @param before the clock read until a record time is seen. @default systemClock */
  constructor(before: Clock = systemClock) {
    this.#before = before;
  }

  /** Moves "now" forward to `time` (ms); an earlier time leaves it where it is. */
  advance(time: number): void {
    if (time > this.#latest) this.#latest = time;
  }

  /** True once a record time was seen. */
  get started(): boolean {
    return this.#latest !== -Infinity;
  }

  now(): number {
    return this.#latest === -Infinity ? this.#before.now() : this.#latest;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.#before.setTimeout(fn, ms);
  }

  clearTimeout(handle: TimerHandle): void {
    this.#before.clearTimeout(handle);
  }
}
