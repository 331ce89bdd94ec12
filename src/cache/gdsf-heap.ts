/** What {@link GdsfHeap} needs from an item: its priority, a tie-break sequence and its slot. */
export interface GdsfHeapItem {
  /** GDSF priority `L + frequency × cost / size`; the minimum is evicted first. */
  priority: number;
  /** Larger is newer; among equal priorities the older item is evicted first. */
  seq: number;
  /** The item's position in the heap, or -1 when it is not in one. Owned by the heap. */
  heapIndex: number;
}

/**
 * An indexed binary min-heap ordered by `(priority, seq)`: O(log n) push, pop, remove and
 * re-prioritise, each item knowing its own slot so that a hit can update it in place.
 */
export class GdsfHeap<T extends GdsfHeapItem> {
  #items: T[] = [];

  /** Number of items in the heap. */
  get size(): number {
    return this.#items.length;
  }

  /** The item evicted next, without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds an item that is not in any heap. */
  push(item: T): void {
    item.heapIndex = this.#items.length;
    this.#items.push(item);
    this.#up(item.heapIndex);
  }

  /** Removes and returns the item with the lowest `(priority, seq)`. */
  pop(): T | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes `item`; false when it is not in this heap. */
  remove(item: T): boolean {
    const index = item.heapIndex;
    if (index < 0 || this.#items[index] !== item) return false;
    const last = this.#items.pop() as T;
    item.heapIndex = -1;
    if (last !== item) {
      this.#items[index] = last;
      last.heapIndex = index;
      this.#up(index);
      this.#down(last.heapIndex);
    }
    return true;
  }

  /** Restores heap order after `item.priority` or `item.seq` changed. */
  update(item: T): void {
    if (item.heapIndex < 0 || this.#items[item.heapIndex] !== item) return;
    this.#up(item.heapIndex);
    this.#down(item.heapIndex);
  }

  /** Removes every item. */
  clear(): void {
    for (const item of this.#items) item.heapIndex = -1;
    this.#items = [];
  }

  /** The items in heap (not sorted) order; for tests and diagnostics. */
  values(): readonly T[] {
    return this.#items;
  }

  #less(a: T, b: T): boolean {
    return a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq);
  }

  #up(index: number): void {
    const items = this.#items;
    const item = items[index] as T;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex] as T;
      if (!this.#less(item, parent)) break;
      items[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    items[index] = item;
    item.heapIndex = index;
  }

  #down(index: number): void {
    const items = this.#items;
    const n = items.length;
    const item = items[index] as T;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.#less(items[right] as T, items[left] as T)) child = right;
      const c = items[child] as T;
      if (!this.#less(c, item)) break;
      items[index] = c;
      c.heapIndex = index;
      index = child;
    }
    items[index] = item;
    item.heapIndex = index;
  }
}
