/** Width of one bucket, ms. */
export const MINUTE_MS = 60_000;

/**
 * Tokens and nano-USD per UTC minute over the last `capacity` minutes of one key. A slot remembers
 * which minute it holds, so a stale slot reads as zero without a sweep: O(1) per record,
 * O(minutes) per sum.
 */
export class MinuteRing {
  readonly #capacity: number;
  readonly #minutes: Float64Array;
  readonly #tokens: Float64Array;
  readonly #nano: Float64Array;
  /** The latest minute written, or -Infinity. */
  latest = -Infinity;

  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#minutes = new Float64Array(capacity).fill(-1);
    this.#tokens = new Float64Array(capacity);
    this.#nano = new Float64Array(capacity);
  }

  /** Adds usage at `time` (ms). Times older than the ring are dropped. */
  add(time: number, tokens: number, nano: number): void {
    const minute = Math.floor(time / MINUTE_MS);
    if (minute <= this.latest - this.#capacity) return;
    const slot = minute % this.#capacity;
    if (this.#minutes[slot] !== minute) {
      this.#minutes[slot] = minute;
      this.#tokens[slot] = 0;
      this.#nano[slot] = 0;
    }
    this.#tokens[slot] = this.#tokens[slot]! + tokens;
    this.#nano[slot] = this.#nano[slot]! + nano;
    if (minute > this.latest) this.latest = minute;
  }

  /** Sums of the `minutes` minutes ending with the one containing `now` (ms), at most `capacity`. */
  sum(now: number, minutes: number): { tokens: number; nano: number } {
    const last = Math.floor(now / MINUTE_MS);
    let tokens = 0;
    let nano = 0;
    for (let m = last - Math.min(minutes, this.#capacity) + 1; m <= last; m++) {
      const slot = ((m % this.#capacity) + this.#capacity) % this.#capacity;
      if (this.#minutes[slot] === m) {
        tokens += this.#tokens[slot]!;
        nano += this.#nano[slot]!;
      }
    }
    return { tokens, nano };
  }
}
