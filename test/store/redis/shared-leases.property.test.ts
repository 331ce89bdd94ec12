import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GovernedAgent } from '../../../src/agents/governed-agent.js';
import type { Reservation } from '../../../src/agents/reservation.js';
import { createKernel, type Kernel } from '../../../src/kernel/kernel.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { SharedModel, type ModelStore } from './shared-model.js';

const KERNELS = 3;
const LIMIT = 600;
const POOL = 2_500;
const SIZING = {
  minTokens: 100,
  maxTokens: 400,
  minNano: 1,
  maxNano: 1e12,
  maxShare: 0.2,
  horizonMs: 1_000,
};

type Op =
  | { readonly op: 'reserve'; readonly k: number; readonly input: number; readonly output: number }
  | { readonly op: 'commit'; readonly k: number; readonly share: number }
  | {
      readonly op: 'spend';
      readonly k: number;
      readonly input: number;
      readonly output: number;
      readonly share: number;
    }
  | { readonly op: 'cancel'; readonly k: number }
  | { readonly op: 'fund'; readonly k: number }
  | { readonly op: 'flush'; readonly k: number }
  | { readonly op: 'respawn'; readonly k: number }
  | { readonly op: 'run'; readonly n: number };

const k = fc.integer({ min: 0, max: KERNELS - 1 });
const OPS: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        op: fc.constant('spend' as const),
        k,
        input: fc.integer({ min: 1, max: 120 }),
        output: fc.integer({ min: 0, max: 120 }),
        share: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        op: fc.constant('reserve' as const),
        k,
        input: fc.integer({ min: 1, max: 120 }),
        output: fc.integer({ min: 0, max: 120 }),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        op: fc.constant('commit' as const),
        k,
        share: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), k }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('fund' as const), k }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('flush' as const), k }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('respawn' as const), k }) },
    {
      weight: 8,
      arbitrary: fc.record({ op: fc.constant('run' as const), n: fc.integer({ min: 1, max: 4 }) }),
    },
  ),
  { minLength: 40, maxLength: 150 },
);

interface Process {
  readonly kernel: Kernel;
  readonly store: ModelStore;
  agent: GovernedAgent;
  readonly open: Reservation[];
  spawned: number;
}

describe('kernels sharing one limit and one pool through leases (any interleaving of Redis replies)', () => {
  it('never hold or commit more than the shared limit or pool together, and lose no record', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), OPS, async (s, ops) => {
        const clock = new FakeClock();
        const model = new SharedModel(s);
        const processes: Process[] = [];
        for (let i = 0; i < KERNELS; i++) {
          const store = model.store(`p${i}`, SIZING);
          const kernel = createKernel({
            totalBudget: POOL,
            limits: [{ scope: 'org', period: 'day', tokens: LIMIT }],
            prices: { m: { input: 1, output: 2 } },
            clock,
            store,
          });
          await s.waitFor(kernel.ready);
          const agent = kernel.spawn({ id: `a${i}-0`, maxTokens: 1_000, model: 'm' });
          processes.push({ kernel, store, agent, open: [], spawned: 1 });
        }
        let committed = 0;
        let commits = 0;
        const held = (): number =>
          processes.reduce((a, p) => a + p.open.reduce((b, r) => b + r.tokens, 0), 0);
        const check = (): void => {
          // Everything spent or held by all processes together fits the limit and the pool.
          expect(committed + held()).toBeLessThanOrEqual(LIMIT);
          for (const b of model.budgets.values()) {
            expect(b.tt).toBeLessThanOrEqual(b.lt);
            expect(b.ut).toBeLessThanOrEqual(b.tt);
          }
        };

        for (const o of ops) {
          if (o.op === 'run') {
            await s.waitNext(Math.min(o.n, s.count()));
            check();
            continue;
          }
          const p = processes[o.k] as Process;
          switch (o.op) {
            case 'reserve': {
              if (!p.agent.runnable) break;
              const r = p.agent.tryReserve({ inputTokens: o.input, maxOutputTokens: o.output });
              if (r.ok) p.open.push(r.reservation);
              break;
            }
            case 'spend':
            case 'commit': {
              if (o.op === 'spend' && p.agent.runnable) {
                const t = p.agent.tryReserve({ inputTokens: o.input, maxOutputTokens: o.output });
                if (t.ok) p.open.unshift(t.reservation);
                else void p.agent.whenFunded();
              }
              const r = p.open.shift();
              if (r === undefined || r.state !== 'open') break;
              const out = Math.floor(o.share * r.maxOutputTokens);
              r.commit({ inputTokens: r.inputTokens, outputTokens: out });
              committed += r.inputTokens + out;
              commits++;
              break;
            }
            case 'cancel':
              p.open.shift()?.cancel();
              break;
            case 'fund':
              void p.agent.whenFunded();
              break;
            case 'flush':
              void p.store.flush();
              break;
            case 'respawn':
              for (const r of p.open.splice(0)) r.cancel();
              p.agent.release();
              p.agent = p.kernel.spawn({
                id: `a${o.k}-${p.spawned++}`,
                maxTokens: 1_000,
                model: 'm',
              });
              break;
          }
          check();
        }

        for (const p of processes) for (const r of p.open.splice(0)) r.cancel();
        await s.waitFor(Promise.all(processes.map((p) => p.kernel.close())));
        await s.waitIdle();
        expect(model.records.size).toBe(commits);
        const org = [...model.budgets.entries()].find(([id]) => id.startsWith('org:'))?.[1];
        expect(org?.ut ?? 0).toBe(committed);
        expect(model.budgets.get('pool')?.ut ?? 0).toBe(committed);
        // Every lease came back: nothing is taken beyond what was used.
        for (const b of model.budgets.values()) expect(b.tt).toBe(b.ut);
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
