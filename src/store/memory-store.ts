import { KernelError } from '../errors.js';
import { invalid } from '../validate.js';
import type { JournalEntry } from './journal-entry.js';
import type { LedgerStore, StoreContents } from './ledger-store.js';

/**
 * A {@link LedgerStore} that keeps the snapshot and the entries after it in memory: nothing
 * survives the process, but a new kernel given the same store replays what the previous one
 * appended (the store plays the disk). The reference behaviour for the file-backed stores.
 */
export class MemoryStore implements LedgerStore {
  #state: 'idle' | 'open' | 'closed' = 'idle';
  #snapshot: unknown = undefined;
  #entries: JournalEntry[] = [];

  /** Entries appended since the last snapshot. */
  get pending(): number {
    return this.#entries.length;
  }

  /** The entries held since the last snapshot, oldest first. */
  get entries(): readonly JournalEntry[] {
    return this.#entries;
  }

  /** The last snapshot given to `compact`, or undefined. */
  get snapshot(): unknown {
    return this.#snapshot;
  }

  /**
   * Returns the snapshot and the entries after it, and opens the store for appending; a closed
   * store may be loaded again, like a file reopened after a restart.
   * @throws KernelError `STORE_FAILED` (rejects) when already loaded and not closed since
   */
  async load(): Promise<StoreContents> {
    if (this.#state === 'open') {
      throw new KernelError('STORE_FAILED', 'The memory store is already loaded');
    }
    this.#state = 'open';
    return { snapshot: this.#snapshot, entries: [...this.#entries], problems: [] };
  }

  /**
   * Keeps `entry` (by reference: entries are immutable).
   * @throws KernelError `NOT_READY` before `load`, `STORE_FAILED` after `close`
   */
  append(entry: JournalEntry): void {
    if (this.#state !== 'open') this.#refuse();
    this.#entries.push(entry);
  }

  /**
   * Keeps a deep copy of `snapshot` and drops the entries it covers.
   * @throws KernelError `INVALID_ARGUMENT` when `snapshot` cannot be cloned; `NOT_READY` before
   * `load`; `STORE_FAILED` after `close` (all as rejections)
   */
  async compact(snapshot: unknown): Promise<void> {
    if (this.#state !== 'open') this.#refuse();
    let copy: unknown;
    try {
      // A copy, as a file would hold: later changes to the kernel's objects must not leak in.
      copy = structuredClone(snapshot);
    } catch {
      invalid('snapshot', 'a cloneable value', snapshot);
    }
    this.#snapshot = copy;
    this.#entries = [];
  }

  /** Closes the store; appends then fail until the next `load`. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'open') this.#state = 'closed';
  }

  #refuse(): never {
    if (this.#state === 'idle') {
      throw new KernelError('NOT_READY', 'The memory store is not loaded yet: call load() first');
    }
    throw new KernelError('STORE_FAILED', 'The memory store is closed');
  }
}

/**
 * Creates an in-memory {@link LedgerStore}, for tests and as a reference implementation.
 * @example
 * const store = createMemoryStore();
 * const kernel = createKernel({ totalBudget: 100_000, store });
 */
export function createMemoryStore(): MemoryStore {
  return new MemoryStore();
}
