import type { Usage } from '../usage.js';
import type { Attribution, AttributionHandle } from './ledger-attribution.js';
import { reservationIdOf, type UsageRecord } from './usage-record.js';

/**
 * Numbers kept per record: seq, time, cost, saved-and-cached (see {@link savedAndCached}),
 * reservation (see `RES_*`).
 */
const NUMS = 5;
/** References kept per record: its origin and its usage. */
const REFS = 2;
/** `reservation` of a record without one. */
const RES_NONE = -1;
/** `reservation` of a record whose id is not a kernel number (kept as the string). */
const RES_ID = -2;
/** Records allocated for up front; the columns double from there up to the capacity. */
const INITIAL_SLOTS = 1024;

/**
 * Who a kept record was booked to, with its model and price source: one object shared by the
 * records of a handle while these stay the same (the ledger keeps it on the handle).
 */
export class RecordOrigin {
  constructor(
    readonly who: Attribution,
    readonly model: string,
    readonly priceSource: string,
  ) {}
}

/**
 * The last `capacity` records, kept as their fields in flat columns and rebuilt on read (the
 * caller's usage object is shared, as by the records `Ledger.add` returns). Keeping the record
 * objects instead made each one survive young collections with its reservation id, which took
 * a tenth of a reserve + commit. A kernel reservation id is kept as its number.
 */
export class RecentRecords {
  readonly #capacity: number;
  #slots: number;
  #nums: Float64Array;
  #refs: unknown[];
  /** Reservation ids that are not kernel numbers (public `add`, journal replay), by slot. */
  #ids: (string | undefined)[] = [];
  #next = 0;
  #wrapped = false;

  /** @param capacity records kept; 0 keeps none. */
  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#slots = Math.min(capacity, INITIAL_SLOTS);
    this.#nums = new Float64Array(this.#slots * NUMS);
    this.#refs = new Array<unknown>(this.#slots * REFS).fill(undefined);
  }

  get capacity(): number {
    return this.#capacity;
  }

  /**
   * Keeps `record`, booked to `who`, forgetting the oldest when full. Takes the record rather
   * than its fields: a time passed to a call that is not inlined is boxed (16 bytes).
   * @param reservationId as given to `Ledger.add` (a number `n` stands for the id `r<n>`).
   */
  keep(record: UsageRecord, who: AttributionHandle, reservationId: unknown): void {
    // The handle keeps the origin of its records while their model and price source stay; the
    // ledger clears it when the handle's model may have changed.
    let origin = who.origin;
    if (origin === undefined || who.source !== record.priceSource) {
      who.source = record.priceSource;
      origin = who.origin = new RecordOrigin(who, record.model, record.priceSource);
    }
    this.#push(
      record,
      origin,
      typeof reservationId === 'number'
        ? reservationId
        : reservationId === undefined
          ? RES_NONE
          : RES_ID,
    );
  }

  /** Keeps a record restored from a snapshot (it has no handle: its own ids stand for one). */
  keepRestored(record: UsageRecord): void {
    const origin = new RecordOrigin(record, record.model, record.priceSource);
    this.#push(record, origin, record.reservationId === undefined ? RES_NONE : RES_ID);
  }

  /** @param reservation the kernel reservation number of the record's id, or a `RES_*` code. */
  #push(record: UsageRecord, origin: RecordOrigin, reservation: number): void {
    let i = this.#next;
    if (i === this.#slots && (i = this.#turn()) < 0) return;
    this.#next = i + 1;
    const n = this.#nums;
    const o = i * NUMS;
    n[o] = record.seq;
    n[o + 1] = record.time;
    n[o + 2] = record.costNano;
    n[o + 3] = savedAndCached(record.savedNano ?? 0, record.cached);
    n[o + 4] = reservation;
    if (reservation === RES_ID) this.#ids[i] = record.reservationId;
    const r = this.#refs;
    r[i * REFS] = origin;
    r[i * REFS + 1] = record.usage;
  }

  /** The last `n` records (at most the ones kept), oldest first, shaped as `Ledger.add` returns them. */
  last(n: number): UsageRecord[] {
    const size = this.#wrapped ? this.#slots : this.#next;
    const count = Math.min(n, size);
    const out: UsageRecord[] = [];
    for (let i = count; i > 0; i--)
      out.push(this.#record((this.#next - i + this.#slots) % this.#slots));
    return out;
  }

  #record(slot: number): UsageRecord {
    const n = this.#nums;
    const o = slot * NUMS;
    const origin = this.#refs[slot * REFS] as RecordOrigin;
    const who = origin.who;
    const saved = n[o + 3]!;
    const reservation = n[o + 4]!;
    return {
      seq: n[o]!,
      time: n[o + 1]!,
      agentId: who.agentId,
      taskId: who.taskId,
      userId: who.userId,
      sessionId: who.sessionId,
      model: origin.model,
      usage: this.#refs[slot * REFS + 1] as Usage,
      costNano: n[o + 2]!,
      priceSource: origin.priceSource,
      cached: saved >= 0,
      reservationId:
        reservation >= 0
          ? reservationIdOf(reservation)
          : reservation === RES_ID
            ? this.#ids[slot]
            : undefined,
      savedNano: saved >= 0 ? saved : -saved - 1,
    };
  }

  /** The slot after the last one: grows the columns, or wraps around (-1 with no capacity). */
  #turn(): number {
    if (this.#slots === this.#capacity) {
      if (this.#capacity === 0) return -1;
      this.#wrapped = true;
      return 0;
    }
    // Doubles the columns (up to the capacity); only before the first wrap, so order holds.
    const slots = Math.min(this.#capacity, this.#slots * 2);
    const nums = new Float64Array(slots * NUMS);
    nums.set(this.#nums);
    const refs = new Array<unknown>(slots * REFS).fill(undefined);
    for (let i = 0; i < this.#refs.length; i++) refs[i] = this.#refs[i];
    this.#nums = nums;
    this.#refs = refs;
    this.#slots = slots;
    return this.#next;
  }
}

/**
 * A record's `savedNano` (a non-negative integer) and `cached` flag as one number: the saving
 * itself when cached, `-(saving + 1)` when not. One column fewer to write per record.
 */
function savedAndCached(saved: number, cached: boolean): number {
  return cached ? saved : -saved - 1;
}
