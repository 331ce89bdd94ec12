import { reservationIdOf, type UsageRecord } from '../budget/usage-record.js';
import type { Accounting } from '../kernel/accounting.js';
import type { Usage } from '../usage.js';
import type { ReservationCore, ReservationState } from './reservation-core.js';

/**
 * Tokens and money held for one call, before it is made. Settle it with {@link commit} (the
 * actual usage) or {@link cancel}. An unsettled reservation expires after its TTL and releases
 * what it held; a commit after that still books the usage (the call happened).
 */
export class Reservation {
  readonly #core: ReservationCore;
  readonly #accounting: Accounting;

  /** @internal created by `agent.reserve` */
  constructor(core: ReservationCore, accounting: Accounting) {
    this.#core = core;
    this.#accounting = accounting;
  }

  /** Stable id, also written to the usage record (`reservationId`). */
  get id(): string {
    return reservationIdOf(this.#core.seq);
  }

  get agentId(): string {
    return this.#core.agent.id;
  }

  get model(): string {
    return this.#core.model;
  }

  get inputTokens(): number {
    return this.#core.inputTokens;
  }

  get maxOutputTokens(): number {
    return this.#core.outputTokens;
  }

  /** Tokens held: input + max output. */
  get tokens(): number {
    return this.#core.tokens;
  }

  /** Money held, nano-USD: an upper bound of the call's cost. */
  get costNano(): number {
    return this.#core.nano;
  }

  /** When it expires, ms since the epoch. */
  get expiresAt(): number {
    return this.#core.expiresAt;
  }

  get state(): ReservationState {
    return this.#core.state;
  }

  /**
   * Settles with the actual usage and returns the usage record.
   * @throws KernelError `INVALID_ARGUMENT` (bad usage), `RESERVATION_SETTLED` (already committed or cancelled)
   */
  commit(usage: Usage): UsageRecord {
    return this.#accounting.commit(this.#core, usage);
  }

  /**
   * Returns what it held. Returns false when it had already expired or been released.
   * @throws KernelError `RESERVATION_SETTLED` when already committed
   */
  cancel(): boolean {
    return this.#accounting.cancel(this.#core);
  }

  /** @internal the kernel's call path settles cache hits through this. */
  get core(): ReservationCore {
    return this.#core;
  }
}
