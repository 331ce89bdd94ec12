import * as fs from 'node:fs';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeJournalLine } from '../../src/store/journal-format.js';
import { createJournalStore, type JournalStore } from '../../src/store/journal-store.js';
import { journalPath, recordEntry, seqs } from './store-fixture.js';

async function openStore(path: string, count = 0): Promise<JournalStore> {
  const store = createJournalStore({ path, fsync: 'always' });
  await store.load();
  for (let i = 1; i <= count; i++) store.append(recordEntry(i));
  return store;
}

function line(n: number): string {
  return encodeJournalLine(n, JSON.stringify(recordEntry(n)));
}

async function contentsOf(path: string) {
  const store = createJournalStore({ path });
  const contents = await store.load();
  await store.close();
  return contents;
}

describe('journal compaction', () => {
  it('replaces the journal by a snapshot that load returns, with only later entries after it', async () => {
    const path = journalPath();
    const store = await openStore(path, 10);
    const sizeBefore = statSync(path).size;
    await store.compact({ upTo: 10, agents: ['a1'] });
    expect(store.pending).toBe(0);
    expect(statSync(path).size).toBe(0);
    store.append(recordEntry(11));
    expect(store.pending).toBe(1);
    await store.close();

    expect(statSync(path).size).toBeLessThan(sizeBefore);
    const contents = await contentsOf(path);
    expect(contents.snapshot).toEqual({ upTo: 10, agents: ['a1'] });
    expect(seqs(contents.entries)).toEqual([11]);
    expect(contents.problems).toEqual([]);
    expect(existsSync(`${path}.snapshot.tmp`)).toBe(false);
    expect(existsSync(`${path}.compact.tmp`)).toBe(false);
  });

  it('keeps entries appended while a compaction is writing its snapshot', async () => {
    const path = journalPath();
    const store = await openStore(path, 10);
    const done = store.compact({ upTo: 10 });
    for (let i = 11; i <= 15; i++) store.append(recordEntry(i));
    await done;
    expect(store.pending).toBe(5);
    store.append(recordEntry(16));
    await store.close();
    const contents = await contentsOf(path);
    expect(contents.snapshot).toEqual({ upTo: 10 });
    expect(seqs(contents.entries)).toEqual([11, 12, 13, 14, 15, 16]);
  });

  it('runs overlapping compactions one after the other, the later snapshot winning', async () => {
    const path = journalPath();
    const store = await openStore(path, 4);
    const first = store.compact({ upTo: 4 });
    store.append(recordEntry(5));
    store.append(recordEntry(6));
    const second = store.compact({ upTo: 6 });
    store.append(recordEntry(7));
    await Promise.all([first, second]);
    expect(store.pending).toBe(1);
    await store.close();
    const contents = await contentsOf(path);
    expect(contents.snapshot).toEqual({ upTo: 6 });
    expect(seqs(contents.entries)).toEqual([7]);
  });

  it('lets close wait for a running compaction', async () => {
    const path = journalPath();
    const store = await openStore(path, 3);
    const done = store.compact({ upTo: 3 });
    store.append(recordEntry(4));
    await store.close();
    await done;
    const contents = await contentsOf(path);
    expect(contents.snapshot).toEqual({ upTo: 3 });
    expect(seqs(contents.entries)).toEqual([4]);
  });

  it('takes the snapshot value at the call, not when it is written', async () => {
    const path = journalPath();
    const store = await openStore(path, 1);
    const state = { upTo: 1 };
    const done = store.compact(state);
    state.upTo = 99;
    await done;
    await store.close();
    expect((await contentsOf(path)).snapshot).toEqual({ upTo: 1 });
  });

  it.each([
    ['undefined', undefined],
    ['a BigInt', { n: 1n }],
    [
      'a cycle',
      (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      })(),
    ],
  ])('rejects a snapshot that is %s with INVALID_ARGUMENT', async (_name, snapshot) => {
    const store = await openStore(journalPath(), 1);
    await expect(store.compact(snapshot)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await store.close();
  });

  it('refuses to load a damaged snapshot rather than start from a partial state', async () => {
    const path = journalPath();
    const store = await openStore(path, 3);
    await store.compact({ upTo: 3 });
    await store.close();
    writeFileSync(`${path}.snapshot`, readFileSync(`${path}.snapshot`, 'utf8').replace('3}', '4}'));
    const error = await createJournalStore({ path })
      .load()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORE_FAILED' });
    expect((error as Error).message).toContain(`${path}.snapshot`);
  });

  it('keeps the old snapshot and journal when writing a snapshot fails, and keeps appending', async () => {
    const path = journalPath();
    let fail = false;
    const store = createJournalStore({
      path,
      fs: {
        ...fs,
        promises: {
          ...fs.promises,
          open: ((...args: Parameters<typeof fs.promises.open>) =>
            fail
              ? Promise.reject(Object.assign(new Error('ENOSPC: no space'), { code: 'ENOSPC' }))
              : fs.promises.open(...args)) as typeof fs.promises.open,
        },
      },
    });
    await store.load();
    store.append(recordEntry(1));
    await store.compact({ upTo: 1 });
    store.append(recordEntry(2));
    fail = true;
    await expect(store.compact({ upTo: 2 })).rejects.toMatchObject({
      code: 'STORE_FAILED',
      cause: { code: 'ENOSPC' },
    });
    store.append(recordEntry(3));
    await store.close();
    const contents = await contentsOf(path);
    expect(contents.snapshot).toEqual({ upTo: 1 });
    expect(seqs(contents.entries)).toEqual([2, 3]);
  });

  describe('crash states on disk', () => {
    it('ignores and removes a half-written snapshot.tmp (crash while writing the snapshot)', async () => {
      const path = journalPath();
      const store = await openStore(path, 2);
      await store.compact({ upTo: 2 });
      store.append(recordEntry(3));
      store.append(recordEntry(4));
      await store.close();
      writeFileSync(`${path}.snapshot.tmp`, encodeJournalLine(4, '{"upTo":4}').slice(0, 9));

      const contents = await contentsOf(path);
      expect(contents.snapshot).toEqual({ upTo: 2 });
      expect(seqs(contents.entries)).toEqual([3, 4]);
      expect(contents.problems).toEqual([]);
      expect(existsSync(`${path}.snapshot.tmp`)).toBe(false);
    });

    it('skips entries the new snapshot covers (crash after the rename, before the new journal)', async () => {
      const path = journalPath();
      writeFileSync(path, [1, 2, 3, 4, 5, 6].map(line).join(''));
      writeFileSync(`${path}.snapshot`, encodeJournalLine(4, '{"upTo":4}'));
      const contents = await contentsOf(path);
      expect(contents.snapshot).toEqual({ upTo: 4 });
      expect(seqs(contents.entries)).toEqual([5, 6]);
      expect(contents.problems).toEqual([]);

      // The numbering continues after the journal's last entry, and `pending` counts 5 and 6.
      const store = createJournalStore({ path });
      await store.load();
      expect(store.pending).toBe(2);
      store.append(recordEntry(7));
      await store.close();
      expect(readFileSync(path, 'utf8').trimEnd().split('\n').at(-1)).toMatch(/^7 /);
    });

    it('ignores and removes a compact.tmp (crash while writing the new journal)', async () => {
      const path = journalPath();
      writeFileSync(path, [1, 2, 3, 4, 5].map(line).join(''));
      writeFileSync(`${path}.snapshot`, encodeJournalLine(3, '{"upTo":3}'));
      writeFileSync(`${path}.compact.tmp`, line(4) + line(5).slice(0, 10));
      const contents = await contentsOf(path);
      expect(seqs(contents.entries)).toEqual([4, 5]);
      expect(contents.problems).toEqual([]);
      expect(existsSync(`${path}.compact.tmp`)).toBe(false);
    });

    it('continues numbering after the snapshot when the new journal is empty', async () => {
      const path = journalPath();
      writeFileSync(path, '');
      writeFileSync(`${path}.snapshot`, encodeJournalLine(40, '{"upTo":40}'));
      const store = createJournalStore({ path });
      expect((await store.load()).snapshot).toEqual({ upTo: 40 });
      expect(store.pending).toBe(0);
      store.append(recordEntry(41));
      await store.close();
      expect(readFileSync(path, 'utf8')).toMatch(/^41 /);
    });

    it('reports entries missing between the snapshot and the journal', async () => {
      const path = journalPath();
      writeFileSync(path, [8, 9].map(line).join(''));
      writeFileSync(`${path}.snapshot`, encodeJournalLine(5, '{"upTo":5}'));
      const contents = await contentsOf(path);
      expect(seqs(contents.entries)).toEqual([8, 9]);
      expect(contents.problems).toEqual([expect.stringContaining('entries 6 to 7 are missing')]);
    });
  });
});
