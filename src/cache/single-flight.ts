import { invalid } from '../validate.js';

/** What {@link SingleFlight.run} resolves to. */
export interface SingleFlightResult<V> {
  readonly value: V;
  /** True when this caller joined a call another caller started. */
  readonly shared: boolean;
}

/**
 * Merges concurrent calls with the same key into one: while a call for a key is in flight,
 * later callers wait for it instead of starting their own, so several agents asking the same
 * thing at once pay once. The outcome is shared, a rejection included, and is not remembered:
 * once the call settles the key is free and the next `run` calls `fn` again (caching results is
 * the cost cache's job).
 * @example
 * const flights = new SingleFlight<Reply>();
 * const { value, shared } = await flights.run(key, () => invoke(request));
 */
export class SingleFlight<V> {
  readonly #inFlight = new Map<string, Promise<V>>();

  /** Number of keys with a call in flight. */
  get size(): number {
    return this.#inFlight.size;
  }

  /** Whether a call for `key` is in flight. */
  has(key: string): boolean {
    return this.#inFlight.has(key);
  }

  /**
   * Runs `fn` for `key`, or joins the call already in flight for it. A synchronous throw from
   * `fn` becomes a rejection, shared like any other.
   * @throws KernelError `INVALID_ARGUMENT` (as a rejection) when `key` is not a non-empty string or
   *   `fn` is not a function.
   */
  async run(key: string, fn: () => Promise<V>): Promise<SingleFlightResult<V>> {
    if (typeof key !== 'string' || key.length === 0) invalid('key', 'a non-empty string', key);
    if (typeof fn !== 'function') invalid('fn', 'a function', fn);
    const existing = this.#inFlight.get(key);
    if (existing !== undefined) return { value: await existing, shared: true };
    let started: Promise<V>;
    try {
      started = Promise.resolve(fn());
    } catch (error) {
      started = Promise.reject(error);
    }
    // Joiners await `flight`, which settles only after the key is freed: nobody can observe a
    // settled call still registered, so a rejection is never handed to a later caller.
    const flight = started.finally(() => {
      if (this.#inFlight.get(key) === flight) this.#inFlight.delete(key);
    });
    this.#inFlight.set(key, flight);
    return { value: await flight, shared: false };
  }
}
