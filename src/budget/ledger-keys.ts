/**
 * Interned keys per ledger dimension: each distinct agent id, task id, … gets a small number,
 * so cells can name their keys with integers.
 */
export class LedgerKeys {
  readonly #index: Map<string, number>[];
  readonly #keys: string[][];

  constructor(dimensions: number) {
    this.#index = Array.from({ length: dimensions }, () => new Map<string, number>());
    this.#keys = Array.from({ length: dimensions }, () => []);
  }

  /** The number of `key` in `dimension`, assigned on first use. */
  id(dimension: number, key: string): number {
    const index = this.#index[dimension]!;
    let id = index.get(key);
    if (id === undefined) {
      const keys = this.#keys[dimension]!;
      id = keys.length;
      keys.push(key);
      index.set(key, id);
    }
    return id;
  }

  /** The number of `key` in `dimension`, if it was ever used. */
  find(dimension: number, key: string): number | undefined {
    return this.#index[dimension]!.get(key);
  }

  /** All keys of `dimension`, indexed by number. */
  keys(dimension: number): readonly string[] {
    return this.#keys[dimension]!;
  }
}
