import type { LimitCounter } from '../budget/limit-counter.js';
import type { ResolvedPrice } from '../pricing/resolved-price.js';
import type { AgentCore } from './agent-core.js';

/** A reservation's settlement state. */
export type ReservationState = 'open' | 'committed' | 'cancelled' | 'expired' | 'released';

/**
 * What a reservation holds, linked into two intrusive lists: the kernel's (ordered by expiry)
 * and its agent's. Intrusive links keep reserve/commit free of Map and Set operations.
 */
export class ReservationCore {
  readonly seq: number;
  readonly agent: AgentCore;
  readonly model: string;
  readonly price: ResolvedPrice;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly tokens: number;
  readonly nano: number;
  readonly counters: readonly LimitCounter[];
  readonly modelCounters: readonly LimitCounter[];
  readonly createdAt: number;
  readonly expiresAt: number;
  state: ReservationState = 'open';
  prev: ReservationCore | undefined;
  next: ReservationCore | undefined;
  agentPrev: ReservationCore | undefined;
  agentNext: ReservationCore | undefined;

  constructor(
    seq: number,
    agent: AgentCore,
    model: string,
    price: ResolvedPrice,
    inputTokens: number,
    outputTokens: number,
    nano: number,
    modelCounters: readonly LimitCounter[],
    createdAt: number,
    expiresAt: number,
  ) {
    this.seq = seq;
    this.agent = agent;
    this.model = model;
    this.price = price;
    this.inputTokens = inputTokens;
    this.outputTokens = outputTokens;
    this.tokens = inputTokens + outputTokens;
    this.nano = nano;
    this.counters = agent.counters;
    this.modelCounters = modelCounters;
    this.createdAt = createdAt;
    this.expiresAt = expiresAt;
  }
}
