import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromAISDK } from '../../../src/pricing/adapters/from-ai-sdk.js';
import {
  fromAnthropic,
  mergeAnthropicStreamUsage,
} from '../../../src/pricing/adapters/from-anthropic.js';
import { fromLangChain } from '../../../src/pricing/adapters/from-langchain.js';
import { fromOpenAI } from '../../../src/pricing/adapters/from-openai.js';
import { validateUsage } from '../../../src/usage.js';

const RUNS = { seed: 4_242, numRuns: 300 };
const count = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2_000_000 }));

/** One call's disjoint token classes, as every provider would bill them. */
const call = fc.record({
  uncached: count,
  read: count,
  write: count,
  text: count,
  reasoning: count,
});

describe('every adapter maps the same call to the same inclusive usage', () => {
  it('for OpenAI chat and responses, Anthropic, AI SDK v6 and LangChain shapes', () => {
    fc.assert(
      fc.property(call, ({ uncached, read, write, text, reasoning }) => {
        const input = uncached + read + write;
        const output = text + reasoning;
        const expected = {
          inputTokens: input,
          outputTokens: output,
          cacheReadTokens: read,
          cacheWriteTokens: write,
          reasoningTokens: reasoning,
        };
        const shapes = {
          openAIChat: fromOpenAI({
            prompt_tokens: input,
            completion_tokens: output,
            total_tokens: input + output,
            prompt_tokens_details: { cached_tokens: read, cache_write_tokens: write },
            completion_tokens_details: { reasoning_tokens: reasoning },
          }),
          xaiChat: fromOpenAI({
            prompt_tokens: input,
            completion_tokens: text,
            total_tokens: input + text + reasoning,
            prompt_tokens_details: { cached_tokens: read, cache_write_tokens: write },
            completion_tokens_details: { reasoning_tokens: reasoning },
          }),
          openAIResponses: fromOpenAI({
            input_tokens: input,
            input_tokens_details: { cached_tokens: read, cache_write_tokens: write },
            output_tokens: output,
            output_tokens_details: { reasoning_tokens: reasoning },
            total_tokens: input + output,
          }),
          anthropic: fromAnthropic({
            input_tokens: uncached,
            cache_read_input_tokens: read,
            cache_creation_input_tokens: write,
            output_tokens: output,
            output_tokens_details: { thinking_tokens: reasoning },
          }),
          anthropicStream: mergeAnthropicStreamUsage(
            {
              type: 'message_start',
              message: {
                usage: {
                  input_tokens: uncached,
                  cache_read_input_tokens: read,
                  cache_creation_input_tokens: write,
                  output_tokens: 1,
                },
              },
            },
            {
              type: 'message_delta',
              usage: {
                input_tokens: null,
                cache_read_input_tokens: null,
                cache_creation_input_tokens: null,
                output_tokens: output,
                output_tokens_details: { thinking_tokens: reasoning },
              },
            },
          ),
          aiSdkV3: fromAISDK({
            inputTokens: { total: input, noCache: uncached, cacheRead: read, cacheWrite: write },
            outputTokens: { total: output, text, reasoning },
          }),
          aiSdkV3Parts: fromAISDK({
            inputTokens: {
              total: undefined,
              noCache: uncached,
              cacheRead: read,
              cacheWrite: write,
            },
            outputTokens: { total: undefined, text, reasoning },
          }),
          aiSdkResult: fromAISDK({
            inputTokens: input,
            inputTokenDetails: {
              noCacheTokens: uncached,
              cacheReadTokens: read,
              cacheWriteTokens: write,
            },
            outputTokens: output,
            outputTokenDetails: { textTokens: text, reasoningTokens: reasoning },
            totalTokens: input + output,
          }),
          langChain: fromLangChain({
            input_tokens: input,
            output_tokens: output,
            total_tokens: input + output,
            input_token_details: { cache_read: read, cache_creation: write },
            output_token_details: { reasoning },
          }),
        };
        for (const [shape, usage] of Object.entries(shapes)) {
          expect({ shape, usage }).toEqual({ shape, usage: expected });
          expect(validateUsage(usage)).toBe(usage);
        }
      }),
      RUNS,
    );
  });

  it('for AI SDK v5, which has no cache writes', () => {
    fc.assert(
      fc.property(call, ({ uncached, read, text, reasoning }) => {
        const input = uncached + read;
        const output = text + reasoning;
        expect(
          fromAISDK({
            inputTokens: input,
            outputTokens: output,
            totalTokens: input + output,
            reasoningTokens: reasoning,
            cachedInputTokens: read,
          }),
        ).toEqual({
          inputTokens: input,
          outputTokens: output,
          cacheReadTokens: read,
          reasoningTokens: reasoning,
        });
      }),
      RUNS,
    );
  });
});
