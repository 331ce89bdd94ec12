/**
 * How much lease to ask for next: enough for the process's recent burn over a horizon, clamped.
 * A small lease strands little budget in an idle or crashed process but costs a Redis round trip
 * per few calls; a large one is the reverse. Sizing by burn rate gives busy processes big leases
 * and idle ones small leases. A lease used up in under a quarter of the horizon doubles the next.
 */
export class LeaseSizer {
  readonly #min: number;
  readonly #max: number;
  readonly #horizonMs: number;
  /** Units per ms, smoothed. */
  #rate = 0;
  #lastAt: number | undefined;
  #lastUsed = 0;
  #last: number;

  /**
   * @param min smallest lease
   * @param max largest lease (already bounded by the limit's share)
   * @param horizonMs a lease covers this much of the recent burn
   */
  constructor(min: number, max: number, horizonMs: number) {
    this.#min = Math.min(min, max);
    this.#max = max;
    this.#horizonMs = horizonMs;
    this.#last = this.#min;
  }

  /** The last size asked for (the low-water mark is half of it). */
  get last(): number {
    return this.#last;
  }

  /** The next lease size, given everything used so far (monotonic within a period) at `now`. */
  next(used: number, now: number): number {
    if (this.#lastAt !== undefined) {
      const elapsed = Math.max(1, now - this.#lastAt);
      const burned = Math.max(0, used - this.#lastUsed);
      this.#rate =
        this.#rate === 0 ? burned / elapsed : 0.5 * this.#rate + 0.5 * (burned / elapsed);
      const fast = elapsed < this.#horizonMs / 4 && burned >= this.#last / 2;
      const want = Math.max(this.#rate * this.#horizonMs, fast ? 2 * this.#last : 0);
      this.#last = Math.round(Math.min(this.#max, Math.max(this.#min, want)));
    }
    this.#lastAt = now;
    this.#lastUsed = used;
    return this.#last;
  }

  /** A new period: the burn so far no longer counts. */
  reset(): void {
    this.#lastAt = undefined;
    this.#lastUsed = 0;
  }
}
