import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../src/kernel/kernel.js';
import type { JournalEntry } from '../../src/store/journal-entry.js';
import type { LedgerStore, StoreContents } from '../../src/store/ledger-store.js';
import { makeKernel } from '../helpers/kernel-fixture.js';
import { journalOp, runJournalOps } from './journal-ops.js';

/** A store that keeps entries in an array (JSON round-tripped, as a file would). */
function arrayStore(
  entries: JournalEntry[] = [],
  problems: string[] = [],
): LedgerStore & { entries: JournalEntry[] } {
  return {
    entries,
    async load(): Promise<StoreContents> {
      return {
        snapshot: undefined,
        entries: entries.map((e) => JSON.parse(JSON.stringify(e)) as JournalEntry),
        problems,
      };
    },
    append(entry) {
      entries.push(JSON.parse(JSON.stringify(entry)) as JournalEntry);
    },
    async compact() {
      throw new Error('not used');
    },
    get pending() {
      return entries.length;
    },
    async close() {},
  };
}

/** Everything a restored kernel must reproduce. */
function image(kernel: Kernel): unknown {
  const { time: _time, ...status } = kernel.status();
  return {
    status,
    usage: (['agent', 'task', 'user', 'session', 'model'] as const).map((by) =>
      kernel.usage({ by, period: 'lifetime' }),
    ),
    day: kernel.usage({ by: 'user', period: 'day' }),
    records: kernel.records(),
    states: kernel.agents().map((a) => [a.id, a.state, a.stopCauses]),
  };
}

const LIMITS = [
  { scope: 'user' as const, period: 'day' as const, tokens: 8_000 },
  { scope: 'agent' as const, id: 'b', tokens: 3_000 },
];

describe('journal replay', () => {
  it('restores the ledger, the pool, live agents with their windows, stops and limit counters', async () => {
    const store = arrayStore();
    const { kernel, clock } = makeKernel({ totalBudget: 30_000, limits: LIMITS, store });
    await kernel.ready;
    const a = kernel.spawn({
      id: 'a',
      maxTokens: 10_000,
      model: 'test-small',
      userId: 'u1',
      task: 't',
    });
    const b = a.spawn({ id: 'b', maxTokens: 4_000 });
    kernel.spawn({
      id: 'c',
      priority: 'low',
      maxTokens: 15_000,
      model: 'test-large',
      userId: 'u2',
    });
    kernel.spawn({ id: 'queued', maxTokens: 9_000, model: 'test-small' });
    a.reserve({ inputTokens: 500, maxOutputTokens: 100 }).commit({
      inputTokens: 400,
      outputTokens: 90,
      cacheReadTokens: 100,
    });
    b.record({ inputTokens: 3_000, outputTokens: 10 });
    kernel.grant('a', 1_000);
    kernel.stop('c', 'maintenance');
    kernel.setDowngrade('a');
    clock.advance(3_600_000);
    kernel.agent('c').record({ inputTokens: 700, outputTokens: 50 });
    b.release();
    await kernel.kill('c');
    kernel.replenish(2_000);
    // Reservations are not journaled: one open at the crash holds nothing after the restart.
    const open = a.reserve({ inputTokens: 100, maxOutputTokens: 100 });
    const { kernel: midway, clock: midwayClock } = makeKernel({
      totalBudget: 30_000,
      limits: LIMITS,
      store: arrayStore([...store.entries]),
    });
    midwayClock.set(clock.now());
    await midway.ready;
    expect(midway.status().reservations).toBe(0);
    expect(midway.status().agents['a']).toMatchObject({ reserved: 0 });
    open.cancel();
    const before = image(kernel);

    const { kernel: restored, clock: restoredClock } = makeKernel({
      totalBudget: 30_000,
      limits: LIMITS,
      store: arrayStore([...store.entries]),
    });
    restoredClock.set(clock.now());
    expect(() => restored.spawn({ id: 'x' })).toThrow(
      expect.objectContaining({ code: 'NOT_READY' }),
    );
    expect(() => restored.agent('a')).toThrow(expect.objectContaining({ code: 'NOT_READY' }));
    await restored.ready;
    expect(image(restored)).toEqual(before);
    expect(restored.agent('a').state).toBe(kernel.agent('a').state);
    expect(restored.status().agents['a']).toMatchObject({ downgraded: true });
    await Promise.all([kernel.close(), restored.close(), midway.close()]);
  });

  it('replays the same state for random operation sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(journalOp, { maxLength: 40 }), async (ops) => {
        const store = arrayStore();
        const { kernel, clock } = makeKernel({ totalBudget: 40_000, limits: LIMITS, store });
        await kernel.ready;
        await runJournalOps(kernel, clock, ops);
        const { kernel: restored, clock: restoredClock } = makeKernel({
          totalBudget: 40_000,
          limits: LIMITS,
          store: arrayStore([...store.entries]),
        });
        // A restart happens later in time: the restored kernel lives at the original's now.
        restoredClock.set(clock.now());
        await restored.ready;
        expect(image(restored)).toEqual(image(kernel));
        await Promise.all([kernel.close(), restored.close()]);
      }),
      { numRuns: 60 },
    );
  });

  it('reports what the store skipped as warnings once ready', async () => {
    const { kernel } = makeKernel({ store: arrayStore([], ['line 7: bad checksum, skipped']) });
    const warnings: string[] = [];
    kernel.on('warning', (w) => warnings.push(w.message));
    await kernel.ready;
    expect(warnings).toEqual(['store: line 7: bad checksum, skipped']);
  });
});

describe('a failing store', () => {
  it('refuses the record that could not be journaled, leaves state unchanged, then fails closed', async () => {
    const store = arrayStore();
    let broken = false;
    const append = store.append.bind(store);
    store.append = (entry) => {
      if (broken)
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'STORE_FAILED' });
      append(entry);
    };
    const { kernel } = makeKernel({ store });
    await kernel.ready;
    const a = kernel.spawn({ id: 'a', maxTokens: 10_000, model: 'test-small' });
    a.record({ inputTokens: 100, outputTokens: 10 });
    const before = JSON.stringify(kernel.status());
    broken = true;
    expect(() => a.record({ inputTokens: 500, outputTokens: 10 })).toThrow('ENOSPC');
    broken = false;
    expect(() => kernel.status()).not.toThrow();
    expect(JSON.stringify({ ...kernel.status(), time: JSON.parse(before).time })).toBe(before);
    expect(kernel.records()).toHaveLength(1);
    expect(() => a.record({ inputTokens: 1, outputTokens: 1 })).toThrow(
      expect.objectContaining({ code: 'STORE_FAILED' }),
    );
    expect(() => kernel.spawn({ id: 'b' })).toThrow(
      expect.objectContaining({ code: 'STORE_FAILED' }),
    );
    await kernel.close();
  });
});

describe('journal compaction', () => {
  /** An array store that keeps the latest snapshot and the entries after it. */
  function compactingStore(): LedgerStore & {
    snapshot: unknown;
    entries: JournalEntry[];
    compactions: number;
  } {
    const store = {
      snapshot: undefined as unknown,
      entries: [] as JournalEntry[],
      compactions: 0,
      async load(): Promise<StoreContents> {
        return {
          snapshot:
            store.snapshot === undefined ? undefined : JSON.parse(JSON.stringify(store.snapshot)),
          entries: store.entries.map((e) => JSON.parse(JSON.stringify(e)) as JournalEntry),
          problems: [],
        };
      },
      append(entry: JournalEntry) {
        store.entries.push(JSON.parse(JSON.stringify(entry)) as JournalEntry);
      },
      async compact(snapshot: unknown) {
        store.snapshot = JSON.parse(JSON.stringify(snapshot));
        store.entries = [];
        store.compactions++;
      },
      get pending() {
        return store.entries.length;
      },
      async close() {},
    };
    return store;
  }

  it('restores from snapshot + later entries exactly what a full replay would', async () => {
    let compactions = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(journalOp, { minLength: 10, maxLength: 40 }), async (ops) => {
        const store = compactingStore();
        const { kernel, clock } = makeKernel({
          totalBudget: 40_000,
          limits: LIMITS,
          store,
          compactEvery: 3,
          warnThresholds: [0.5],
        });
        await kernel.ready;
        await runJournalOps(kernel, clock, ops);
        compactions += store.compactions;
        const restarted = Object.assign(compactingStore(), {
          snapshot: store.snapshot,
          entries: [...store.entries],
        });
        const again = makeKernel({
          totalBudget: 40_000,
          limits: LIMITS,
          store: restarted,
          compactEvery: 1_000_000,
          warnThresholds: [0.5],
        });
        again.clock.set(clock.now());
        await again.kernel.ready;
        expect(image(again.kernel)).toEqual(image(kernel));
        await Promise.all([kernel.close(), again.kernel.close()]);
      }),
      { numRuns: 300 },
    );
    // The property is about compaction: most runs must have compacted, some several times.
    expect(compactions).toBeGreaterThan(20);
  });
});

describe('compaction with the journal file store', () => {
  it('restarts from the snapshot file and the entries after it', async () => {
    const { existsSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createJournalStore } = await import('../../src/store/journal-store.js');
    const dir = mkdtempSync(join(tmpdir(), 'tk-compact-'));
    try {
      const path = join(dir, 'kernel.journal');
      const first = makeKernel({
        totalBudget: 40_000,
        limits: LIMITS,
        store: createJournalStore({ path }),
        compactEvery: 5,
      });
      await first.kernel.ready;
      const a = first.kernel.spawn({
        id: 'a',
        maxTokens: 10_000,
        model: 'test-small',
        userId: 'u1',
      });
      for (let i = 0; i < 23; i++) {
        a.record({ inputTokens: 100 + i, outputTokens: 10 });
        await new Promise((r) => setImmediate(r));
      }
      first.kernel.stop('a', 'paused');
      const before = image(first.kernel);
      await first.kernel.close();
      expect(existsSync(`${path}.snapshot`)).toBe(true);
      const second = makeKernel({
        totalBudget: 40_000,
        limits: LIMITS,
        store: createJournalStore({ path }),
      });
      second.clock.set(first.clock.now());
      await second.kernel.ready;
      expect(image(second.kernel)).toEqual(before);
      await second.kernel.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
