import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgentHolds } from '../../src/rules/agent-holds.js';
import { makeKernel } from '../helpers/kernel-fixture.js';

type Op =
  | { kind: 'hold'; rule: number }
  | { kind: 'release'; rule: number }
  | { kind: 'operator-stop' }
  | { kind: 'operator-resume' }
  | { kind: 'window-stop' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('hold' as const),
      rule: fc.integer({ min: 0, max: 2 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('release' as const),
      rule: fc.integer({ min: 0, max: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'operator-stop' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'operator-resume' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'window-stop' as const }) },
);

describe('AgentHolds', () => {
  it('composes rule holds with operator stops and kernel limits', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const { kernel } = makeKernel({ totalBudget: 1_000_000 });
        const agent = kernel.spawn({ id: 'a', maxTokens: 1_000, model: 'test-small' });
        const holds = new AgentHolds(kernel);
        kernel.on('signal', (e) => holds.onSignal(e));
        const holders = new Set<number>();
        /** The operator stopped the agent themselves and has not resumed it. */
        let operatorStop = false;
        /** Rules have held it continuously since the operator last resumed it (or since the first hold). */
        let heldUnbroken = false;
        let windowFull = false;
        for (const o of ops) {
          const manualBefore = agent.stopCauses.includes('manual');
          switch (o.kind) {
            case 'hold':
              if (holders.size === 0) heldUnbroken = true;
              holders.add(o.rule);
              holds.stop('a', `r${o.rule}`, 'rule');
              break;
            case 'release':
              holders.delete(o.rule);
              if (holders.size === 0) heldUnbroken = false;
              holds.release('a', `r${o.rule}`, 'cleared');
              break;
            case 'operator-stop':
              // With the single `manual` cause, a stop on an agent already stopped by a rule adds nothing.
              if (!manualBefore || holders.size === 0) operatorStop = true;
              kernel.stop('a', 'operator');
              break;
            case 'operator-resume':
              operatorStop = false;
              heldUnbroken = false;
              kernel.resume('a', 'operator');
              break;
            case 'window-stop':
              if (!windowFull) agent.record({ inputTokens: 1_000, outputTokens: 0 });
              windowFull = true;
              break;
          }
          const manual = agent.stopCauses.includes('manual');
          // A rule release never resumes an agent another rule holds, nor one the operator stopped.
          if (heldUnbroken && holders.size > 0) expect(manual).toBe(true);
          if (operatorStop) expect(manual).toBe(true);
          // Nothing is left stopped by the book once no rule holds it.
          if (holders.size === 0 && !operatorStop) expect(manual).toBe(false);
          // Kernel limits are never lifted by the book.
          expect(agent.stopCauses.includes('window')).toBe(windowFull);
          expect(agent.runnable).toBe(!manual && !windowFull);
        }
      }),
      { numRuns: 300, seed: 20260105 },
    );
  });
});
