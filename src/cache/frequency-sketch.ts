import { expectPositiveInt } from '../validate.js';

const DEPTH = 4;
const MAX_COUNT = 15;
/** Smallest and largest capacities the sketch sizes itself for (entries). */
const MIN_CAPACITY = 16;
const MAX_CAPACITY = 1 << 22;
/** Counters per row per unit of capacity: keeps count-min collisions rare within one sample period. */
const WIDTH_FACTOR = 4;
/** Aging period, in increments per unit of capacity (TinyLFU's "W = 10 × C"). */
const SAMPLE_FACTOR = 10;
const SEEDS = [0x97cb3127, 0x7ed55d16, 0x165667b1, 0xc2b2ae3d] as const;

/**
 * A count-min sketch of 4-bit counters (4 rows, 8 counters per 32-bit word) estimating how often
 * each key was seen recently: TinyLFU's popularity estimate. Counters saturate at 15 and are all
 * halved once the number of increments reaches 10 × capacity, so old popularity fades.
 * Increments are conservative (only the row counters at the current minimum grow), which keeps
 * over-estimates from collisions low.
 */
export class FrequencySketch {
  #table: Uint32Array = new Uint32Array(0);
  #capacity = 0;
  #rowMask = 0;
  #rowShift = 0;
  #sampleSize = 0;
  #samples = 0;
  #resets = 0;

  /**
   * @param capacity expected number of distinct resident keys (entries); sizes the table and the
   *   aging period. Clamped to [16, 2^22] (8 bytes of table per unit, at most 32 MiB).
   * @throws KernelError `INVALID_ARGUMENT` when `capacity` is not a positive safe integer.
   */
  constructor(capacity: number) {
    expectPositiveInt('capacity', capacity);
    this.#allocate(capacity);
  }

  /** The capacity (entries) the sketch is currently sized for, a power of two. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Increments after which every counter is halved (10 × capacity). */
  get sampleSize(): number {
    return this.#sampleSize;
  }

  /** Increments counted since the last halving. */
  get samples(): number {
    return this.#samples;
  }

  /** How many times the counters have been halved. */
  get resets(): number {
    return this.#resets;
  }

  /**
   * Grows the sketch when `capacity` exceeds what it is sized for. Growing forgets every count
   * (hashes cannot be re-spread without the keys); it happens a logarithmic number of times.
   * @throws KernelError `INVALID_ARGUMENT` when `capacity` is not a positive safe integer.
   */
  ensureCapacity(capacity: number): void {
    expectPositiveInt('capacity', capacity);
    if (capacity > this.#capacity && this.#capacity < MAX_CAPACITY) this.#allocate(capacity);
  }

  /** Estimated recent frequency of `hash` (0–15). */
  frequency(hash: number): number {
    let min = MAX_COUNT;
    for (let row = 0; row < DEPTH; row++) {
      const count = this.#read(this.#indexOf(hash, row));
      if (count < min) min = count;
    }
    return min;
  }

  /**
   * Records one occurrence of `hash` and returns its new estimate (0–15); halves every counter
   * when the sample period is over.
   */
  increment(hash: number): number {
    const i0 = this.#indexOf(hash, 0);
    const i1 = this.#indexOf(hash, 1);
    const i2 = this.#indexOf(hash, 2);
    const i3 = this.#indexOf(hash, 3);
    const c0 = this.#read(i0);
    const c1 = this.#read(i1);
    const c2 = this.#read(i2);
    const c3 = this.#read(i3);
    const min = Math.min(c0, c1, c2, c3);
    if (min === MAX_COUNT) return MAX_COUNT;
    if (c0 === min) this.#bump(i0);
    if (c1 === min) this.#bump(i1);
    if (c2 === min) this.#bump(i2);
    if (c3 === min) this.#bump(i3);
    if (++this.#samples >= this.#sampleSize) {
      this.#halve();
      return (min + 1) >>> 1;
    }
    return min + 1;
  }

  /** Forgets every count. */
  clear(): void {
    this.#table.fill(0);
    this.#samples = 0;
  }

  #allocate(capacity: number): void {
    let cap = MIN_CAPACITY;
    while (cap < capacity && cap < MAX_CAPACITY) cap *= 2;
    this.#capacity = cap;
    const width = cap * WIDTH_FACTOR;
    this.#rowMask = width - 1;
    this.#rowShift = Math.log2(width);
    this.#table = new Uint32Array((width * DEPTH) / 8);
    this.#sampleSize = cap * SAMPLE_FACTOR;
    this.#samples = 0;
  }

  #indexOf(hash: number, row: number): number {
    let x = Math.imul(hash ^ (SEEDS[row] as number), 0x9e3779b1);
    x ^= x >>> 15;
    x = Math.imul(x, 0x85ebca6b);
    x ^= x >>> 13;
    return (row << this.#rowShift) | (x & this.#rowMask);
  }

  #read(index: number): number {
    return ((this.#table[index >>> 3] as number) >>> ((index & 7) << 2)) & 0xf;
  }

  #bump(index: number): void {
    this.#table[index >>> 3] = (this.#table[index >>> 3] as number) + (1 << ((index & 7) << 2));
  }

  #halve(): void {
    const table = this.#table;
    // Shifting the packed word right by one moves each counter's low bit into its neighbour's
    // high bit; the mask clears those bits so every 4-bit counter is halved independently.
    for (let i = 0; i < table.length; i++) table[i] = ((table[i] as number) >>> 1) & 0x77777777;
    this.#samples = Math.floor(this.#samples / 2);
    this.#resets++;
  }
}
