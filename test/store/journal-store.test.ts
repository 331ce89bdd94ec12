import * as fs from 'node:fs';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KernelError, isKernelError } from '../../src/errors.js';
import type { JournalEntry } from '../../src/store/journal-entry.js';
import type { JournalFs } from '../../src/store/journal-fs.js';
import { createJournalStore } from '../../src/store/journal-store.js';
import { journalPath, recordEntry, seqs } from './store-fixture.js';

const MIXED: JournalEntry[] = [
  { t: 'spawn', time: 1, options: { id: 'a1', task: 'q1', priority: 'high', maxTokens: 5_000 } },
  { t: 'spawn', time: 2, parent: 'a1', options: { id: 'a1.1', labels: { team: 'ü' } } },
  recordEntry(1),
  { t: 'grant', time: 3, id: 'a1', tokens: 1_000 },
  { t: 'replenish', time: 4, tokens: 20_000 },
  { t: 'stop', time: 5, id: 'a1', reason: 'manual' },
  { t: 'resume', time: 6, id: 'a1', reason: 'manual' },
  { t: 'downgrade', time: 7, id: 'a1', on: true },
  { t: 'release', time: 8, id: 'a1.1', final: 'killed', reason: 'runaway' },
];

function thrown(fn: () => unknown): KernelError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KernelError);
    return error as KernelError;
  }
  throw new Error('expected a KernelError');
}

describe('journal store', () => {
  it('returns every appended entry, in order, after a reopen', async () => {
    const path = journalPath();
    const first = createJournalStore({ path });
    expect(await first.load()).toEqual({ snapshot: undefined, entries: [], problems: [] });
    for (const entry of MIXED) first.append(entry);
    expect(first.pending).toBe(MIXED.length);
    await first.close();

    const second = createJournalStore({ path });
    const contents = await second.load();
    expect(contents.entries).toEqual(MIXED);
    expect(contents.problems).toEqual([]);
    expect(second.pending).toBe(MIXED.length);
    await second.close();
  });

  it('continues the entry numbers after a reopen', async () => {
    const path = journalPath();
    const first = createJournalStore({ path });
    await first.load();
    first.append(recordEntry(1));
    first.append(recordEntry(2));
    await first.close();
    const second = createJournalStore({ path });
    await second.load();
    second.append(recordEntry(3));
    await second.close();

    const numbers = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => Number(line.split(' ')[0]));
    expect(numbers).toEqual([1, 2, 3]);
    const third = createJournalStore({ path });
    expect(seqs((await third.load()).entries)).toEqual([1, 2, 3]);
    await third.close();
  });

  it('writes each entry before append returns, without waiting for close', async () => {
    const path = journalPath();
    const store = createJournalStore({ path, fsync: 'never' });
    await store.load();
    store.append(recordEntry(1));
    // A second reader sees it while the writer is still open: nothing is held in user space.
    const reader = createJournalStore({ path: path });
    expect(seqs((await reader.load()).entries)).toEqual([1]);
    await reader.close();
    await store.close();
  });

  it('can be loaded again after close, like a reopened file', async () => {
    const store = createJournalStore({ path: journalPath() });
    await store.load();
    store.append(recordEntry(1));
    await store.close();
    expect(seqs((await store.load()).entries)).toEqual([1]);
    store.append(recordEntry(2));
    await store.close();
    expect(seqs((await store.load()).entries)).toEqual([1, 2]);
    await store.close();
  });

  it('refuses to append before load with NOT_READY', () => {
    const store = createJournalStore({ path: journalPath() });
    expect(thrown(() => store.append(recordEntry(1))).code).toBe('NOT_READY');
  });

  it('refuses to append after close with STORE_FAILED naming the path', async () => {
    const path = journalPath();
    const store = createJournalStore({ path });
    await store.load();
    await store.close();
    const error = thrown(() => store.append(recordEntry(1)));
    expect(error.code).toBe('STORE_FAILED');
    expect(error.message).toContain(path);
    await expect(store.compact({})).rejects.toMatchObject({ code: 'STORE_FAILED' });
  });

  it('closes idempotently', async () => {
    const store = createJournalStore({ path: journalPath() });
    await store.load();
    const a = store.close();
    const b = store.close();
    expect(b).toBe(a);
    await a;
    await store.close();
  });

  it('refuses a second load while open', async () => {
    const store = createJournalStore({ path: journalPath() });
    await store.load();
    await expect(store.load()).rejects.toMatchObject({ code: 'STORE_FAILED' });
    await store.close();
  });

  it('creates the journal file on load', async () => {
    const path = journalPath();
    const store = createJournalStore({ path });
    await store.load();
    expect(statSync(path).size).toBe(0);
    await store.close();
  });

  it('fails to load with STORE_FAILED when the directory does not exist', async () => {
    const path = join(journalPath(), 'missing', 'ledger.journal');
    const error = await createJournalStore({ path })
      .load()
      .catch((e: unknown) => e);
    expect(isKernelError(error, 'STORE_FAILED')).toBe(true);
    expect((error as KernelError).message).toContain(path);
    expect((error as KernelError).cause).toMatchObject({ code: 'ENOENT' });
  });

  it('turns a write error into STORE_FAILED with the path and cause, leaving no partial line', async () => {
    const path = journalPath();
    let failNext = false;
    const faulty: JournalFs = {
      ...fs,
      writeSync: ((fd: number, data: string) => {
        if (!failNext) return fs.writeSync(fd, data);
        // Half the line reaches the file, then the disk fills up.
        fs.writeSync(fd, data.slice(0, data.length >> 1));
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      }) as JournalFs['writeSync'],
    };
    const store = createJournalStore({ path, fs: faulty });
    await store.load();
    store.append(recordEntry(1));
    failNext = true;
    const error = thrown(() => store.append(recordEntry(2)));
    expect(error.code).toBe('STORE_FAILED');
    expect(error.message).toContain(path);
    expect(error.cause).toMatchObject({ code: 'ENOSPC' });
    failNext = false;
    store.append(recordEntry(3));
    await store.close();

    const reopened = createJournalStore({ path });
    const contents = await reopened.load();
    expect(seqs(contents.entries)).toEqual([1, 3]);
    expect(contents.problems).toEqual([]);
    await reopened.close();
  });

  it('completes a short write', async () => {
    const path = journalPath();
    const short: JournalFs = {
      ...fs,
      writeSync: ((fd: number, data: string | Buffer, offset?: number, length?: number) => {
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        const start = offset ?? 0;
        const end = Math.min(start + (length ?? bytes.length), start + 7);
        return fs.writeSync(fd, bytes.subarray(start, end));
      }) as JournalFs['writeSync'],
    };
    const store = createJournalStore({ path, fs: short });
    await store.load();
    for (const entry of MIXED) store.append(entry);
    await store.close();
    const reopened = createJournalStore({ path });
    expect((await reopened.load()).entries).toEqual(MIXED);
    await reopened.close();
  });

  it('refuses every append after a failed sync, since what reached the disk is unknown', async () => {
    const path = journalPath();
    let fail = false;
    const store = createJournalStore({
      path,
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
    expect(thrown(() => store.append(recordEntry(2))).code).toBe('STORE_FAILED');
    fail = false;
    const later = thrown(() => store.append(recordEntry(3)));
    expect(later.code).toBe('STORE_FAILED');
    expect(later.cause).toMatchObject({ code: 'EIO' });
    await expect(store.close()).rejects.toMatchObject({ code: 'STORE_FAILED' });
  });

  describe('options', () => {
    it.each([
      [{ path: '' }, '`path`'],
      [{ path: 42 }, '`path`'],
      [{ path: 'x', fsync: 'sometimes' }, '`fsync`'],
      [{ path: 'x', fsync: 'interval', intervalMs: 0 }, '`intervalMs`'],
      [{ path: 'x', intervalMs: 2.5 }, '`intervalMs`'],
      [{ path: 'x', clock: {} }, '`clock`'],
      [{ path: 'x', fsinc: 'always' }, '`options.fsinc`'],
    ])('rejects %j with INVALID_ARGUMENT naming %s', (options, name) => {
      const error = thrown(() => createJournalStore(options as never));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain(`Expected ${name} to be`);
    });

    it('rejects a missing options object', () => {
      expect(thrown(() => createJournalStore(undefined as never)).code).toBe('INVALID_ARGUMENT');
    });
  });
});
