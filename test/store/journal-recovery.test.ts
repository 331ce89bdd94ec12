import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeJournalLine } from '../../src/store/journal-format.js';
import { createJournalStore } from '../../src/store/journal-store.js';
import { journalPath, recordEntry, seqs } from './store-fixture.js';

/** A journal holding records 1..n, closed cleanly; returns its path and size. */
async function journalOf(n: number): Promise<{ path: string; size: number }> {
  const path = journalPath();
  const store = createJournalStore({ path, fsync: 'never' });
  await store.load();
  for (let i = 1; i <= n; i++) store.append(recordEntry(i));
  await store.close();
  return { path, size: statSync(path).size };
}

function line(n: number, seq = n): string {
  return encodeJournalLine(n, JSON.stringify(recordEntry(seq)));
}

async function reload(path: string) {
  const store = createJournalStore({ path });
  const contents = await store.load();
  return { store, contents };
}

const TORN_TAILS: Array<[string, string | Buffer]> = [
  ['half a line without a newline', line(6).slice(0, 40)],
  ['only the entry number', '6'],
  ['a full line missing its newline', line(6).slice(0, -1)],
  ['zero bytes from a preallocated block', Buffer.alloc(300)],
  ['a line with a bad checksum', line(6).replace(/^6 ......../, '6 00000000')],
  ['a line with a valid checksum over bad JSON', encodeJournalLine(6, '{"t":"record","rec')],
  ['a damaged line followed by a torn one', `${line(6).replace('"seq":6', '"seq":9')}7 abc`],
];

describe('journal recovery', () => {
  it.each(TORN_TAILS)(
    'reports and truncates a torn tail (%s), keeping every earlier entry',
    async (_name, tail) => {
      const { path, size } = await journalOf(5);
      appendFileSync(path, tail);
      const { store, contents } = await reload(path);
      expect(seqs(contents.entries)).toEqual([1, 2, 3, 4, 5]);
      expect(contents.problems.length).toBeGreaterThanOrEqual(1);
      expect(contents.problems[0]).toContain(`at byte ${size}`);
      for (const problem of contents.problems) {
        expect(problem).toContain(path);
        expect(problem).toContain(`truncated the journal to ${size} bytes`);
      }
      expect(statSync(path).size).toBe(size);

      // Appending continues on a clean line; the next start finds no problem.
      store.append(recordEntry(6));
      await store.close();
      const again = await reload(path);
      expect(seqs(again.contents.entries)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(again.contents.problems).toEqual([]);
      await again.store.close();
    },
  );

  it('numbers new entries after the highest good one, whatever the torn tail claimed', async () => {
    const { path } = await journalOf(3);
    appendFileSync(path, '99 deadbeef {"t":"rec');
    const { store } = await reload(path);
    store.append(recordEntry(4));
    await store.close();
    expect(readFileSync(path, 'utf8').split('\n')[3]).toMatch(/^4 /);
  });

  it('skips a corrupt line in the middle and keeps the lines after it', async () => {
    const { path } = await journalOf(6);
    const lines = readFileSync(path, 'utf8').split('\n');
    const offset = Buffer.byteLength(lines.slice(0, 2).join('\n')) + 1;
    lines[2] = (lines[2] as string).replace('"inputTokens":103', '"inputTokens":903');
    writeFileSync(path, lines.join('\n'));
    const size = statSync(path).size;

    const { store, contents } = await reload(path);
    expect(seqs(contents.entries)).toEqual([1, 2, 4, 5, 6]);
    expect(contents.problems).toEqual([
      `${path}: checksum mismatch at byte ${offset} (entry 3); skipped, later entries kept`,
    ]);
    // A bad line followed by good ones is not a tail: nothing is truncated.
    expect(statSync(path).size).toBe(size);
    store.append(recordEntry(7));
    await store.close();
    const again = await reload(path);
    expect(seqs(again.contents.entries)).toEqual([1, 2, 4, 5, 6, 7]);
    await again.store.close();
  });

  it('skips a line whose entry number does not increase', async () => {
    const { path } = await journalOf(3);
    appendFileSync(path, line(2, 99) + line(4));
    const { store, contents } = await reload(path);
    expect(seqs(contents.entries)).toEqual([1, 2, 3, 4]);
    expect(contents.problems).toHaveLength(1);
    expect(contents.problems[0]).toContain('entry number not above 3');
    await store.close();
  });

  it('skips a well-framed line that is not a journal entry', async () => {
    const { path } = await journalOf(2);
    appendFileSync(path, encodeJournalLine(3, '{"t":"teleport"}') + line(4));
    const { store, contents } = await reload(path);
    expect(seqs(contents.entries)).toEqual([1, 2, 4]);
    expect(contents.problems[0]).toContain('not a journal entry');
    await store.close();
  });

  it('reports entries missing between good lines when no bad line explains it', async () => {
    const path = journalPath();
    writeFileSync(path, line(1) + line(2) + line(5));
    const { store, contents } = await reload(path);
    expect(seqs(contents.entries)).toEqual([1, 2, 5]);
    expect(contents.problems).toEqual([
      expect.stringContaining(`${path}: entries 3 to 4 are missing`),
    ]);
    await store.close();
  });

  it('reads lines longer than its read chunk and lines across chunk borders', async () => {
    const path = journalPath();
    const store = createJournalStore({ path, fsync: 'never' });
    await store.load();
    const big = 'x'.repeat(3 << 20);
    store.append({ t: 'stop', time: 1, id: 'a1', reason: big });
    for (let i = 2; i <= 20_000; i++) store.append(recordEntry(i));
    await store.close();
    const { store: again, contents } = await reload(path);
    expect(contents.problems).toEqual([]);
    expect(contents.entries).toHaveLength(20_000);
    expect(contents.entries[0]).toEqual({ t: 'stop', time: 1, id: 'a1', reason: big });
    expect(seqs(contents.entries)).toEqual(Array.from({ length: 19_999 }, (_, i) => i + 2));
    await again.close();
  });

  it('treats an empty or missing journal as no entries', async () => {
    const path = journalPath();
    writeFileSync(path, '');
    const { store, contents } = await reload(path);
    expect(contents).toEqual({ snapshot: undefined, entries: [], problems: [] });
    await store.close();
  });
});
