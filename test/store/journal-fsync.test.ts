import { describe, expect, it } from 'vitest';
import { createJournalStore } from '../../src/store/journal-store.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { countingFs, journalPath, recordEntry, seqs } from './store-fixture.js';

async function opened(fsync: 'always' | 'interval' | 'never', intervalMs = 100) {
  const clock = new FakeClock();
  const { fs, counts, times } = countingFs(() => clock.now());
  const path = journalPath();
  const store = createJournalStore({ path, fsync, intervalMs, clock, fs });
  await store.load();
  // load syncs the directory (and a truncated tail): count only what appends cause.
  counts.fdatasync = 0;
  counts.fsync = 0;
  times.length = 0;
  return { store, clock, counts, times, path };
}

describe('journal fsync policies', () => {
  it("'always' syncs the file once per append, before append returns", async () => {
    const { store, counts } = await opened('always');
    for (let i = 1; i <= 25; i++) {
      store.append(recordEntry(i));
      expect(counts.fdatasync).toBe(i);
    }
    await store.close();
    expect(counts.fdatasync).toBe(25);
  });

  it("'interval' syncs at most once per interval however many entries arrive", async () => {
    const { store, clock, counts, times } = await opened('interval', 100);
    let seq = 0;
    // Two appends every 7 ms for 1.4 s: 400 appends, 14 intervals.
    for (let tick = 0; tick < 200; tick++) {
      store.append(recordEntry(++seq));
      store.append(recordEntry(++seq));
      clock.advance(7);
    }
    expect(counts.fdatasync).toBeGreaterThanOrEqual(13);
    expect(counts.fdatasync).toBeLessThanOrEqual(14);
    for (let i = 1; i < times.length; i++) {
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(100);
    }
    await store.close();
  });

  it("'interval' syncs an append within one interval, and not before", async () => {
    const { store, clock, counts } = await opened('interval', 250);
    store.append(recordEntry(1));
    clock.advance(249);
    expect(counts.fdatasync).toBe(0);
    clock.advance(1);
    expect(counts.fdatasync).toBe(1);
  });

  it("'interval' does not sync or keep a timer while idle", async () => {
    const { store, clock, counts } = await opened('interval', 100);
    store.append(recordEntry(1));
    clock.advance(100);
    expect(counts.fdatasync).toBe(1);
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    expect(counts.fdatasync).toBe(1);
    await store.close();
    expect(counts.fdatasync).toBe(1);
  });

  it("'interval' syncs what is unsynced on close and cancels its timer", async () => {
    const { store, clock, counts, path } = await opened('interval', 100);
    store.append(recordEntry(1));
    store.append(recordEntry(2));
    expect(clock.pending).toBe(1);
    await store.close();
    expect(counts.fdatasync).toBe(1);
    expect(clock.pending).toBe(0);
    const reopened = createJournalStore({ path });
    expect(seqs((await reopened.load()).entries)).toEqual([1, 2]);
    await reopened.close();
  });

  it("'interval' reports a failed timed sync on the next append", async () => {
    const clock = new FakeClock();
    const { fs } = countingFs();
    let fail = false;
    const store = createJournalStore({
      path: journalPath(),
      fsync: 'interval',
      clock,
      fs: {
        ...fs,
        fdatasyncSync: (fd) => {
          if (fail) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
          fs.fdatasyncSync(fd);
        },
      },
    });
    await store.load();
    store.append(recordEntry(1));
    fail = true;
    clock.advance(100);
    expect(() => store.append(recordEntry(2))).toThrow(
      expect.objectContaining({ code: 'STORE_FAILED' }),
    );
    await expect(store.close()).rejects.toMatchObject({ code: 'STORE_FAILED' });
  });

  it("'never' leaves syncing to the OS, even on close", async () => {
    const { store, clock, counts } = await opened('never');
    for (let i = 1; i <= 50; i++) store.append(recordEntry(i));
    clock.advance(10_000);
    await store.close();
    expect(counts.fdatasync + counts.fsync).toBe(0);
  });
});
