import { describe, expect, it } from 'vitest';
import { isKernelError } from '../../../src/errors.js';
import {
  fromAnthropic,
  mergeAnthropicStreamUsage,
} from '../../../src/pricing/adapters/from-anthropic.js';
import { createPricing } from '../../../src/pricing/pricing.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { publishedFlatRates } from '../fixtures/published-rates.js';
import {
  anthropicCacheHitUsage,
  anthropicMessage,
  anthropicMessageDelta,
  anthropicMessageStart,
} from '../fixtures/payloads.js';

function invalidField(payload: unknown): string {
  try {
    fromAnthropic(payload);
  } catch (error) {
    expect(isKernelError(error, 'INVALID_ARGUMENT')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('fromAnthropic', () => {
  it('adds cache reads and writes back to the uncached input_tokens', () => {
    expect(fromAnthropic(anthropicMessage)).toEqual({
      inputTokens: 21 + 188086,
      outputTokens: 393,
      cacheReadTokens: 0,
      cacheWriteTokens: 188086,
    });
    expect(fromAnthropic(anthropicCacheHitUsage)).toEqual({
      inputTokens: 50 + 248 + 188086,
      outputTokens: 503,
      cacheReadTokens: 188086,
      cacheWriteTokens: 248,
      reasoningTokens: 311,
    });
  });

  it('reads cache writes from the cache_creation breakdown when the total is absent', () => {
    expect(
      fromAnthropic({
        input_tokens: 10,
        output_tokens: 1,
        cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 1000 },
      }),
    ).toEqual({ inputTokens: 1110, outputTokens: 1, cacheWriteTokens: 1100 });
  });

  it('counts the larger of the total and the breakdown when they disagree', () => {
    expect(
      fromAnthropic({
        input_tokens: 10,
        output_tokens: 1,
        cache_creation_input_tokens: 100,
        cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 50 },
      }).cacheWriteTokens,
    ).toBe(150);
  });

  it('omits cache fields reported as null', () => {
    expect(
      fromAnthropic({
        input_tokens: 12,
        output_tokens: 3,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: null,
        cache_creation: null,
      }),
    ).toEqual({ inputTokens: 12, outputTokens: 3 });
  });

  it('merges message_start usage with the cumulative message_delta usage', () => {
    expect(mergeAnthropicStreamUsage(anthropicMessageStart, anthropicMessageDelta)).toEqual({
      inputTokens: 25 + 2048,
      outputTokens: 15,
      cacheReadTokens: 2048,
      cacheWriteTokens: 0,
    });
    expect(
      mergeAnthropicStreamUsage(anthropicMessageStart.message.usage, anthropicMessageDelta.usage),
    ).toEqual(mergeAnthropicStreamUsage(anthropicMessageStart, anthropicMessageDelta));
  });

  it('lets non-null delta fields replace the start ones', () => {
    const delta = {
      type: 'message_delta',
      usage: {
        input_tokens: 25,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 4096,
        output_tokens: 600,
        output_tokens_details: { thinking_tokens: 400 },
      },
    };
    expect(mergeAnthropicStreamUsage(anthropicMessageStart, delta)).toEqual({
      inputTokens: 25 + 4096,
      outputTokens: 600,
      cacheReadTokens: 4096,
      cacheWriteTokens: 0,
      reasoningTokens: 400,
    });
  });

  it.each([
    [{ output_tokens: 1 }, '`usage.input_tokens`'],
    [{ input_tokens: -1, output_tokens: 1 }, '`usage.input_tokens`'],
    [{ input_tokens: 1, output_tokens: 2.5 }, '`usage.output_tokens`'],
    [
      { input_tokens: 1, output_tokens: 1, cache_read_input_tokens: -5 },
      '`usage.cache_read_input_tokens`',
    ],
    [
      { input_tokens: 1, output_tokens: 1, cache_creation: { ephemeral_1h_input_tokens: 'x' } },
      '`usage.cache_creation.ephemeral_1h_input_tokens`',
    ],
    [
      { input_tokens: 1, output_tokens: 1, output_tokens_details: { thinking_tokens: 2 } },
      '`usage.output_tokens_details.thinking_tokens`',
    ],
  ])('rejects %j naming %s', (payload, field) => {
    expect(invalidField(payload)).toContain(field);
  });
});

describe('fromAnthropic — cached tokens are neither double-counted nor dropped', () => {
  const pricing = createPricing({ clock: new FakeClock() });
  const rates = publishedFlatRates('anthropic', 'claude-sonnet-4-0');
  const price = pricing.resolve('claude-sonnet-4-20250514');
  const nano = (perMTok: number, tokens: number): number =>
    Math.round((tokens * perMTok * 1e9) / 1e6);

  it('charges each cache class once at its own rate, and the uncached 50 tokens at the input rate', () => {
    const usage = fromAnthropic(anthropicCacheHitUsage);
    expect(pricing.cost(price, usage)).toBe(
      nano(rates.input, 50) +
        nano(rates.cacheRead!, 188086) +
        nano(rates.cacheWrite!, 248) +
        nano(rates.output, 503),
    );
  });

  it('charges a streamed message its cache reads from message_start', () => {
    const usage = mergeAnthropicStreamUsage(anthropicMessageStart, anthropicMessageDelta);
    expect(pricing.cost(price, usage)).toBe(
      nano(rates.input, 25) + nano(rates.cacheRead!, 2048) + nano(rates.output, 15),
    );
  });
});
