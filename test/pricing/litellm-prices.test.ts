import { describe, expect, it } from 'vitest';
import { isKernelError } from '../../src/errors.js';
import { fromLiteLLMPrices } from '../../src/pricing/litellm-prices.js';
import { createPricing } from '../../src/pricing/pricing.js';

// Entries shaped as in LiteLLM's model_prices_and_context_window.json.
const FILE = {
  sample_spec: {
    max_tokens: 'LEGACY parameter. set to max_output_tokens if provider specifies it.',
    input_cost_per_token: 0.0,
    output_cost_per_token: 0.0,
    litellm_provider: 'one of https://docs.litellm.ai/docs/providers',
    mode: 'one of: chat, embedding, completion, image_generation, audio_transcription',
  },
  'gpt-4o': {
    cache_read_input_token_cost: 1.25e-6,
    input_cost_per_token: 2.5e-6,
    input_cost_per_token_batches: 1.25e-6,
    litellm_provider: 'openai',
    max_input_tokens: 128000,
    max_output_tokens: 16384,
    mode: 'chat',
    output_cost_per_token: 1e-5,
    supports_prompt_caching: true,
  },
  'gemini-2.5-pro': {
    cache_read_input_token_cost: 1.25e-7,
    input_cost_per_token: 1.25e-6,
    input_cost_per_token_above_200k_tokens: 2.5e-6,
    litellm_provider: 'vertex_ai-language-models',
    mode: 'chat',
    output_cost_per_token: 1e-5,
    output_cost_per_token_above_200k_tokens: 1.5e-5,
  },
  'anthropic.claude-opus-4-6-v1': {
    cache_creation_input_token_cost: 6.25e-6,
    cache_creation_input_token_cost_above_200k_tokens: 1.25e-5,
    cache_creation_input_token_cost_above_1hr: 1e-5,
    cache_read_input_token_cost: 5e-7,
    cache_read_input_token_cost_above_200k_tokens: 1e-6,
    input_cost_per_token: 5e-6,
    input_cost_per_token_above_200k_tokens: 1e-5,
    litellm_provider: 'bedrock_converse',
    mode: 'chat',
    output_cost_per_token: 2.5e-5,
    output_cost_per_token_above_200k_tokens: 3.75e-5,
  },
  'dall-e-3': {
    input_cost_per_image: 0.04,
    litellm_provider: 'openai',
    mode: 'image_generation',
    output_cost_per_image: 0.08,
  },
  'text-embedding-3-small': {
    input_cost_per_token: 2e-8,
    litellm_provider: 'openai',
    mode: 'embedding',
    output_cost_per_token: 0.0,
  },
};

describe('fromLiteLLMPrices', () => {
  const table = fromLiteLLMPrices(FILE);

  it('converts per-token USD to per-million-token USD without binary noise', () => {
    expect(table['gpt-4o']).toEqual({ input: 2.5, output: 10, cacheRead: 1.25 });
    expect(table['text-embedding-3-small']).toEqual({ input: 0.02, output: 0 });
  });

  it('turns *_above_<N>k_tokens prices into tiers, keeping the base price of a class without one', () => {
    expect(table['gemini-2.5-pro']).toEqual({
      input: 1.25,
      output: 10,
      cacheRead: 0.125,
      tiers: [{ aboveInputTokens: 200_000, input: 2.5, output: 15, cacheRead: 0.125 }],
    });
    expect(table['anthropic.claude-opus-4-6-v1']).toEqual({
      input: 5,
      output: 25,
      cacheRead: 0.5,
      cacheWrite: 6.25,
      tiers: [
        { aboveInputTokens: 200_000, input: 10, output: 37.5, cacheRead: 1, cacheWrite: 12.5 },
      ],
    });
  });

  it('skips sample_spec and entries without per-token input and output prices', () => {
    expect(Object.keys(table).sort()).toEqual(
      ['anthropic.claude-opus-4-6-v1', 'gemini-2.5-pro', 'gpt-4o', 'text-embedding-3-small'].sort(),
    );
  });

  it('produces a table createPricing accepts and prices by', () => {
    const pricing = createPricing({ defaults: false, prices: table });
    const price = pricing.resolve('gemini-2.5-pro');
    const usage = { inputTokens: 200_001, outputTokens: 10 };
    expect(pricing.cost(price, usage)).toBe(Math.round(200_001 * 2500) + Math.round(10 * 15_000));
  });

  it.each([
    [
      { m: { input_cost_per_token: -1e-6, output_cost_per_token: 1e-6 } },
      'litellm["m"].input_cost_per_token',
    ],
    [
      { m: { input_cost_per_token: 1e-6, output_cost_per_token: '1e-6' } },
      'litellm["m"].output_cost_per_token',
    ],
    [
      {
        m: {
          input_cost_per_token: 1e-6,
          output_cost_per_token: 1e-6,
          cache_read_input_token_cost: 5,
        },
      },
      'litellm["m"].cache_read_input_token_cost',
    ],
  ])('rejects %j naming %s', (file, field) => {
    try {
      fromLiteLLMPrices(file);
    } catch (error) {
      expect(isKernelError(error, 'INVALID_CONFIG')).toBe(true);
      expect((error as Error).message).toContain(`\`${field}\``);
      return;
    }
    throw new Error('expected INVALID_CONFIG');
  });

  it('rejects a file that is not an object', () => {
    expect(() => fromLiteLLMPrices([])).toThrow(/`litellm`/);
  });
});
