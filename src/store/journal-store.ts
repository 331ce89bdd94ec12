import { dirname } from 'node:path';
import type { TimerHandle } from '../clock.js';
import { KernelError } from '../errors.js';
import { invalid } from '../validate.js';
import type { JournalEntry } from './journal-entry.js';
import { encodeJournalLine } from './journal-format.js';
import {
  rewriteJournalTail,
  storeFailed,
  syncDirectory,
  writeAll,
  writeFileDurably,
} from './journal-fs.js';
import {
  resolveJournalStoreOptions,
  type JournalStoreOptions,
  type ResolvedJournalStoreOptions,
} from './journal-options.js';
import { readSnapshot, scanJournal } from './journal-reader.js';
import type { LedgerStore, StoreContents } from './ledger-store.js';

type State = 'idle' | 'open' | 'closing' | 'closed';

/**
 * A {@link LedgerStore} on an append-only file: one framed line per entry (see
 * journal-format.ts), synced per the `fsync` policy, plus a snapshot file written by `compact`.
 *
 * Crash safety of `compact(snapshot)`, step by step (entry numbers never restart, and `load`
 * skips journal entries at or below the number the snapshot covers):
 * 1. the snapshot goes to `${path}.snapshot.tmp`, synced. A crash here leaves the old snapshot
 *    and the full journal; `load` deletes the temporary file.
 * 2. it is renamed over `${path}.snapshot` and the directory synced. A crash after the rename
 *    leaves the new snapshot with the old journal: the entries it covers are skipped by number.
 * 3. the entries appended since the snapshot was taken are copied to `${path}.compact.tmp`,
 *    synced, renamed over the journal, and the directory synced. A crash before the rename is
 *    state 2 (the temporary file is deleted on load); after it, the new journal is complete.
 * Step 3 runs without yielding, so no append can fall between the copy and the switch.
 */
export class JournalStore implements LedgerStore {
  readonly #o: ResolvedJournalStoreOptions;
  readonly #dir: string;
  readonly #snapshotPath: string;
  readonly #snapshotTmp: string;
  readonly #compactTmp: string;
  #state: State = 'idle';
  #fd = -1;
  #nextN = 1;
  /** Entries numbered at or below this are in the snapshot (or were counted when loaded). */
  #base = 0;
  /** Byte offsets are logical (as if never compacted): the file starts at `#removed`. */
  #size = 0;
  #removed = 0;
  #dirty = false;
  #timer: TimerHandle | undefined;
  /** A sync failed: what reached the disk is unknown, so the journal refuses further appends. */
  #failure: unknown;
  #compaction: Promise<void> = Promise.resolve();
  #closing: Promise<void> | undefined;

  /** @internal use {@link createJournalStore} */
  constructor(options: ResolvedJournalStoreOptions) {
    this.#o = options;
    this.#dir = dirname(options.path);
    this.#snapshotPath = `${options.path}.snapshot`;
    this.#snapshotTmp = `${options.path}.snapshot.tmp`;
    this.#compactTmp = `${options.path}.compact.tmp`;
  }

  /** The journal file. */
  get path(): string {
    return this.#o.path;
  }

  /** Entries appended (or loaded) since the last snapshot. */
  get pending(): number {
    return this.#nextN - 1 - this.#base;
  }

  /**
   * Reads the snapshot and the journal after it, truncates a bad tail and opens the journal for
   * appending. A closed store may be loaded again.
   * @throws KernelError `STORE_FAILED` (rejects) on an I/O error, an unreadable snapshot, or when
   * already loaded
   */
  async load(): Promise<StoreContents> {
    if (this.#state === 'open' || this.#state === 'closing') {
      throw new KernelError('STORE_FAILED', `The journal ${this.#o.path} is already loaded`, {
        details: { path: this.#o.path },
      });
    }
    try {
      return this.#open();
    } catch (error) {
      if (this.#fd >= 0) {
        try {
          this.#o.fs.closeSync(this.#fd);
        } catch {
          // The load already failed; that error is the one to report.
        }
        this.#fd = -1;
      }
      throw error instanceof KernelError ? error : storeFailed('load', this.#o.path, error);
    }
  }

  /**
   * Appends one entry and syncs it per the policy before returning.
   * @throws KernelError `STORE_FAILED` on an I/O error or after `close`; `NOT_READY` before `load`
   */
  append(entry: JournalEntry): void {
    if (this.#state !== 'open' || this.#failure !== undefined) this.#refuse();
    const fs = this.#o.fs;
    const n = this.#nextN;
    const line = encodeJournalLine(n, JSON.stringify(entry));
    const bytes = Buffer.byteLength(line);
    try {
      const written = fs.writeSync(this.#fd, line);
      if (written < bytes) writeAll(fs, this.#fd, Buffer.from(line).subarray(written));
    } catch (error) {
      this.#dropPartialLine();
      throw storeFailed('append to', this.#o.path, error);
    }
    this.#nextN = n + 1;
    this.#size += bytes;
    if (this.#o.fsync === 'always') {
      try {
        // fdatasync also persists the new file size, which is all an append changes.
        fs.fdatasyncSync(this.#fd);
      } catch (error) {
        this.#failure = error;
        throw storeFailed('sync', this.#o.path, error);
      }
    } else if (this.#o.fsync === 'interval') {
      this.#dirty = true;
      this.#timer ??= this.#o.clock.setTimeout(this.#onTimer, this.#o.intervalMs);
    }
  }

  /**
   * Writes `snapshot` (the state after every entry appended so far) and starts a journal holding
   * only the entries appended after it. Compactions run one at a time; appends may continue
   * meanwhile.
   * @throws KernelError `INVALID_ARGUMENT` when `snapshot` is not JSON-serialisable;
   * `STORE_FAILED` (rejects) on an I/O error or after `close`
   */
  compact(snapshot: unknown): Promise<void> {
    try {
      if (this.#state !== 'open') this.#refuse();
      let json: string | undefined;
      try {
        json = JSON.stringify(snapshot);
      } catch {
        json = undefined;
      }
      if (json === undefined) invalid('snapshot', 'a JSON-serialisable value', snapshot);
      // Serialised now: the snapshot describes the state after entry `through`, not a later one.
      const through = this.#nextN - 1;
      const line = encodeJournalLine(through, json);
      const cut = this.#size;
      const run = this.#compaction.then(() => this.#compactNow(line, through, cut));
      this.#compaction = run.catch(() => undefined);
      return run;
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * Waits for a running compaction, syncs per the policy and closes the file. Idempotent.
   * @throws KernelError `STORE_FAILED` (rejects) when the final sync or close fails, or a timed
   * sync failed earlier
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    if (this.#state !== 'open') {
      this.#state = 'closed';
      return Promise.resolve();
    }
    this.#state = 'closing';
    this.#closing = this.#finishClose();
    return this.#closing;
  }

  #open(): StoreContents {
    const fs = this.#o.fs;
    // Leftovers of an interrupted compaction: never the only copy of anything (see the class doc).
    fs.rmSync(this.#snapshotTmp, { force: true });
    fs.rmSync(this.#compactTmp, { force: true });
    const snapshot = readSnapshot(fs, this.#snapshotPath);
    const through = snapshot?.n ?? 0;
    this.#fd = fs.openSync(this.#o.path, 'a+');
    const scan = scanJournal(fs, this.#fd, this.#o.path, through);
    if (scan.goodEnd < scan.size) {
      // New appends must not follow garbage, or the next load would take them for more garbage.
      fs.ftruncateSync(this.#fd, scan.goodEnd);
      fs.fdatasyncSync(this.#fd);
    }
    // The journal may have just been created: its directory entry must be durable too.
    syncDirectory(fs, this.#dir);
    this.#nextN = Math.max(through, scan.lastN) + 1;
    this.#base = this.#nextN - 1 - scan.entries.length;
    this.#size = scan.goodEnd;
    this.#removed = 0;
    this.#dirty = false;
    this.#failure = undefined;
    this.#compaction = Promise.resolve();
    this.#closing = undefined;
    this.#state = 'open';
    return {
      snapshot: snapshot?.value,
      entries: scan.entries,
      problems: scan.problems,
    };
  }

  async #compactNow(line: string, through: number, cut: number): Promise<void> {
    const fs = this.#o.fs;
    try {
      await writeFileDurably(fs, this.#snapshotTmp, line);
      fs.renameSync(this.#snapshotTmp, this.#snapshotPath);
      syncDirectory(fs, this.#dir);
    } catch (error) {
      try {
        fs.rmSync(this.#snapshotTmp, { force: true });
      } catch {
        // Removed on the next load.
      }
      throw storeFailed('write the snapshot', this.#snapshotPath, error);
    }
    this.#base = Math.max(this.#base, through);
    this.#startFreshJournal(cut);
  }

  /** Replaces the journal by its part after logical offset `cut`. Synchronous on purpose. */
  #startFreshJournal(cut: number): void {
    const fs = this.#o.fs;
    const next = rewriteJournalTail(fs, {
      fd: this.#fd,
      from: cut - this.#removed,
      length: this.#size - cut,
      tmp: this.#compactTmp,
      path: this.#o.path,
    });
    const old = this.#fd;
    this.#fd = next;
    this.#removed = cut;
    // Everything in the new file was just synced.
    this.#dirty = false;
    try {
      fs.closeSync(old);
      syncDirectory(fs, this.#dir);
    } catch (error) {
      throw storeFailed('sync the directory of', this.#o.path, error);
    }
  }

  async #finishClose(): Promise<void> {
    await this.#compaction;
    const fs = this.#o.fs;
    if (this.#timer !== undefined) {
      this.#o.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    let failure = this.#failure;
    if (this.#dirty && failure === undefined) {
      try {
        fs.fdatasyncSync(this.#fd);
        this.#dirty = false;
      } catch (error) {
        failure = error;
      }
    }
    try {
      fs.closeSync(this.#fd);
    } catch (error) {
      failure ??= error;
    }
    this.#fd = -1;
    this.#state = 'closed';
    if (failure !== undefined) throw storeFailed('close', this.#o.path, failure);
  }

  #onTimer = (): void => {
    this.#timer = undefined;
    if (!this.#dirty || this.#fd < 0) return;
    this.#dirty = false;
    try {
      this.#o.fs.fdatasyncSync(this.#fd);
    } catch (error) {
      // Reported by the next append or by close: a timer has no caller to throw to.
      this.#failure ??= error;
    }
  };

  /** A failed write may have left part of a line: cut it off so later lines stay readable. */
  #dropPartialLine(): void {
    try {
      this.#o.fs.ftruncateSync(this.#fd, this.#size - this.#removed);
    } catch (error) {
      this.#failure ??= error;
    }
  }

  #refuse(): never {
    const path = this.#o.path;
    if (this.#state === 'idle') {
      throw new KernelError(
        'NOT_READY',
        `The journal ${path} is not loaded yet: call load() first`,
        {
          details: { path },
        },
      );
    }
    if (this.#state !== 'open') {
      throw new KernelError('STORE_FAILED', `The journal ${path} is closed`, { details: { path } });
    }
    throw storeFailed('append to', path, this.#failure);
  }
}

/**
 * Creates a journal store: an append-only file replayed on start, with periodic snapshots.
 * Call `load()` (the kernel does, behind `kernel.ready`) before appending.
 * @throws KernelError `INVALID_ARGUMENT` for bad options
 * @example
 * const kernel = createKernel({ totalBudget: 1_000_000, store: createJournalStore({ path: 'ledger.journal' }) });
 * await kernel.ready;
 */
export function createJournalStore(options: JournalStoreOptions): JournalStore {
  return new JournalStore(resolveJournalStoreOptions(options));
}
