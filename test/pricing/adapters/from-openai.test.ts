import { describe, expect, it } from 'vitest';
import { isKernelError } from '../../../src/errors.js';
import { fromOpenAI } from '../../../src/pricing/adapters/from-openai.js';
import { createPricing } from '../../../src/pricing/pricing.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { publishedFlatRates } from '../fixtures/published-rates.js';
import {
  deepSeekUsage,
  openAICacheWriteUsage,
  openAIChatCompletion,
  openAIReasoningUsage,
  openAIResponse,
  openAIResponseCompletedEvent,
  openAIStreamChunk,
  openAIStreamFinalChunk,
  xaiChatUsage,
} from '../fixtures/payloads.js';

function invalidField(payload: unknown): string {
  try {
    fromOpenAI(payload);
  } catch (error) {
    expect(isKernelError(error, 'INVALID_ARGUMENT')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('fromOpenAI — chat completions', () => {
  it('maps a completion: prompt includes cache, cached tokens become cache reads', () => {
    expect(fromOpenAI(openAIChatCompletion)).toEqual({
      inputTokens: 2006,
      outputTokens: 300,
      cacheReadTokens: 1920,
      reasoningTokens: 0,
    });
    expect(fromOpenAI(openAIChatCompletion.usage)).toEqual(fromOpenAI(openAIChatCompletion));
  });

  it('keeps reasoning inside the completion count', () => {
    expect(fromOpenAI(openAIReasoningUsage)).toEqual({
      inputTokens: 1200,
      outputTokens: 1800,
      cacheReadTokens: 0,
      reasoningTokens: 1024,
    });
  });

  it('maps cache writes next to cache reads', () => {
    expect(fromOpenAI(openAICacheWriteUsage)).toMatchObject({
      inputTokens: 2600,
      cacheReadTokens: 2000,
      cacheWriteTokens: 400,
    });
  });

  it('reads the final stream chunk (empty choices) and refuses a chunk without usage', () => {
    expect(fromOpenAI(openAIStreamFinalChunk)).toEqual({
      inputTokens: 1536,
      outputTokens: 42,
      cacheReadTokens: 1280,
      reasoningTokens: 0,
    });
    expect(invalidField(openAIStreamChunk)).toContain('`usage`');
  });

  it("adds xAI's reasoning, which total_tokens shows outside completion_tokens", () => {
    const usage = fromOpenAI(xaiChatUsage);
    expect(usage.outputTokens).toBe(xaiChatUsage.completion_tokens + 2809);
    expect(usage.inputTokens + usage.outputTokens).toBe(xaiChatUsage.total_tokens);
    expect(usage.reasoningTokens).toBe(2809);
  });

  it("reads DeepSeek's prompt_cache_hit_tokens when prompt_tokens_details is absent", () => {
    expect(fromOpenAI(deepSeekUsage)).toEqual({
      inputTokens: 1500,
      outputTokens: 200,
      cacheReadTokens: 1024,
    });
  });

  it('omits details reported as null', () => {
    expect(
      fromOpenAI({
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        prompt_tokens_details: null,
        completion_tokens_details: null,
      }),
    ).toEqual({ inputTokens: 10, outputTokens: 5 });
  });

  it.each([
    [{ prompt_tokens: -1, completion_tokens: 1 }, 'usage.prompt_tokens'],
    [{ prompt_tokens: 1.5, completion_tokens: 1 }, 'usage.prompt_tokens'],
    [{ prompt_tokens: 1 }, 'usage.completion_tokens'],
    [{ prompt_tokens: '10', completion_tokens: 1 }, 'usage.prompt_tokens'],
    [
      { prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: { cached_tokens: -3 } },
      'usage.prompt_tokens_details.cached_tokens',
    ],
    [
      { prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 11 } },
      'usage.prompt_tokens_details.cached_tokens + cache_write_tokens',
    ],
    [
      { prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: 7 },
      'usage.prompt_tokens_details',
    ],
    [
      {
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        completion_tokens_details: { reasoning_tokens: 6 },
      },
      'usage.completion_tokens_details.reasoning_tokens',
    ],
  ])('rejects %j naming %s', (payload, field) => {
    expect(invalidField(payload)).toContain(`\`${field}\``);
  });

  it('rejects something that is not OpenAI usage', () => {
    expect(invalidField({ foo: 1 })).toContain('`usage`');
    expect(invalidField(null)).toContain('`usage`');
  });
});

describe('fromOpenAI — responses', () => {
  it('maps a response, its usage and the response.completed event alike', () => {
    const expected = {
      inputTokens: 3236,
      outputTokens: 870,
      cacheReadTokens: 3072,
      reasoningTokens: 640,
    };
    expect(fromOpenAI(openAIResponse)).toEqual(expected);
    expect(fromOpenAI(openAIResponse.usage)).toEqual(expected);
    expect(fromOpenAI(openAIResponseCompletedEvent)).toEqual(expected);
  });

  it.each([
    [{ input_tokens: 5 }, 'usage.output_tokens'],
    [
      { input_tokens: 5, output_tokens: 1, input_tokens_details: { cached_tokens: 6 } },
      'usage.input_tokens_details.cached_tokens + cache_write_tokens',
    ],
    [
      { input_tokens: 5, output_tokens: 1, output_tokens_details: { reasoning_tokens: -1 } },
      'usage.output_tokens_details.reasoning_tokens',
    ],
  ])('rejects %j naming %s', (payload, field) => {
    expect(invalidField(payload)).toContain(`\`${field}\``);
  });
});

describe('fromOpenAI — cached tokens are neither double-counted nor dropped', () => {
  const pricing = createPricing({ clock: new FakeClock() });
  const rates = publishedFlatRates('openai', 'gpt-4o');
  const price = pricing.resolve('gpt-4o');
  const nano = (perMTok: number, tokens: number): number =>
    Math.round((tokens * perMTok * 1e9) / 1e6);

  it('charges 86 uncached and 1920 cached prompt tokens, not 2006 + 1920 nor 2006 uncached', () => {
    const usage = fromOpenAI(openAIChatCompletion);
    expect(usage.inputTokens).toBe(openAIChatCompletion.usage.prompt_tokens);
    expect(pricing.cost(price, usage)).toBe(
      nano(rates.input, 86) + nano(rates.cacheRead!, 1920) + nano(rates.output, 300),
    );
  });

  it('charges the responses API the same way', () => {
    const usage = fromOpenAI(openAIResponse);
    expect(pricing.cost(price, usage)).toBe(
      nano(rates.input, 3236 - 3072) + nano(rates.cacheRead!, 3072) + nano(rates.output, 870),
    );
  });
});
