import { describe, expect, it } from 'vitest';
import { isKernelError } from '../../src/errors.js';
import { genAiSpanAttributes, type GenAiCallInput } from '../../src/telemetry/gen-ai-attributes.js';

const CALL: GenAiCallInput = {
  operation: 'chat',
  provider: 'anthropic',
  model: 'claude-sonnet-4',
  agentId: 'researcher',
  usage: {
    inputTokens: 1_200,
    outputTokens: 300,
    cacheReadTokens: 800,
    cacheWriteTokens: 100,
    reasoningTokens: 120,
  },
  costNano: 6_150_000,
  cached: false,
};

function invalidArgument(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isKernelError(error, 'INVALID_ARGUMENT')) return error.message;
    throw error;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('genAiSpanAttributes', () => {
  it('writes the OpenTelemetry GenAI names as strings, with the usage of the call', () => {
    const a = genAiSpanAttributes(CALL);
    expect(a).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4',
      'gen_ai.agent.id': 'researcher',
      'gen_ai.usage.input_tokens': 1_200,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.cache_read.input_tokens': 800,
      'gen_ai.usage.cache_creation.input_tokens': 100,
      'gen_ai.usage.reasoning.output_tokens': 120,
      'token_kernel.cost.usd': 0.00615,
      'token_kernel.cost.nano_usd': 6_150_000,
      'token_kernel.cache.hit': false,
      'token_kernel.cache.tokens_saved': 0,
    });
  });

  it('leaves out unknown optional usage fields instead of reporting them as 0', () => {
    const { provider: _provider, ...withoutProvider } = CALL;
    const a = genAiSpanAttributes({
      ...withoutProvider,
      usage: { inputTokens: 10, outputTokens: 2 },
    });
    expect(Object.keys(a).filter((k) => k.startsWith('gen_ai.'))).toEqual([
      'gen_ai.operation.name',
      'gen_ai.request.model',
      'gen_ai.agent.id',
      'gen_ai.usage.input_tokens',
      'gen_ai.usage.output_tokens',
    ]);
  });

  it('reports a cache hit as zero tokens consumed and its usage as tokens saved', () => {
    const a = genAiSpanAttributes({
      ...CALL,
      cached: true,
      costNano: 0,
      costSavedNano: 6_150_000,
    });
    expect(a['gen_ai.usage.input_tokens']).toBe(0);
    expect(a['gen_ai.usage.output_tokens']).toBe(0);
    expect(a['gen_ai.usage.cache_read.input_tokens']).toBeUndefined();
    expect(a['token_kernel.cache.hit']).toBe(true);
    expect(a['token_kernel.cache.tokens_saved']).toBe(1_500);
    expect(a['token_kernel.cache.cost_saved.usd']).toBe(0.00615);
    expect(a['token_kernel.cache.cost_saved.nano_usd']).toBe(6_150_000);
    expect(a['token_kernel.cost.usd']).toBe(0);
  });

  it('takes tokensSaved, utilization, compression ratio and response model when given', () => {
    const a = genAiSpanAttributes({
      ...CALL,
      tokensSaved: 42,
      utilization: 0.875,
      compressionRatio: 0.4,
      responseModel: 'claude-sonnet-4-20250514',
    });
    expect(a).toMatchObject({
      'token_kernel.cache.tokens_saved': 42,
      'token_kernel.budget.utilization': 0.875,
      'token_kernel.compression.ratio': 0.4,
      'gen_ai.response.model': 'claude-sonnet-4-20250514',
    });
  });

  it('refuses bad input, naming the field', () => {
    expect(invalidArgument(() => genAiSpanAttributes({ ...CALL, model: '' }))).toMatch(/`model`/);
    expect(invalidArgument(() => genAiSpanAttributes({ ...CALL, costNano: -1 }))).toMatch(
      /`costNano`.*`-1`/,
    );
    expect(invalidArgument(() => genAiSpanAttributes({ ...CALL, costNano: 1.5 }))).toMatch(
      /`costNano`/,
    );
    expect(
      invalidArgument(() =>
        genAiSpanAttributes({ ...CALL, usage: { inputTokens: 1, outputTokens: -2 } }),
      ),
    ).toMatch(/usage\.outputTokens/);
    expect(
      invalidArgument(() => genAiSpanAttributes({ ...CALL, cached: 'yes' as unknown as boolean })),
    ).toMatch(/`cached`/);
    expect(invalidArgument(() => genAiSpanAttributes({ ...CALL, utilization: NaN }))).toMatch(
      /`utilization`/,
    );
    expect(invalidArgument(() => genAiSpanAttributes({ ...CALL, compressionRatio: -0.1 }))).toMatch(
      /`compressionRatio`/,
    );
    expect(invalidArgument(() => genAiSpanAttributes(null as unknown as GenAiCallInput))).toMatch(
      /`call`/,
    );
  });
});
