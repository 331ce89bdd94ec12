import type { JournalEntry } from './journal-entry.js';

/** What a store gives back on start. */
export interface StoreContents {
  /** The latest snapshot written by `compact`, if any (the kernel's own JSON). */
  readonly snapshot: unknown;
  /** Entries appended after that snapshot, in order. */
  readonly entries: readonly JournalEntry[];
  /** What was skipped and why (a torn or corrupt tail, a bad line), for the kernel to report. */
  readonly problems: readonly string[];
}

/**
 * Where the kernel keeps what must survive a crash. The kernel calls `append` on its synchronous
 * accounting path, so an implementation must append synchronously (buffered or not, per its
 * durability policy) and never await.
 */
export interface LedgerStore {
  /** Reads the snapshot and the entries after it. Called once, before the kernel is ready. */
  load(): Promise<StoreContents>;
  /**
   * Appends one entry. When it returns, the entry is as durable as the store promises (with
   * `fsync: 'always'`, on disk).
   * @throws KernelError `STORE_FAILED` on an I/O error
   */
  append(entry: JournalEntry): void;
  /** Writes `snapshot` and starts an empty journal after it, atomically with respect to crashes. */
  compact(snapshot: unknown): Promise<void>;
  /** Entries appended since the last snapshot. */
  readonly pending: number;
  /** Flushes and closes. Idempotent. */
  close(): Promise<void>;
}
