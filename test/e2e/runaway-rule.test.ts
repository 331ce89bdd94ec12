import { describe, expect, it } from 'vitest';
import { createKernel } from '../../src/kernel/kernel.js';
import { loadRules } from '../../src/rules/parse-rules.js';
import { createRuleEngine } from '../../src/rules/rule-engine.js';
import type { AlertEvent } from '../../src/rules/alert-event.js';

const TASK_LIMIT = 5_000;
const PER_CALL = { inputTokens: 500, outputTokens: 100 };

describe('a runaway isolated agent', () => {
  it('calling the model in a loop is killed by the shipped runaway rule, within a stated bound', async () => {
    const kernel = createKernel({
      totalBudget: 1_000_000,
      prices: { 'crawler-model': { input: 1, output: 4 } },
      // A soft task allowance: the runaway rule fires at 3× it (examples/budget-alerts.yaml).
      limits: [{ scope: 'task', tokens: TASK_LIMIT, hard: false }],
    });
    const rules = await loadRules(
      new URL('../../examples/budget-alerts.yaml', import.meta.url).pathname,
    );
    const alerts: AlertEvent[] = [];
    const engine = createRuleEngine(kernel, rules);
    engine.on('alert', (a) => alerts.push(a));
    let calls = 0;
    const isolated = await kernel.spawnIsolated(
      new URL('../fixtures/isolated/calling-runaway.ts', import.meta.url),
      {
        id: 'crawler',
        task: 'crawl',
        maxTokens: 200_000,
        model: 'crawler-model',
        // The model runs on the main thread: the agent's own code never holds an API key.
        invoke: async () => {
          calls++;
          return { output: 'summary', usage: PER_CALL };
        },
      },
    );
    const outcome = await isolated.done;
    expect(outcome.status).toBe('killed');
    expect(alerts.map((a) => [a.rule, a.type])).toContainEqual(['runaway-task', 'alert.fired']);
    // Stated bound: the rule fires on the first settled call past 3× the task limit and kills the
    // agent before it can start another, so spend is at most 3 × 5,000 + one call (600).
    const spent = kernel.usage({ by: 'task' }).find((r) => r.key === 'crawl');
    const tokens = (spent?.inputTokens ?? 0) + (spent?.outputTokens ?? 0);
    expect(tokens).toBeGreaterThan(3 * TASK_LIMIT);
    expect(tokens).toBeLessThanOrEqual(
      3 * TASK_LIMIT + PER_CALL.inputTokens + PER_CALL.outputTokens,
    );
    expect(calls).toBe(tokens / 600);
    const { pool, reservations } = kernel.status();
    expect(reservations).toBe(0);
    expect(pool.available + pool.allocated + pool.spent).toBe(pool.total);
    expect(kernel.has('crawler')).toBe(false);
    engine.close();
    await kernel.close();
  });
});
