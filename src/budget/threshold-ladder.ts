/**
 * Once-per-crossing threshold tracking for one limit. Thresholds are utilization fractions in
 * (0, 1); each fires once when `used` reaches it and is re-armed only when `used` falls back
 * below it (after a grant or a period rollover). The hot path is one compare against
 * {@link ThresholdLadder.nextAt}.
 */
export class ThresholdLadder {
  /** Sorted ascending, unique, each in (0, 1). */
  readonly fractions: readonly number[];
  /** Index of the next threshold that has not fired. */
  next = 0;
  /** Absolute value at which the next threshold fires (Infinity when all fired). */
  nextAt = Infinity;
  /** True once `used ≥ limit` has been signalled, until `used` falls below the limit. */
  stopped = false;

  constructor(fractions: readonly number[], limit: number) {
    this.fractions = fractions;
    this.rearm(0, limit);
  }

  /**
   * Advances past every threshold `used` has reached and returns the fractions crossed, in
   * ascending order (so SIGWARNs go out in order, before any SIGSTOP).
   */
  advance(used: number, limit: number): number[] {
    const crossed: number[] = [];
    while (
      this.next < this.fractions.length &&
      used >= (this.fractions[this.next] as number) * limit
    ) {
      crossed.push(this.fractions[this.next] as number);
      this.next++;
    }
    this.nextAt =
      this.next < this.fractions.length ? (this.fractions[this.next] as number) * limit : Infinity;
    return crossed;
  }

  /** Re-arms every threshold above the current utilization (after the limit grew or used fell). */
  rearm(used: number, limit: number): void {
    let next = 0;
    while (next < this.fractions.length && used >= (this.fractions[next] as number) * limit) next++;
    this.next = Math.min(this.next, next);
    this.nextAt =
      this.next < this.fractions.length ? (this.fractions[this.next] as number) * limit : Infinity;
    if (used < limit) this.stopped = false;
  }

  /** Sets the state read back from a snapshot, for a limit of `limit`. */
  restore(next: number, stopped: boolean, limit: number): void {
    this.next = next;
    this.stopped = stopped;
    this.nextAt =
      next < this.fractions.length ? (this.fractions[next] as number) * limit : Infinity;
  }

  /** True when some threshold has fired and is still in force. */
  get warned(): boolean {
    return this.next > 0;
  }
}
