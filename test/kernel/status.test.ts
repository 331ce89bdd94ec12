import { describe, expect, it } from 'vitest';
import { formatBar } from '../../src/kernel/kernel-status.js';
import { cheaperSibling } from '../../src/kernel/cost-report.js';
import { createPricing } from '../../src/pricing/pricing.js';
import { makeKernel } from '../helpers/kernel-fixture.js';

describe('status', () => {
  it('is a JSON-able snapshot of pool, agents, waiting queue and limits', () => {
    const { kernel } = makeKernel({
      totalBudget: 10_000,
      limits: [{ scope: 'user', period: 'day', usd: 1, tokens: 50_000 }],
    });
    const p = kernel.spawn({
      id: 'p',
      priority: 'high',
      maxTokens: 6_000,
      model: 'test-small',
      userId: 'u',
      task: 't',
      sessionId: 's',
    });
    p.spawn({ id: 'c', maxTokens: 1_000 });
    p.reserve({ inputTokens: 500, maxOutputTokens: 100 });
    p.record({ inputTokens: 1_000, outputTokens: 200 });
    kernel.spawn({ id: 'w', maxTokens: 5_000 });
    const s = kernel.status();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s.pool).toEqual({
      total: 10_000,
      available: 4_000,
      allocated: 6_000,
      spent: 0,
      overshoot: 0,
    });
    expect(s.agents['p']).toMatchObject({
      state: 'active',
      priority: 'high',
      total: 6_000,
      used: 1_200,
      reserved: 1_600,
      free: 3_200,
      task: 't',
      user: 'u',
      session: 's',
    });
    expect(s.agents['c']).toMatchObject({ parent: 'p', total: 1_000, user: 'u' });
    expect(s.waiting).toEqual(['w']);
    expect(s.limits).toEqual([
      expect.objectContaining({
        name: 'user:u:day',
        scope: 'user',
        id: 'u',
        period: 'day',
        unit: 'tokens',
        used: 1_200,
        reserved: 600,
        limit: 50_000,
        utilization: 1_200 / 50_000,
      }),
      expect.objectContaining({ name: 'user:u:day', unit: 'usd', used: 0.0018, limit: 1 }),
    ]);
    expect(s.reservations).toBe(1);
    expect(s.records).toBe(1);
    expect(s.costNano).toBe(1_800_000);
  });

  it('draws a correct bar: floored cells and percent, full only when full', () => {
    expect(formatBar(82_000, 100_000)).toBe('[████████░░] 82% (82,000/100,000 tokens)');
    expect(formatBar(99_999, 100_000)).toBe('[█████████░] 99% (99,999/100,000 tokens)');
    expect(formatBar(100_000, 100_000)).toBe('[██████████] 100% (100,000/100,000 tokens)');
    expect(formatBar(0, 100_000)).toBe('[░░░░░░░░░░] 0% (0/100,000 tokens)');
    expect(formatBar(150, 100)).toBe('[██████████] 150% (150/100 tokens)');
    const { kernel } = makeKernel();
    kernel
      .spawn({ id: 'a', maxTokens: 1_000, model: 'test-small' })
      .record({ inputTokens: 820, outputTokens: 0 });
    expect(kernel.formatStatus('a')).toBe('[████████░░] 82% (820/1,000 tokens)');
  });
});

describe('ledger queries through the kernel', () => {
  it('aggregates by every dimension with equal sums', () => {
    const { kernel } = makeKernel();
    const a = kernel.spawn({ id: 'a', maxTokens: 50_000, userId: 'u1', task: 't1' });
    const b = kernel.spawn({ id: 'b', maxTokens: 50_000, userId: 'u2', task: 't1' });
    a.record(
      { inputTokens: 1_000, outputTokens: 100, cacheReadTokens: 400 },
      { model: 'test-large' },
    );
    b.record(
      { inputTokens: 2_000, outputTokens: 300, reasoningTokens: 100 },
      { model: 'test-small' },
    );
    const byModel = kernel.usage({ by: 'model' });
    expect(byModel.map((r) => [r.key, r.costNano])).toEqual([
      ['test-large', 600 * 10_000 + 400 * 1_000 + 100 * 40_000],
      ['test-small', 2_000 * 1_000 + 300 * 4_000],
    ]);
    expect(kernel.usage({ by: 'task' })).toEqual([
      expect.objectContaining({
        key: 't1',
        calls: 2,
        inputTokens: 3_000,
        outputTokens: 400,
        cacheReadTokens: 400,
        reasoningTokens: 100,
      }),
    ]);
    expect(kernel.topAgents(1).map((r) => r.key)).toEqual(['a']);
    expect(kernel.records().map((r) => r.agentId)).toEqual(['a', 'b']);
  });
});

describe('cost report', () => {
  it('names spend by agent and model and the opportunities', () => {
    const { kernel } = makeKernel({ prices: {} });
    const a = kernel.spawn({ id: 'big-spender', maxTokens: 50_000, model: 'gpt-4o' });
    const b = kernel.spawn({ id: 'small', maxTokens: 50_000, model: 'gpt-4o-mini' });
    a.record({ inputTokens: 10_000, outputTokens: 2_000 });
    b.record({ inputTokens: 1_000, outputTokens: 100 });
    const report = kernel.report();
    expect(report).toMatch(/By agent:\n {2}big-spender/);
    expect(report).toMatch(/agent `big-spender` is \d+% of spend/);
    expect(report).toMatch(/model `gpt-4o`: `gpt-4o-mini` costs \d+% less per token/);
    expect(report).toContain('no cache hits');
  });

  it('finds cheaper siblings only among priced models', () => {
    const pricing = createPricing();
    expect(cheaperSibling(pricing, 'gpt-4o')?.model).toBe('gpt-4o-mini');
    expect(cheaperSibling(pricing, 'gpt-4o-mini')).toBeUndefined();
    expect(cheaperSibling(pricing, 'no-such-model')).toBeUndefined();
  });
});
