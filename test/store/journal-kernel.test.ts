import { appendFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../src/kernel/kernel.js';
import type { KernelOptions } from '../../src/kernel/kernel-options.js';
import { createJournalStore } from '../../src/store/journal-store.js';
import type { LedgerStore } from '../../src/store/ledger-store.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { TEST_PRICES } from '../helpers/kernel-fixture.js';
import { journalPath } from './store-fixture.js';

function options(clock: FakeClock, store: LedgerStore): KernelOptions {
  return {
    totalBudget: 100_000,
    clock,
    prices: TEST_PRICES,
    limits: [{ scope: 'user', period: 'day', tokens: 50_000 }],
    store,
  };
}

/** Drives a kernel through every journaled kind of change. */
function work(kernel: Kernel, clock: FakeClock): void {
  const lead = kernel.spawn({
    id: 'lead',
    priority: 'high',
    maxTokens: 30_000,
    userId: 'u1',
    task: 't1',
    model: 'test-small',
  });
  const child = lead.spawn({ id: 'lead.child', maxTokens: 5_000 });
  const side = kernel.spawn({ id: 'side', maxTokens: 10_000, userId: 'u2', model: 'test-large' });
  lead.record({ inputTokens: 1_200, outputTokens: 300 });
  clock.advance(1_000);
  child.record({ inputTokens: 400, outputTokens: 90 });
  const r = side.reserve({ inputTokens: 2_000, maxOutputTokens: 500 });
  r.commit({ inputTokens: 2_000, outputTokens: 120, cacheReadTokens: 500 });
  kernel.grant('side', 2_000);
  kernel.stop('side', 'manual hold');
  kernel.setDowngrade('lead');
  child.release();
  kernel.spawn({ id: 'doomed', maxTokens: 4_000, model: 'test-small' }).record({
    inputTokens: 100,
    outputTokens: 10,
  });
  clock.advance(60_000);
  void kernel.kill('doomed', 'runaway');
  kernel.replenish(7_000);
  kernel.resume('side', 'manual hold');
  lead.record({ inputTokens: 50, outputTokens: 5 });
}

function observed(kernel: Kernel) {
  return {
    status: kernel.status(),
    records: kernel.records(),
    byAgent: kernel.usage({ by: 'agent' }),
    byUser: kernel.usage({ by: 'user' }),
    byModel: kernel.usage({ by: 'model' }),
  };
}

describe.each([
  ['journal store', () => createJournalStore({ path: journalPath(), fsync: 'never' })],
  ['memory store', () => createMemoryStore()],
])('a kernel restarted on its %s', (_name, makeStore) => {
  it('restores the pool, the live agents with their windows, the limits and the ledger', async () => {
    const clock = new FakeClock();
    const store = makeStore();
    const first = createKernel(options(clock, store));
    await first.ready;
    work(first, clock);
    const before = observed(first);
    await first.close();

    // A journal store is reopened by path, as after a process restart.
    const again = 'path' in store ? createJournalStore({ path: store.path }) : store;
    const second = createKernel(options(clock, again));
    await second.ready;
    expect(observed(second)).toEqual(before);

    // It carries on where the first left off.
    const next = second.agent('lead').record({ inputTokens: 10, outputTokens: 1 });
    expect(next.seq).toBe(before.records.length + 1);
    await second.close();
  });
});

describe('a kernel on a journal with a torn tail', () => {
  it('starts from the good entries and reports the problem as a warning', async () => {
    const clock = new FakeClock();
    const path = journalPath();
    const first = createKernel(options(clock, createJournalStore({ path })));
    await first.ready;
    work(first, clock);
    const before = observed(first);
    await first.close();
    appendFileSync(path, '42 0badf00d {"t":"record","rec');

    const second = createKernel(options(clock, createJournalStore({ path })));
    const warnings: string[] = [];
    second.on('warning', (w) => warnings.push(w.message));
    await second.ready;
    expect(observed(second)).toEqual(before);
    expect(warnings).toEqual([expect.stringContaining('torn line without a newline')]);
    await second.close();
  });
});
