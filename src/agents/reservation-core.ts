import type { LimitCounter } from '../budget/limit-counter.js';
import type { ResolvedPrice } from '../pricing/resolved-price.js';
import type { AgentCore } from './agent-core.js';

/** A reservation's settlement state. */
export type ReservationState = 'open' | 'committed' | 'cancelled' | 'expired' | 'released';

/**
 * What a reservation holds, linked into two intrusive lists: the kernel's (ordered by expiry)
 * and its agent's. Intrusive links keep reserve/commit free of Map and Set operations.
 *
 * One is allocated per reservation, so it stores nothing that can be derived ({@link tokens},
 * {@link counters}). Fields are assigned in the constructor only, in one order, so that every
 * instance shares one shape without a separate field initializer.
 */
export class ReservationCore {
  declare readonly seq: number;
  declare readonly agent: AgentCore;
  declare readonly model: string;
  declare readonly price: ResolvedPrice;
  declare readonly inputTokens: number;
  declare readonly outputTokens: number;
  /** Money held, nano-USD. */
  declare readonly nano: number;
  declare readonly modelCounters: readonly LimitCounter[];
  /** When it expires, ms since the epoch. */
  declare readonly expiresAt: number;
  declare state: ReservationState;
  /** Where the kernel's book holds it: 0 nowhere, 1 in its batch of new ones, 2 in its list. */
  declare booked: 0 | 1 | 2;
  declare prev: ReservationCore | undefined;
  declare next: ReservationCore | undefined;
  declare agentPrev: ReservationCore | undefined;
  declare agentNext: ReservationCore | undefined;

  constructor(
    seq: number,
    agent: AgentCore,
    model: string,
    price: ResolvedPrice,
    inputTokens: number,
    outputTokens: number,
    nano: number,
    modelCounters: readonly LimitCounter[],
    expiresAt: number,
  ) {
    this.seq = seq;
    this.agent = agent;
    this.model = model;
    this.price = price;
    this.inputTokens = inputTokens;
    this.outputTokens = outputTokens;
    this.nano = nano;
    this.modelCounters = modelCounters;
    this.expiresAt = expiresAt;
    this.state = 'open';
    this.booked = 0;
    this.prev = undefined;
    this.next = undefined;
    this.agentPrev = undefined;
    this.agentNext = undefined;
  }

  /** Tokens held: input + max output. */
  get tokens(): number {
    return this.inputTokens + this.outputTokens;
  }

  /** The limit counters it holds against besides the model's: its agent's. */
  get counters(): readonly LimitCounter[] {
    return this.agent.counters;
  }
}
