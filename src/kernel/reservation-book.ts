import type { Clock, TimerHandle } from '../clock.js';
import type { AgentCore } from '../agents/agent-core.js';
import type { ReservationCore } from '../agents/reservation-core.js';

/** Reservations taken before they are sorted into the list (see {@link ReservationBook}). */
const BATCH = 256;

/**
 * Every open reservation, in one list ordered by expiry (insertion from the tail: TTLs are mostly
 * equal, so this is O(1)), with one timer for the earliest expiry. An expired reservation is
 * handed to `onExpire`, which releases what it held: nothing leaks if the caller never settles.
 *
 * New reservations first go to a young batch array and join the list when the batch is full or
 * before a sweep; most are settled by then and never join it. Linking each into the list at once
 * stored a young object into the long-lived book (head and tail), and the write barrier's slow
 * path for that cost more than the rest of `add`. The order of the list, and so of expiries, is
 * the same as if each had joined at once. Agents' lists are kept at once (releases walk them).
 */
export class ReservationBook {
  #head: ReservationCore | undefined;
  #tail: ReservationCore | undefined;
  /** Taken and not yet in the list (settled ones are skipped when the batch is sorted in). */
  #batch: (ReservationCore | undefined)[] = new Array<ReservationCore | undefined>(BATCH);
  #filled = 0;
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
    if (this.#filled === BATCH) this.#sortIn();
    this.#batch[this.#filled++] = r;
    r.booked = 1;
    linkToAgent(r.agent, r);
    this.#size++;
    if (r.expiresAt < this.#timerAt) this.#arm(r.expiresAt);
  }

  remove(r: ReservationCore): void {
    if (r.booked === 2) {
      if (r.prev === undefined) this.#head = r.next;
      else r.prev.next = r.next;
      if (r.next === undefined) this.#tail = r.prev;
      else r.next.prev = r.prev;
      r.prev = r.next = undefined;
    }
    r.booked = 0;
    unlinkFromAgent(r.agent, r);
    this.#size--;
  }

  /** Expires every reservation due at `now`; returns how many. */
  sweep(now: number): number {
    this.#sortIn();
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

  /** Moves the batch's open reservations into the list, in the order they were taken. */
  #sortIn(): void {
    const batch = this.#batch;
    for (let i = 0; i < this.#filled; i++) {
      const r = batch[i] as ReservationCore;
      if (r.booked === 1) this.#insert(r);
    }
    // A new array rather than a cleared one: a young array takes young reservations cheaply.
    this.#batch = new Array<ReservationCore | undefined>(BATCH);
    this.#filled = 0;
  }

  #insert(r: ReservationCore): void {
    let after = this.#tail;
    while (after !== undefined && after.expiresAt > r.expiresAt) after = after.prev;
    r.prev = after;
    r.next = after === undefined ? this.#head : after.next;
    if (r.next === undefined) this.#tail = r;
    else r.next.prev = r;
    if (after === undefined) this.#head = r;
    else after.next = r;
    r.booked = 2;
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
