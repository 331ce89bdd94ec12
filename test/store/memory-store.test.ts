import { describe, expect, it } from 'vitest';
import { isKernelError } from '../../src/errors.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { recordEntry, seqs } from './store-fixture.js';

describe('memory store', () => {
  it('returns what was appended, in order, when loaded again after close', async () => {
    const store = createMemoryStore();
    expect(await store.load()).toEqual({ snapshot: undefined, entries: [], problems: [] });
    for (let i = 1; i <= 4; i++) store.append(recordEntry(i));
    expect(store.pending).toBe(4);
    await store.close();
    expect(seqs((await store.load()).entries)).toEqual([1, 2, 3, 4]);
  });

  it('keeps a copy of the snapshot and only the entries after it', async () => {
    const store = createMemoryStore();
    await store.load();
    store.append(recordEntry(1));
    const state = { agents: ['a1'] };
    await store.compact(state);
    state.agents.push('changed later');
    store.append(recordEntry(2));
    expect(store.pending).toBe(1);
    await store.close();
    const contents = await store.load();
    expect(contents.snapshot).toEqual({ agents: ['a1'] });
    expect(seqs(contents.entries)).toEqual([2]);
  });

  it('hands out a list the caller cannot use to change what it holds', async () => {
    const store = createMemoryStore();
    await store.load();
    store.append(recordEntry(1));
    await store.close();
    const first = await store.load();
    (first.entries as unknown[]).length = 0;
    await store.close();
    expect(seqs((await store.load()).entries)).toEqual([1]);
  });

  it('refuses appends before load (NOT_READY) and after close (STORE_FAILED)', async () => {
    const store = createMemoryStore();
    expect(() => store.append(recordEntry(1))).toThrow(
      expect.objectContaining({ code: 'NOT_READY' }),
    );
    await store.load();
    await store.close();
    await store.close();
    expect(() => store.append(recordEntry(1))).toThrow(
      expect.objectContaining({ code: 'STORE_FAILED' }),
    );
    await expect(store.compact({})).rejects.toMatchObject({ code: 'STORE_FAILED' });
  });

  it('refuses a second load while open and a snapshot it cannot copy', async () => {
    const store = createMemoryStore();
    await store.load();
    const again = await store.load().catch((e: unknown) => e);
    expect(isKernelError(again, 'STORE_FAILED')).toBe(true);
    await expect(store.compact({ fn: () => 1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
