import type { GovernedCallOutcome } from '../../../src/adapters/adapter-options.js';

/** Records every `onSettle` outcome; `next()` resolves with the next one not yet taken. */
export class Outcomes {
  readonly all: GovernedCallOutcome[] = [];
  #taken = 0;
  #waiters: Array<() => void> = [];

  readonly onSettle = (outcome: GovernedCallOutcome): void => {
    this.all.push(outcome);
    for (const wake of this.#waiters.splice(0)) wake();
  };

  async next(): Promise<GovernedCallOutcome> {
    while (this.all.length <= this.#taken) await new Promise<void>((r) => this.#waiters.push(r));
    return this.all[this.#taken++] as GovernedCallOutcome;
  }
}
