import { AIMessage, AIMessageChunk } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { isKernelError } from '../../../src/errors.js';
import { fromLangChain } from '../../../src/pricing/adapters/from-langchain.js';
import { createPricing } from '../../../src/pricing/pricing.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { publishedFlatRates } from '../fixtures/published-rates.js';
import { langChainAnthropicUsage, langChainOpenAIUsage } from '../fixtures/payloads.js';

function invalidField(payload: unknown): string {
  try {
    fromLangChain(payload);
  } catch (error) {
    expect(isKernelError(error, 'INVALID_ARGUMENT')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('fromLangChain', () => {
  it('maps usage_metadata, whose input_tokens already include the cache', () => {
    expect(fromLangChain(langChainOpenAIUsage)).toEqual({
      inputTokens: 2006,
      outputTokens: 300,
      cacheReadTokens: 1920,
      reasoningTokens: 0,
    });
    expect(fromLangChain(langChainAnthropicUsage)).toEqual({
      inputTokens: 188384,
      outputTokens: 503,
      cacheReadTokens: 188086,
      cacheWriteTokens: 248,
    });
  });

  it('reads the usage_metadata of a real AIMessage and AIMessageChunk', () => {
    // @langchain/core 1.x infers `usage_metadata` as undefined for the default message structure
    // under this TypeScript; the runtime takes it as documented.
    const message = new AIMessage({
      content: 'Hello!',
      usage_metadata: langChainOpenAIUsage,
    } as never);
    expect(fromLangChain(message)).toEqual(fromLangChain(langChainOpenAIUsage));
    const chunk = new AIMessageChunk({
      content: '',
      usage_metadata: langChainAnthropicUsage,
    } as never);
    expect(fromLangChain(chunk)).toEqual(fromLangChain(langChainAnthropicUsage));
  });

  it('refuses a message without usage_metadata', () => {
    expect(invalidField(new AIMessage({ content: 'Hello!' }))).toContain('`usage`');
  });

  it('adds reasoning that total_tokens shows outside output_tokens', () => {
    expect(
      fromLangChain({
        input_tokens: 100,
        output_tokens: 20,
        total_tokens: 150,
        output_token_details: { reasoning: 30 },
      }),
    ).toEqual({ inputTokens: 100, outputTokens: 50, reasoningTokens: 30 });
  });

  it.each([
    [{ input_tokens: 10 }, 'usage.output_tokens'],
    [{ input_tokens: -1, output_tokens: 1 }, 'usage.input_tokens'],
    [
      {
        input_tokens: 10,
        output_tokens: 1,
        input_token_details: { cache_read: 8, cache_creation: 3 },
      },
      'usage.input_token_details.cache_read + cache_creation',
    ],
    [
      { input_tokens: 10, output_tokens: 1, output_token_details: { reasoning: 0.5 } },
      'usage.output_token_details.reasoning',
    ],
    [
      {
        input_tokens: 10,
        output_tokens: 1,
        total_tokens: 11,
        output_token_details: { reasoning: 2 },
      },
      'usage.output_token_details.reasoning',
    ],
  ])('rejects %j naming %s', (payload, field) => {
    expect(invalidField(payload)).toContain(`\`${field}\``);
  });
});

describe('fromLangChain — cached tokens are neither double-counted nor dropped', () => {
  it('charges the Anthropic call through LangChain as Anthropic bills it', () => {
    const pricing = createPricing({ clock: new FakeClock() });
    const rates = publishedFlatRates('anthropic', 'claude-sonnet-4-0');
    const nano = (perMTok: number, tokens: number): number =>
      Math.round((tokens * perMTok * 1e9) / 1e6);
    const usage = fromLangChain(langChainAnthropicUsage);
    expect(pricing.cost(pricing.resolve('claude-sonnet-4-20250514'), usage)).toBe(
      nano(rates.input, 50) +
        nano(rates.cacheRead!, 188086) +
        nano(rates.cacheWrite!, 248) +
        nano(rates.output, 503),
    );
  });
});
