import type { Clock, TimerHandle } from '../clock.js';
import type { AgentCore } from '../agents/agent-core.js';
import type { ReservationCore } from '../agents/reservation-core.js';

/**
 * Every open reservation, in one list ordered by expiry (insertion from the tail: TTLs are mostly
 * equal, so this is O(1)), with one timer for the earliest expiry. An expired reservation is
 * handed to `onExpire`, which releases what it held: nothing leaks if the caller never settles.
 */
export class ReservationBook {
  #head: ReservationCore | undefined;
  #tail: ReservationCore | undefined;
  #size = 0;
  #timer: TimerHandle | undefined;
  #timerAt = Infinity;
  readonly #clock: Clock;
  readonly #onExpire: (r: ReservationCore) => void;

  constructor(clock: Clock, onExpire: (r: ReservationCore) => void) {
    this.#clock = clock;
    this.#onExpire = onExpire;
  }

  get size(): number {
    return this.#size;
  }

  add(r: ReservationCore): void {
    let after = this.#tail;
    while (after !== undefined && after.expiresAt > r.expiresAt) after = after.prev;
    r.prev = after;
    r.next = after === undefined ? this.#head : after.next;
    if (r.next === undefined) this.#tail = r;
    else r.next.prev = r;
    if (after === undefined) this.#head = r;
    else after.next = r;
    linkToAgent(r.agent, r);
    this.#size++;
    if (r.expiresAt < this.#timerAt) this.#arm(r.expiresAt);
  }

  remove(r: ReservationCore): void {
    if (r.prev === undefined) this.#head = r.next;
    else r.prev.next = r.next;
    if (r.next === undefined) this.#tail = r.prev;
    else r.next.prev = r.prev;
    r.prev = r.next = undefined;
    unlinkFromAgent(r.agent, r);
    this.#size--;
  }

  /** Expires every reservation due at `now`; returns how many. */
  sweep(now: number): number {
    let n = 0;
    while (this.#head !== undefined && this.#head.expiresAt <= now) {
      const r = this.#head;
      this.remove(r);
      this.#onExpire(r);
      n++;
    }
    return n;
  }

  /** Stops the timer (kernel close). */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.sweep(this.#clock.now());
      if (this.#head !== undefined) this.#arm(this.#head.expiresAt);
    }, at - this.#clock.now());
  }
}

function linkToAgent(agent: AgentCore, r: ReservationCore): void {
  r.agentPrev = undefined;
  r.agentNext = agent.firstReservation;
  if (agent.firstReservation !== undefined) agent.firstReservation.agentPrev = r;
  agent.firstReservation = r;
}

function unlinkFromAgent(agent: AgentCore, r: ReservationCore): void {
  if (r.agentPrev === undefined) agent.firstReservation = r.agentNext;
  else r.agentPrev.agentNext = r.agentNext;
  if (r.agentNext !== undefined) r.agentNext.agentPrev = r.agentPrev;
  r.agentPrev = r.agentNext = undefined;
}
