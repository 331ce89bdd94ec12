/** A bounded ring that keeps the last `capacity` items pushed. */
export class RecentRing<T> {
  readonly #items: (T | undefined)[];
  readonly #capacity: number;
  #next = 0;
  #size = 0;

  /** @param capacity items kept; 0 keeps none. */
  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#items = new Array<T | undefined>(capacity).fill(undefined);
  }

  get capacity(): number {
    return this.#capacity;
  }

  push(item: T): void {
    if (this.#capacity === 0) return;
    this.#items[this.#next] = item;
    this.#next = this.#next + 1 === this.#capacity ? 0 : this.#next + 1;
    if (this.#size < this.#capacity) this.#size++;
  }

  /** The last `n` items (at most the ones kept), oldest first. */
  last(n: number): T[] {
    const count = Math.min(n, this.#size);
    const out: T[] = [];
    for (let i = count; i > 0; i--) {
      const index = (this.#next - i + this.#capacity) % this.#capacity;
      out.push(this.#items[index] as T);
    }
    return out;
  }
}
