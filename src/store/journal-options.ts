import * as nodeFs from 'node:fs';
import { systemClock, type Clock } from '../clock.js';
import { expectObject, expectOneOf, expectPositiveInt, invalid } from '../validate.js';
import type { JournalFs } from './journal-fs.js';

/** When the journal forces appended entries to disk. */
export type FsyncPolicy = 'always' | 'interval' | 'never';

const POLICIES: readonly FsyncPolicy[] = ['always', 'interval', 'never'];
const KNOWN = new Set(['path', 'fsync', 'intervalMs', 'clock', 'fs']);

/** What {@link createJournalStore} accepts. */
export interface JournalStoreOptions {
  /**
   * The journal file. The snapshot lives next to it in `${path}.snapshot`; compaction also uses
   * `${path}.snapshot.tmp` and `${path}.compact.tmp`. The directory must exist. One writer per
   * path: the store takes no lock, so two processes appending to one journal corrupt it.
   */
  readonly path: string;
  /**
   * `'always'`: every append is on disk when it returns (an acknowledged record survives a power
   * loss). `'interval'`: synced at most once per `intervalMs` and on close (a process crash loses
   * nothing, a power loss up to `intervalMs` of entries). `'never'`: the OS decides.
   * @default 'always'
   */
  readonly fsync?: FsyncPolicy;
  /** Milliseconds between syncs with `fsync: 'interval'`. @default 100 */
  readonly intervalMs?: number;
  /** Time source for the `'interval'` timer. @default systemClock */
  readonly clock?: Clock;
  /** File-system functions, for counting syncs or injecting I/O errors. @default node:fs */
  readonly fs?: JournalFs;
}

/** Journal store options with every default applied. */
export interface ResolvedJournalStoreOptions {
  readonly path: string;
  readonly fsync: FsyncPolicy;
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly fs: JournalFs;
}

/**
 * Validates journal store options.
 * @throws KernelError `INVALID_ARGUMENT`
 */
export function resolveJournalStoreOptions(value: unknown): ResolvedJournalStoreOptions {
  const o = expectObject('options', value);
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) invalid(`options.${key}`, 'a known journal store option', o[key]);
  }
  if (typeof o.path !== 'string' || o.path.length === 0) {
    invalid('path', 'a non-empty string', o.path);
  }
  const clock = o.clock ?? systemClock;
  if (
    clock === null ||
    typeof clock !== 'object' ||
    typeof (clock as Clock).setTimeout !== 'function' ||
    typeof (clock as Clock).clearTimeout !== 'function'
  ) {
    invalid('clock', 'a Clock', clock);
  }
  const fs = o.fs ?? nodeFs;
  if (fs === null || typeof fs !== 'object') invalid('fs', 'an fs-like object', fs);
  return {
    path: o.path,
    fsync: o.fsync === undefined ? 'always' : expectOneOf('fsync', o.fsync, POLICIES),
    intervalMs: o.intervalMs === undefined ? 100 : expectPositiveInt('intervalMs', o.intervalMs),
    clock: clock as Clock,
    fs: fs as JournalFs,
  };
}
