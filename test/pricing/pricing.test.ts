import { describe, expect, it, vi } from 'vitest';
import { isKernelError } from '../../src/errors.js';
import { GENAI_PRICES_SOURCE } from '../../src/pricing/genai-catalog.js';
import { CONSERVATIVE_PRICE, createPricing } from '../../src/pricing/pricing.js';
import type { Usage } from '../../src/usage.js';
import { FakeClock } from '../helpers/fake-clock.js';
import {
  publishedFlatRates,
  publishedModel,
  referenceInputRate,
  referenceNano,
} from './fixtures/published-rates.js';

/** The cost a careful human computes from USD/MTok rates: one rounding per token class. */
function byHand(
  rates: { input: number; output: number; cacheRead?: number; cacheWrite?: number },
  usage: Usage,
): number {
  const read = usage.cacheReadTokens ?? 0;
  const write = usage.cacheWriteTokens ?? 0;
  const uncached = usage.inputTokens - read - write;
  return (
    Math.round((uncached * rates.input * 1e9) / 1e6) +
    Math.round((read * (rates.cacheRead ?? rates.input) * 1e9) / 1e6) +
    Math.round((write * (rates.cacheWrite ?? rates.input) * 1e9) / 1e6) +
    Math.round((usage.outputTokens * rates.output * 1e9) / 1e6)
  );
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const clock = new FakeClock();
const pricing = createPricing({ clock });

describe('default prices from genai-prices', () => {
  const usage: Usage = {
    inputTokens: 12_345,
    cacheReadTokens: 4_096,
    cacheWriteTokens: 1_000,
    outputTokens: 2_222,
    reasoningTokens: 512,
  };

  it.each([
    ['gpt-4o', 'openai', 'gpt-4o'],
    ['gpt-4o-mini', 'openai', 'gpt-4o-mini'],
    ['claude-sonnet-4-20250514', 'anthropic', 'claude-sonnet-4-0'],
    ['claude-haiku-4-5', 'anthropic', 'claude-haiku-4-5'],
  ])('prices %s to the nano-dollar from its published rates', (model, provider, id) => {
    const price = pricing.resolve(model);
    const expected = byHand(publishedFlatRates(provider, id), usage);
    expect(pricing.cost(price, usage)).toBe(expected);
    expect(price.source).toBe(GENAI_PRICES_SOURCE);
    expect(price.matched).toBe(`${provider}:${id}`);
    // genai-prices' own (float) total agrees within the four per-class roundings.
    expect(Math.abs(pricing.cost(price, usage) - referenceNano(model, usage))).toBeLessThanOrEqual(
      2,
    );
  });

  it('charges Anthropic cache writes at their published premium and reads at their discount', () => {
    const rates = publishedFlatRates('anthropic', 'claude-sonnet-4-0');
    const price = pricing.resolve('claude-sonnet-4-20250514');
    expect(price.cacheWriteNano).toBe(rates.cacheWrite! * 1000);
    expect(price.cacheReadNano).toBe(rates.cacheRead! * 1000);
    expect(price.cacheWriteNano).toBeGreaterThan(price.inputNano);
  });

  it('charges cache writes at the input rate for a model without a cache-write price', () => {
    const rates = publishedFlatRates('openai', 'gpt-4o');
    expect(rates.cacheWrite).toBeUndefined();
    const price = pricing.resolve('gpt-4o');
    expect(price.cacheWriteNano).toBe(price.inputNano);
  });

  it.each([
    ['openai/gpt-4o', 'openai:gpt-4o'],
    ['openai:gpt-4o', 'openai:gpt-4o'],
    ['OpenAI/GPT-4o', 'openai:gpt-4o'],
    ['gpt-4o-2024-08-06', 'openai:gpt-4o'],
    ['anthropic/claude-sonnet-4-20250514', 'anthropic:claude-sonnet-4-0'],
    ['google/gemini-2.5-pro', 'google:gemini-2.5-pro'],
    ['openrouter/openai/gpt-4o', 'openrouter:openai/gpt-4o'],
  ])('resolves %s through the match rules to %s', (model, matched) => {
    const price = pricing.resolve(model);
    expect(price.matched).toBe(matched);
    expect(price.model).toBe(model);
  });

  it('memoizes a resolved price', () => {
    expect(pricing.resolve('gpt-4o-mini')).toBe(pricing.resolve('gpt-4o-mini'));
  });

  it('applies a long-context tier to every class once total input exceeds its threshold', () => {
    const published = publishedModel('google', 'gemini-2.5-pro').prices as Record<
      string,
      { base: number; tiers: { start: number; price: number }[] }
    >;
    const threshold = published['input_mtok']!.tiers[0]!.start;
    const price = pricing.resolve('gemini-2.5-pro');
    expect(price.tiers.map((t) => t.aboveInputTokens)).toEqual([threshold]);
    const at = (inputTokens: number): Usage => ({
      inputTokens,
      cacheReadTokens: 1000,
      outputTokens: 100,
    });
    const rates = (above: boolean) => ({
      input: above ? published['input_mtok']!.tiers[0]!.price : published['input_mtok']!.base,
      cacheRead: above
        ? published['cache_read_mtok']!.tiers[0]!.price
        : published['cache_read_mtok']!.base,
      output: above ? published['output_mtok']!.tiers[0]!.price : published['output_mtok']!.base,
    });
    expect(pricing.cost(price, at(threshold))).toBe(byHand(rates(false), at(threshold)));
    expect(pricing.cost(price, at(threshold + 1))).toBe(byHand(rates(true), at(threshold + 1)));
    for (const n of [threshold, threshold + 1]) {
      expect(
        Math.abs(pricing.cost(price, at(n)) - referenceNano('gemini-2.5-pro', at(n))),
      ).toBeLessThanOrEqual(2);
    }
  });

  it('switches a time-of-day price when the clock crosses its boundary', () => {
    const fake = new FakeClock(Date.UTC(2026, 0, 5, 12, 0, 0));
    const local = createPricing({ clock: fake });
    const noon = local.resolve('deepseek-chat');
    expect(noon.inputNano).toBe(referenceInputRate('deepseek-chat', new Date(fake.now())) * 1000);
    expect(local.resolve('deepseek-chat')).toBe(noon);
    fake.set(Date.UTC(2026, 0, 5, 16, 30, 0));
    const evening = local.resolve('deepseek-chat');
    expect(evening.inputNano).toBe(
      referenceInputRate('deepseek-chat', new Date(fake.now())) * 1000,
    );
    expect(evening.inputNano).not.toBe(noon.inputNano);
  });

  it('switches a dated price on its start date', () => {
    const fake = new FakeClock(Date.UTC(2026, 2, 12, 23, 59, 59));
    const local = createPricing({ clock: fake });
    expect(local.resolve('claude-opus-4-6').tiers).toHaveLength(1);
    fake.set(Date.UTC(2026, 2, 13, 0, 0, 0));
    expect(local.resolve('claude-opus-4-6').tiers).toHaveLength(0);
  });

  it('does not price a model billed only per hour of audio at $0 per token', () => {
    const error = thrown(() => pricing.resolve('whisper-1'));
    expect(isKernelError(error, 'UNKNOWN_MODEL')).toBe(true);
    expect((error as Error).message).toContain('without a per-token price');
  });
});

describe('user prices', () => {
  it('win over the defaults', () => {
    const local = createPricing({ prices: { 'gpt-4o': { input: 1, output: 2 } } });
    const price = local.resolve('gpt-4o');
    expect(price.source).toBe('user');
    expect(local.cost(price, { inputTokens: 1000, outputTokens: 1000 })).toBe(
      1000 * 1000 + 2000 * 1000,
    );
    // the user key also covers provider-prefixed names
    expect(local.resolve('openai/gpt-4o').source).toBe('user');
  });

  it('match by alias and by regular expression, ignoring case', () => {
    const local = createPricing({
      defaults: false,
      prices: {
        'acme-large': { input: 3, output: 9, aliases: ['Acme-L'] },
        'acme-any': { input: 0.5, output: 1, match: '^acme-small-\\d{8}$' },
      },
    });
    expect(local.resolve('acme-l').matched).toBe('acme-large');
    expect(local.resolve('ACME-SMALL-20250101').matched).toBe('acme-any');
    expect(
      isKernelError(
        thrown(() => local.resolve('acme-small-x')),
        'UNKNOWN_MODEL',
      ),
    ).toBe(true);
  });

  it('price user tiers by total input and default tier cache rates to the tier input rate', () => {
    const local = createPricing({
      defaults: false,
      prices: {
        m: {
          input: 1,
          output: 2,
          cacheRead: 0.1,
          tiers: [{ aboveInputTokens: 100, input: 4, output: 8 }],
        },
      },
    });
    const price = local.resolve('m');
    const usage = { inputTokens: 101, cacheReadTokens: 1, outputTokens: 1 };
    expect(local.cost(price, usage)).toBe(byHand({ input: 4, output: 8, cacheRead: 4 }, usage));
    const small = { inputTokens: 100, cacheReadTokens: 1, outputTokens: 1 };
    expect(local.cost(price, small)).toBe(byHand({ input: 1, output: 2, cacheRead: 0.1 }, small));
  });

  it('accept an explicit zero price, which the user declared', () => {
    const local = createPricing({ defaults: false, prices: { free: { input: 0, output: 0 } } });
    expect(local.cost(local.resolve('free'), { inputTokens: 10, outputTokens: 10 })).toBe(0);
  });
});

describe('unknown models', () => {
  it('throw UNKNOWN_MODEL naming the model and how to price it, by default', () => {
    const error = thrown(() => createPricing().resolve('acme-9000'));
    expect(isKernelError(error, 'UNKNOWN_MODEL')).toBe(true);
    expect((error as Error).message).toContain('"acme-9000"');
    expect((error as Error).message).toContain('`prices`');
  });

  it('keep throwing for a model already found unknown', () => {
    const local = createPricing();
    for (let i = 0; i < 2; i++) {
      expect(
        isKernelError(
          thrown(() => local.resolve('acme-9000')),
          'UNKNOWN_MODEL',
        ),
      ).toBe(true);
    }
  });

  it("warn once and charge the conservative default under 'warn'", () => {
    const onWarn = vi.fn();
    const local = createPricing({ onUnknownModel: 'warn', onWarn });
    const price = local.resolve('acme-9000');
    local.resolve('acme-9000');
    expect(onWarn).toHaveBeenCalledTimes(1);
    expect(onWarn.mock.calls[0]![0]).toContain('acme-9000');
    expect(price.source).toBe('conservative-default');
    expect(price.inputNano).toBe(CONSERVATIVE_PRICE.input * 1000);
    expect(local.cost(price, { inputTokens: 1, outputTokens: 1 })).toBeGreaterThan(0);
  });

  it('warn once and charge the fallback price under { fallback }', () => {
    const onWarn = vi.fn();
    const local = createPricing({ onUnknownModel: { fallback: 'gpt-4o-mini' }, onWarn });
    const price = local.resolve('acme-9000');
    local.resolve('acme-9000');
    const mini = local.resolve('gpt-4o-mini');
    expect(onWarn).toHaveBeenCalledTimes(1);
    expect(price.source).toBe('fallback:gpt-4o-mini');
    expect(price.model).toBe('acme-9000');
    expect([price.inputNano, price.outputNano, price.cacheReadNano]).toEqual([
      mini.inputNano,
      mini.outputNano,
      mini.cacheReadNano,
    ]);
  });

  it('reject a fallback that has no price itself', () => {
    const error = thrown(() => createPricing({ onUnknownModel: { fallback: 'acme-9000' } }));
    expect(isKernelError(error, 'INVALID_CONFIG')).toBe(true);
    expect((error as Error).message).toContain('onUnknownModel.fallback');
  });

  it('include default models only when defaults are on', () => {
    const local = createPricing({ defaults: false });
    expect(
      isKernelError(
        thrown(() => local.resolve('gpt-4o')),
        'UNKNOWN_MODEL',
      ),
    ).toBe(true);
  });
});

describe('arguments and options', () => {
  it.each([[''], [42], [null], ['x'.repeat(257)]])('resolve rejects model %j', (model) => {
    const error = thrown(() => pricing.resolve(model as string));
    expect(isKernelError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('`model`');
  });

  it.each([
    [{ onUnknownModel: 'ignore' }, 'onUnknownModel'],
    [{ defaults: 'yes' }, 'defaults'],
    [{ onWarn: 'console' }, 'onWarn'],
    [{ prices: [] }, 'prices'],
  ])('createPricing rejects %j naming %s', (options, name) => {
    const error = thrown(() => createPricing(options as never));
    expect(isKernelError(error, 'INVALID_CONFIG')).toBe(true);
    expect((error as Error).message).toContain(`\`${name}\``);
  });
});

describe('list', () => {
  const local = createPricing({ prices: { 'acme-large': { input: 3, output: 9 } } });

  it('lists user rows first, then defaults under names resolve() accepts', () => {
    const rows = local.list();
    expect(rows[0]).toEqual({
      model: 'acme-large',
      source: 'user',
      inputPerMTok: 3,
      outputPerMTok: 9,
      cacheReadPerMTok: 3,
      cacheWritePerMTok: 3,
    });
    const row = rows.find((r) => r.model === 'openai:gpt-4o')!;
    expect(row.source).toBe(GENAI_PRICES_SOURCE);
    expect(row.inputPerMTok).toBe(publishedFlatRates('openai', 'gpt-4o').input);
    expect(local.resolve(row.model).matched).toBe('openai:gpt-4o');
  });

  it('filters by case-insensitive substring or glob', () => {
    const sub = local.list('GPT-4O-MINI');
    expect(sub.length).toBeGreaterThan(0);
    expect(sub.every((r) => r.model.toLowerCase().includes('gpt-4o-mini'))).toBe(true);
    const glob = local.list('gpt-4o-mini*');
    expect(glob.some((r) => r.model === 'openai:gpt-4o-mini')).toBe(true);
    expect(glob.every((r) => /^(?:[^:]*:)?gpt-4o-mini/i.test(r.model))).toBe(true);
    expect(glob.length).toBeLessThan(sub.length);
    const single = local.list('o?');
    expect(single.some((r) => r.model === 'openai:o3')).toBe(true);
    expect(single.every((r) => /^(?:[^:]*:)?o.$/i.test(r.model))).toBe(true);
    expect(local.list('acme-*').map((r) => r.model)).toEqual(['acme-large']);
  });

  it('lists the price in force at the clock time for a time-of-day price', () => {
    const fake = new FakeClock(Date.UTC(2026, 0, 5, 20, 0, 0));
    const row = createPricing({ clock: fake })
      .list('deepseek:deepseek-chat')
      .find((r) => r.model === 'deepseek:deepseek-chat')!;
    expect(row.inputPerMTok).toBe(referenceInputRate('deepseek-chat', new Date(fake.now())));
  });

  it('rejects a non-string pattern', () => {
    expect(
      isKernelError(
        thrown(() => local.list(7 as never)),
        'INVALID_ARGUMENT',
      ),
    ).toBe(true);
  });
});
