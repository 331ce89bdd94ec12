import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_KEY } from '../../src/budget/usage-record.js';
import { resolveRuleList } from '../../src/rules/resolve-rules.js';
import { RuleMetrics } from '../../src/rules/rule-metrics.js';
import { RulePeriods } from '../../src/rules/rule-periods.js';
import type { RulePeriod, RuleScope } from '../../src/rules/rule-spec.js';
import { makeKernel } from '../helpers/kernel-fixture.js';

const SCOPES = [
  'agent',
  'task',
  'user',
  'session',
  'model',
] as const satisfies readonly RuleScope[];
const PERIODS: RulePeriod[] = ['hour', 'day', 'week', 'month', 'lifetime'];

const step = fc.record({
  agent: fc.integer({ min: 0, max: 3 }),
  model: fc.constantFrom('test-small', 'test-large'),
  input: fc.integer({ min: 0, max: 5_000 }),
  output: fc.integer({ min: 0, max: 5_000 }),
  advanceMs: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 1, max: 90_000 }),
    fc.integer({ min: 1, max: 40 * 3_600_000 }),
  ),
});

describe('RuleMetrics', () => {
  it('agrees with kernel.usage for every scope and period, and with a naive rate', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (steps, lateStart) => {
          const { kernel, clock } = makeKernel({ totalBudget: 100_000_000 });
          const agents = [0, 1, 2, 3].map((i) =>
            kernel.spawn({
              id: `a${i}`,
              maxTokens: 10_000_000,
              model: 'test-small',
              ...(i % 2 === 0 && { task: `t${i % 3}` }),
              ...(i !== 3 && { userId: `u${i % 2}` }),
              sessionId: `s${i}`,
            }),
          );
          const rules = resolveRuleList(
            [
              ...SCOPES.flatMap((scope) =>
                PERIODS.map((period) => ({
                  name: `${scope}-${period}`,
                  severity: 'P3',
                  action: 'notify',
                  when: { metric: 'tokens', scope, period, op: '>', value: 1e15 },
                })),
              ),
              ...SCOPES.map((scope) => ({
                name: `${scope}-rate`,
                severity: 'P3',
                action: 'notify',
                when: { metric: 'rate', scope, op: '>', value: 1e15, windowMinutes: 7 },
              })),
            ],
            [],
          );
          const history: Array<{ time: number; agent: number; tokens: number }> = [];
          let metrics: RuleMetrics | undefined;
          const start = (): void => {
            const m = new RuleMetrics(kernel, new RulePeriods(kernel), rules, clock.now());
            kernel.on('record', (e) => m.ingest(e.record));
            metrics = m;
          };
          if (!lateStart) start();
          steps.forEach((s, i) => {
            clock.advance(s.advanceMs);
            agents[s.agent]!.record(
              { inputTokens: s.input, outputTokens: s.output },
              { model: s.model },
            );
            history.push({ time: clock.now(), agent: s.agent, tokens: s.input + s.output });
            if (lateStart && i === Math.floor(steps.length / 2)) start();
          });
          if (metrics === undefined) start();
          const now = clock.now();
          for (const scope of SCOPES) {
            for (const period of PERIODS) {
              for (const row of kernel.usage({ by: scope, period })) {
                if (row.key === NO_KEY) continue;
                expect(metrics!.used(scope, period, row.key, now)).toEqual({
                  tokens: row.inputTokens + row.outputTokens,
                  nano: row.costNano,
                });
              }
            }
          }
          // Rates only see records made while the engine listened (or kept in kernel.records()).
          const minute = Math.floor(now / 60_000);
          for (let i = 0; i < agents.length; i++) {
            const naive = history
              .filter((h) => h.agent === i && Math.floor(h.time / 60_000) > minute - 7)
              .reduce((sum, h) => sum + h.tokens, 0);
            expect(metrics!.rate('agent', `a${i}`, 7, now)).toBeCloseTo(naive / 7, 9);
          }
        },
      ),
      { numRuns: 60, seed: 5 },
    );
  });
});
