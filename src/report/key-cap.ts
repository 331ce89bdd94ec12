/** The key that distinct keys beyond a {@link KeyCap}'s capacity are booked under. */
export const OTHER_KEY = '(other)';

/**
 * Bounds the distinct keys of one report dimension and maps each to a value made once (an
 * attribution handle, or the key itself): the first `capacity` keys keep their own value, later
 * new ones share the value of {@link OTHER_KEY}, so a file with millions of distinct session ids
 * still aggregates in bounded memory. Totals are unaffected. One map lookup per call.
 */
export class KeyCap<V> {
  readonly #values = new Map<string, V>();
  readonly #capacity: number;
  readonly #make: (key: string) => V;
  #other: V | undefined;
  #folded = 0;

  /**
   * @param capacity distinct keys kept (a positive integer)
   * @param make builds the value of a key (also of {@link OTHER_KEY}), once
   */
  constructor(capacity: number, make: (key: string) => V) {
    this.#capacity = capacity;
    this.#make = make;
  }

  /** The value of `key` while it is (or fits among) the kept keys, else that of {@link OTHER_KEY}. */
  get(key: string): V {
    const value = this.#values.get(key);
    if (value !== undefined) return value;
    if (this.#values.size < this.#capacity) {
      const made = this.#make(key);
      this.#values.set(key, made);
      return made;
    }
    this.#folded++;
    return (this.#other ??= this.#make(OTHER_KEY));
  }

  /** Distinct keys kept. */
  get size(): number {
    return this.#values.size;
  }

  /** Lookups folded into {@link OTHER_KEY}. */
  get folded(): number {
    return this.#folded;
  }
}
