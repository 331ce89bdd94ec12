import { describe, expect, it } from 'vitest';
import { createKernel } from '../../src/kernel/kernel.js';
import { createPricing, type Pricing } from '../../src/pricing/pricing.js';
import { FakeClock } from '../helpers/fake-clock.js';

const USAGE = { inputTokens: 1_000, outputTokens: 100 };

/**
 * Each agent remembers the price of the model it called last (its hot path then only compares);
 * the memo must not outlive a price that changes with the date or the time of day.
 */
describe('an agent’s remembered price', () => {
  it('follows a time-of-day price across its boundary (genai-prices)', () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 12, 0, 0));
    const pricing = createPricing({ clock });
    const kernel = createKernel({ totalBudget: 1e9, clock, pricing });
    const agent = kernel.spawn({ id: 'a', maxTokens: 1e6, model: 'deepseek-chat' });
    const noon = agent.record(USAGE).costNano;
    expect(noon).toBe(pricing.cost(pricing.resolve('deepseek-chat'), USAGE));
    clock.set(Date.UTC(2026, 0, 5, 16, 30, 0));
    const evening = agent.record(USAGE).costNano;
    expect(evening).toBe(pricing.cost(pricing.resolve('deepseek-chat'), USAGE));
    expect(evening).not.toBe(noon);
    // And a reservation made now holds at the price in force now.
    const r = agent.reserve({ inputTokens: 1_000, maxOutputTokens: 100 });
    expect(r.commit(USAGE).costNano).toBe(evening);
  });

  it('asks a Pricing without validUntil on every call', () => {
    const clock = new FakeClock();
    let rate = 1_000;
    let asked = 0;
    const pricing: Pricing = {
      ...createPricing({ prices: { m: { input: 1, output: 1 } } }),
      resolve: (model) => {
        asked++;
        return {
          model,
          source: 'custom',
          matched: model,
          inputNano: rate,
          outputNano: rate,
          cacheReadNano: rate,
          cacheWriteNano: rate,
          tiers: [],
        };
      },
      cost: (price, usage) => (usage.inputTokens + usage.outputTokens) * price.inputNano,
      maxCost: (price, input, output) => (input + output) * price.inputNano,
      list: () => [],
    };
    const kernel = createKernel({ totalBudget: 1e9, clock, pricing });
    const agent = kernel.spawn({ id: 'a', maxTokens: 1e6, model: 'm' });
    expect(agent.record(USAGE).costNano).toBe(1_100_000);
    rate = 2_000;
    expect(agent.record(USAGE).costNano).toBe(2_200_000);
    expect(asked).toBeGreaterThanOrEqual(2);
  });

  it('is primed at spawn, and a default model without a price still fails at the call', () => {
    const kernel = createKernel({ totalBudget: 1e9, clock: new FakeClock(), prices: {} });
    const agent = kernel.spawn({ id: 'a', maxTokens: 1e6, model: 'no-such-model-anywhere' });
    expect(() => agent.record(USAGE)).toThrow(expect.objectContaining({ code: 'UNKNOWN_MODEL' }));
    expect(kernel.records()).toHaveLength(0);
  });
});
