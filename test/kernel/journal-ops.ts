import fc from 'fast-check';
import { expect } from 'vitest';
import type { Kernel } from '../../src/kernel/kernel.js';
import type { FakeClock } from '../helpers/fake-clock.js';

const id = fc.integer({ min: 0, max: 2 });
const usage = {
  input: fc.integer({ min: 0, max: 3_000 }),
  output: fc.integer({ min: 0, max: 500 }),
};

/** Every durable kind of operation, on three agent ids (so ids collide, end and come back). */
export const journalOp = fc.oneof(
  fc.record({
    k: fc.constant('spawn' as const),
    id,
    tokens: fc.integer({ min: 500, max: 8_000 }),
    user: fc.integer({ min: 0, max: 2 }),
    parent: fc.boolean(),
  }),
  fc.record({ k: fc.constant('record' as const), id, ...usage }),
  fc.record({ k: fc.constant('commit' as const), id, ...usage }),
  fc.record({ k: fc.constant('grant' as const), id, tokens: fc.integer({ min: 1, max: 3_000 }) }),
  fc.record({ k: fc.constant('stop' as const), id }),
  fc.record({ k: fc.constant('resume' as const), id }),
  fc.record({ k: fc.constant('release' as const), id }),
  fc.record({ k: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 8 * 3_600_000 }) }),
);

export type JournalOp = typeof journalOp extends fc.Arbitrary<infer T> ? T : never;

const EXPECTED = [
  'UNKNOWN_AGENT',
  'DUPLICATE_AGENT',
  'POOL_EXHAUSTED',
  'BUDGET_EXCEEDED',
  'AGENT_NOT_RUNNABLE',
  'INVALID_ARGUMENT',
];

/**
 * Runs `ops` against `kernel`; refusals the operation could meet are expected, anything else
 * fails. Yields twice after each operation so journal compaction (a microtask) can run.
 */
export async function runJournalOps(
  kernel: Kernel,
  clock: FakeClock,
  ops: readonly JournalOp[],
): Promise<void> {
  for (const o of ops) {
    try {
      const name = `a${'id' in o ? o.id : 0}`;
      if (o.k === 'spawn' && o.parent && kernel.has('a0') && name !== 'a0')
        kernel
          .agent('a0')
          .spawn({ id: name, maxTokens: Math.min(o.tokens, 1_000), userId: `u${o.user}` });
      else if (o.k === 'spawn')
        kernel.spawn({ id: name, maxTokens: o.tokens, model: 'test-small', userId: `u${o.user}` });
      else if (o.k === 'record')
        kernel.agent(name).record({ inputTokens: o.input, outputTokens: o.output });
      else if (o.k === 'commit')
        kernel
          .agent(name)
          .reserve({ inputTokens: o.input, maxOutputTokens: o.output })
          .commit({ inputTokens: o.input, outputTokens: o.output });
      else if (o.k === 'grant') kernel.grant(name, o.tokens);
      else if (o.k === 'stop') kernel.stop(name, 'test');
      else if (o.k === 'resume') kernel.resume(name, 'test');
      else if (o.k === 'release') kernel.agent(name).release();
      else clock.advance(o.ms);
    } catch (error) {
      expect(EXPECTED).toContain((error as { code: string }).code);
    }
    await Promise.resolve();
    await Promise.resolve();
  }
}
