import { describe, expect, it } from 'vitest';
import { isKernelError } from '../../../src/errors.js';
import { fromAISDK } from '../../../src/pricing/adapters/from-ai-sdk.js';
import { createPricing } from '../../../src/pricing/pricing.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { publishedFlatRates } from '../fixtures/published-rates.js';
import {
  aiSdkV3AnthropicUsage,
  aiSdkV3FinishPart,
  aiSdkV3OpenAIUsage,
  aiSdkV5AnthropicUsage,
  aiSdkV5GoogleUsage,
  aiSdkV5OpenAIUsage,
  aiSdkV6ResultUsage,
} from '../fixtures/payloads.js';

function invalidField(payload: unknown): string {
  try {
    fromAISDK(payload);
  } catch (error) {
    expect(isKernelError(error, 'INVALID_ARGUMENT')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

const OPENAI_CALL = {
  inputTokens: 2006,
  outputTokens: 300,
  cacheReadTokens: 1920,
  reasoningTokens: 0,
};

describe('fromAISDK — v6/v7 usage', () => {
  it('maps LanguageModelV3Usage, the finish stream part and the generateText usage alike', () => {
    expect(fromAISDK(aiSdkV3OpenAIUsage)).toEqual(OPENAI_CALL);
    expect(fromAISDK(aiSdkV3FinishPart)).toEqual(OPENAI_CALL);
    expect(fromAISDK(aiSdkV6ResultUsage)).toEqual(OPENAI_CALL);
  });

  it('keeps cache writes and reads inside the inclusive total', () => {
    expect(fromAISDK(aiSdkV3AnthropicUsage)).toEqual({
      inputTokens: 188384,
      outputTokens: 503,
      cacheReadTokens: 188086,
      cacheWriteTokens: 248,
    });
  });

  it('derives a missing total from its parts', () => {
    expect(
      fromAISDK({
        inputTokens: { total: undefined, noCache: 10, cacheRead: 20, cacheWrite: 5 },
        outputTokens: { total: undefined, text: 7, reasoning: 3 },
      }),
    ).toEqual({
      inputTokens: 35,
      outputTokens: 10,
      cacheReadTokens: 20,
      cacheWriteTokens: 5,
      reasoningTokens: 3,
    });
  });

  it.each([
    [
      { inputTokens: { total: undefined, noCache: undefined }, outputTokens: { total: 1 } },
      'usage.inputTokens.total',
    ],
    [{ inputTokens: { total: 5 }, outputTokens: { total: undefined } }, 'usage.outputTokens.total'],
    [
      { inputTokens: { total: 5, cacheRead: 6 }, outputTokens: { total: 1 } },
      'usage.inputTokens.cacheRead + cacheWrite',
    ],
    [{ inputTokens: { total: -5 }, outputTokens: { total: 1 } }, 'usage.inputTokens.total'],
    [
      { inputTokens: { total: 5 }, outputTokens: { total: 2, reasoning: 3 } },
      'usage.outputTokens.reasoning',
    ],
    [
      {
        inputTokens: 5,
        inputTokenDetails: {},
        outputTokens: 2,
        outputTokenDetails: { reasoningTokens: 3 },
      },
      'usage.outputTokenDetails.reasoningTokens',
    ],
    [
      { inputTokens: 5, inputTokenDetails: { cacheReadTokens: 1.5 }, outputTokens: 1 },
      'usage.inputTokenDetails.cacheReadTokens',
    ],
  ])('rejects %j naming %s', (payload, field) => {
    expect(invalidField(payload)).toContain(`\`${field}\``);
  });
});

describe('fromAISDK — v5 usage', () => {
  it('maps LanguageModelV2Usage with the cached count inside the input', () => {
    expect(fromAISDK(aiSdkV5OpenAIUsage)).toEqual(OPENAI_CALL);
  });

  it("adds Gemini's thoughts, which totalTokens shows outside outputTokens", () => {
    expect(fromAISDK(aiSdkV5GoogleUsage)).toEqual({
      inputTokens: 1200,
      outputTokens: 1174,
      reasoningTokens: 1024,
    });
  });

  it('adds a cached count larger than the input (only possible when left out of it)', () => {
    expect(fromAISDK(aiSdkV5AnthropicUsage)).toEqual({
      inputTokens: 25 + 2048,
      outputTokens: 100,
      cacheReadTokens: 2048,
    });
  });

  it('adds the cached count when told the input leaves it out', () => {
    const usage = {
      inputTokens: 3000,
      outputTokens: 10,
      totalTokens: 3010,
      cachedInputTokens: 2048,
    };
    expect(fromAISDK(usage).inputTokens).toBe(3000);
    expect(fromAISDK(usage, { v5CacheExcludedFromInput: true }).inputTokens).toBe(5048);
  });

  it('refuses undefined counts instead of pricing them at zero', () => {
    expect(
      invalidField({ inputTokens: undefined, outputTokens: 5, totalTokens: undefined }),
    ).toContain('`usage.inputTokens`');
    expect(invalidField({ inputTokens: 5, outputTokens: undefined, totalTokens: 5 })).toContain(
      '`usage.outputTokens`',
    );
  });
});

describe('fromAISDK — cached tokens are neither double-counted nor dropped', () => {
  const pricing = createPricing({ clock: new FakeClock() });
  const rates = publishedFlatRates('openai', 'gpt-4o');
  const price = pricing.resolve('gpt-4o');
  const nano = (perMTok: number, tokens: number): number =>
    Math.round((tokens * perMTok * 1e9) / 1e6);
  const expected = nano(rates.input, 86) + nano(rates.cacheRead!, 1920) + nano(rates.output, 300);

  it.each([
    ['v6 provider usage', aiSdkV3OpenAIUsage],
    ['v6 result usage', aiSdkV6ResultUsage],
    ['v5 usage', aiSdkV5OpenAIUsage],
  ])('charges %s as the provider billed it', (_, payload) => {
    expect(pricing.cost(price, fromAISDK(payload))).toBe(expected);
  });
});
