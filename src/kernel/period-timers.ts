import type { AgentCore } from '../agents/agent-core.js';
import type { LimitCounter } from '../budget/limit-counter.js';
import type { Clock, TimerHandle } from '../clock.js';

/**
 * Resumes agents that a period limit stopped at the period's end, even if nothing reads the
 * counter then (periods also roll over on read, so a missed timer cannot leave them stuck).
 */
export class PeriodTimers {
  readonly #timers = new Map<LimitCounter, TimerHandle>();
  readonly #clock: Clock;
  readonly #roll: (counter: LimitCounter) => void;

  constructor(clock: Clock, roll: (counter: LimitCounter) => void) {
    this.#clock = clock;
    this.#roll = roll;
  }

  /** Arms a timer for every stopped period counter of `core` that has none yet. */
  arm(core: AgentCore): void {
    for (const c of core.counters) {
      if (!c.tokenLadder.stopped || c.periodEnd === Infinity || this.#timers.has(c)) continue;
      const handle = this.#clock.setTimeout(() => {
        this.#timers.delete(c);
        this.#roll(c);
      }, c.periodEnd - this.#clock.now());
      this.#timers.set(c, handle);
    }
  }

  clear(): void {
    for (const t of this.#timers.values()) this.#clock.clearTimeout(t);
    this.#timers.clear();
  }
}
