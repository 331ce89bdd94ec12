import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeKernel } from '../helpers/kernel-fixture.js';

type Op =
  | { kind: 'record'; tokens: number }
  | { kind: 'grant'; tokens: number }
  | { kind: 'advance'; ms: number };

/** Reference for one ladder of thresholds plus a stop at 100 %. */
class RefLadder {
  fired = new Set<number>();
  stopped = false;
  constructor(
    readonly name: string,
    readonly thresholds: number[],
  ) {}
  /** Signals a rise of `used` out of `total` produces, in order. */
  rise(used: number, total: number, out: string[]): boolean {
    for (const t of this.thresholds) {
      if (!this.fired.has(t) && used >= t * total) {
        this.fired.add(t);
        out.push(`SIGWARN:${this.name}:${t}`);
      }
    }
    if (used >= total && !this.stopped) {
      this.stopped = true;
      out.push(`SIGSTOP:${this.name}`);
      return true;
    }
    return false;
  }
  fall(used: number, total: number): void {
    for (const t of [...this.fired]) if (used < t * total) this.fired.delete(t);
    if (used < total) this.stopped = false;
  }
}

describe('signals fire once per crossing', () => {
  it('matches a reference model of window and hourly user-limit crossings, rollovers and grants', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        arbitrary: fc
          .integer({ min: 1, max: 900 })
          .map((tokens) => ({ kind: 'record' as const, tokens })),
        weight: 5,
      },
      {
        arbitrary: fc
          .integer({ min: 1, max: 1_500 })
          .map((tokens) => ({ kind: 'grant' as const, tokens })),
        weight: 1,
      },
      {
        arbitrary: fc
          .integer({ min: 1, max: 2 * 3_600_000 })
          .map((ms) => ({ kind: 'advance' as const, ms })),
        weight: 1,
      },
    );
    const thresholds = fc
      .uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 3 })
      .map((a) => a.sort((x, y) => x - y).map((x) => x / 100));
    fc.assert(
      fc.property(
        thresholds,
        thresholds,
        fc.integer({ min: 500, max: 5_000 }),
        fc.integer({ min: 500, max: 5_000 }),
        fc.array(op, { maxLength: 40 }),
        (wt, ut, windowTokens, userTokens, ops) => {
          const { kernel, clock, signals } = makeKernel({
            totalBudget: 1_000_000,
            warnThresholds: wt,
            limits: [{ scope: 'user', period: 'hour', tokens: userTokens, thresholds: ut }],
          });
          const agent = kernel.spawn({
            id: 'a',
            maxTokens: windowTokens,
            model: 'test-small',
            userId: 'u',
          });
          const win = new RefLadder('window', wt);
          const user = new RefLadder('user:u:hour', ut);
          let total = windowTokens;
          let used = 0;
          let userUsed = 0;
          let hourEnd = (Math.floor(clock.now() / 3_600_000) + 1) * 3_600_000;
          const causes = new Set<string>();
          const expected: string[] = [];
          const rollIfDue = (timerOnly: boolean): void => {
            if (clock.now() < hourEnd) return;
            // A stopped agent is resumed by the period timer; otherwise the roll happens on the next read.
            if (timerOnly && !causes.has('user')) return;
            hourEnd = (Math.floor(clock.now() / 3_600_000) + 1) * 3_600_000;
            userUsed = 0;
            user.fall(0, userTokens);
            if (causes.delete('user') && causes.size === 0) expected.push('SIGRESUME');
          };
          for (const o of ops) {
            if (o.kind === 'record') {
              rollIfDue(false);
              agent.record({ inputTokens: o.tokens, outputTokens: 0 });
              used += o.tokens;
              userUsed += o.tokens;
              if (win.rise(used, total, expected)) causes.add('window');
              if (user.rise(userUsed, userTokens, expected)) causes.add('user');
            } else if (o.kind === 'grant') {
              kernel.grant('a', o.tokens);
              total += o.tokens;
              win.fall(used, total);
              if (used < total && causes.delete('window') && causes.size === 0)
                expected.push('SIGRESUME');
            } else {
              clock.advance(o.ms);
              rollIfDue(true);
            }
            const got = signals.map((s) =>
              s.signal === 'SIGWARN'
                ? `SIGWARN:${s.limit.name}:${s.limit.threshold}`
                : s.signal === 'SIGSTOP'
                  ? `SIGSTOP:${s.limit.name}`
                  : s.signal,
            );
            expect(got).toEqual(expected);
            expect(agent.state === 'stopped').toBe(causes.size > 0);
          }
          void kernel.close();
        },
      ),
      { numRuns: 200 },
    );
  });
});
