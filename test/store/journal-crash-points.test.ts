import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/store/journal-entry.js';
import type { FsyncPolicy } from '../../src/store/journal-options.js';
import { createJournalStore } from '../../src/store/journal-store.js';
import { crashingFs, journalPath, recordEntry, seqs, SimulatedCrash } from './store-fixture.js';

interface Snapshot {
  readonly seqs: number[];
}

/**
 * Loads, appends and compacts twice (with appends during each compaction) on a file system that
 * "dies" after `survive` mutating operations. Returns the seqs acknowledged (append returned)
 * before the crash, and the seq being appended when it happened.
 */
async function scenario(
  path: string,
  survive: number,
  fsync: FsyncPolicy,
): Promise<{ acked: number[]; attempted: number | undefined; steps: number }> {
  const { fs, steps } = crashingFs(survive);
  const store = createJournalStore({ path, fsync, fs });
  const acked: number[] = [];
  let attempted: number | undefined;
  const append = (seq: number): void => {
    attempted = seq;
    store.append(recordEntry(seq));
    acked.push(seq);
    attempted = undefined;
  };
  const compact = (): Promise<void> => store.compact({ seqs: [...acked] } satisfies Snapshot);
  try {
    const loaded = await store.load();
    expect(loaded.entries).toEqual([]);
    for (let seq = 1; seq <= 5; seq++) append(seq);
    const first = compact();
    append(6);
    append(7);
    await first;
    append(8);
    const second = compact();
    append(9);
    await second;
    append(10);
    await store.close();
  } catch (error) {
    // A real crash ends the process: nothing after it runs, whatever the error looked like.
    if (!(error instanceof SimulatedCrash) && !(error as Error).cause) throw error;
    let cause: unknown = error;
    while (cause !== undefined && !(cause instanceof SimulatedCrash)) {
      cause = (cause as Error).cause;
    }
    expect(cause).toBeInstanceOf(SimulatedCrash);
  }
  return { acked, attempted, steps: steps() };
}

async function restored(path: string): Promise<{ seqs: number[]; problems: readonly string[] }> {
  const store = createJournalStore({ path });
  const contents = await store.load();
  const base = (contents.snapshot as Snapshot | undefined)?.seqs ?? [];
  // The recovered store keeps working: one more entry, then a clean reopen.
  store.append(recordEntry(1_000));
  await store.close();
  const again = createJournalStore({ path });
  const next = await again.load();
  const nextBase = (next.snapshot as Snapshot | undefined)?.seqs ?? [];
  expect([...nextBase, ...seqs(next.entries as JournalEntry[])]).toEqual([
    ...base,
    ...seqs(contents.entries),
    1_000,
  ]);
  expect(next.problems).toEqual([]);
  await again.close();
  return { seqs: [...base, ...seqs(contents.entries)], problems: contents.problems };
}

describe.each<FsyncPolicy>(['always', 'interval'])(
  'a crash at every file-system step (fsync %s)',
  (fsync) => {
    it('never loses or duplicates an acknowledged entry and leaves no temporary file behind', async () => {
      const full = await scenario(journalPath(), Number.POSITIVE_INFINITY, fsync);
      expect(full.acked).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(full.steps).toBeGreaterThan(20);

      for (let survive = 0; survive < full.steps; survive++) {
        const path = journalPath();
        const { acked, attempted } = await scenario(path, survive, fsync);
        const after = await restored(path);
        // An entry whose write landed but whose sync "crashed" was never acknowledged: it may or
        // may not be there, but nothing else may differ.
        const expected =
          after.seqs.length === acked.length + 1 && attempted !== undefined
            ? [...acked, attempted]
            : acked;
        expect(after.seqs, `crash after ${survive} steps`).toEqual(expected);
        expect(after.problems, `crash after ${survive} steps`).toEqual([]);
        expect(existsSync(`${path}.snapshot.tmp`)).toBe(false);
        expect(existsSync(`${path}.compact.tmp`)).toBe(false);
      }
    });
  },
);
