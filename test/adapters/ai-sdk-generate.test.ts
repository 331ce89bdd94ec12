import {
  APICallError,
  type LanguageModelV3CallOptions,
  type LanguageModelV3Middleware,
} from '@ai-sdk/provider';
import { generateText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tokenKernelMiddleware } from '../../src/adapters/ai-sdk-middleware.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { countText } from '../../src/tokens/bpe-count.js';
import { makeKernel } from '../helpers/kernel-fixture.js';
import {
  generated,
  INPUT,
  PROMPT,
  SYSTEM,
  UNKNOWN_USAGE,
  v3Usage,
} from './support/ai-sdk-fixtures.js';
import { Outcomes } from './support/outcomes.js';

let kernel: Kernel;

beforeEach(() => {
  kernel = makeKernel({ totalBudget: 1_000_000 }).kernel;
});

afterEach(async () => {
  expect(kernel.status().reservations).toBe(0);
  await kernel.close();
});

describe('tokenKernelMiddleware: types and parameters', () => {
  it('is a LanguageModelV3Middleware, and a v4 one on request', () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: 1_000 });
    const v3: LanguageModelV3Middleware = tokenKernelMiddleware(agent);
    expect(v3.specificationVersion).toBe('v3');
    expect(tokenKernelMiddleware(agent, { specificationVersion: 'v4' }).specificationVersion).toBe(
      'v4',
    );
    expect(() => tokenKernelMiddleware(agent, { cache: 'always' as never })).toThrow(
      'Expected `options.cache`',
    );
  });

  it('transformParams lowers maxOutputTokens to the headroom and leaves an uncapped request alone', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: INPUT + 100 });
    const middleware = tokenKernelMiddleware(agent);
    const model = new MockLanguageModelV3({ modelId: 'gpt-4o' });
    const params: LanguageModelV3CallOptions = {
      prompt: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: [{ type: 'text', text: PROMPT }] },
      ],
      maxOutputTokens: 4_096,
    };
    const capped = await middleware.transformParams({ type: 'generate', params, model });
    expect(capped.maxOutputTokens).toBe(100);
    const small = await middleware.transformParams({
      type: 'stream',
      params: { ...params, maxOutputTokens: 50 },
      model,
    });
    expect(small.maxOutputTokens).toBe(50);
    const { maxOutputTokens: _, ...open } = params;
    expect(await middleware.transformParams({ type: 'generate', params: open, model })).toBe(open);
  });
});

describe('tokenKernelMiddleware: generate', () => {
  it('books the v3 usage (cache read/write, reasoning) and sends the capped output limit', async () => {
    const model = new MockLanguageModelV3({
      modelId: 'gpt-4o',
      doGenerate: generated(
        'Io and Europa.',
        v3Usage({ input: 3_000, output: 200, cacheRead: 2_500, cacheWrite: 100, reasoning: 64 }),
      ),
    });
    const agent = kernel.spawn({ id: 'a', maxTokens: INPUT + 300 });
    const wrapped = wrapLanguageModel({ model, middleware: tokenKernelMiddleware(agent) });
    const { text } = await generateText({
      model: wrapped,
      system: SYSTEM,
      prompt: PROMPT,
      maxOutputTokens: 1_000,
      maxRetries: 0,
    });
    expect(text).toBe('Io and Europa.');
    expect(model.doGenerateCalls[0]?.maxOutputTokens).toBe(300);
    expect(model.doGenerateCalls[0]?.abortSignal).toBeInstanceOf(AbortSignal);
    const usage = {
      inputTokens: 3_000,
      outputTokens: 200,
      cacheReadTokens: 2_500,
      cacheWriteTokens: 100,
      reasoningTokens: 64,
    };
    expect(kernel.records().map((r) => r.usage)).toEqual([usage]);
    expect(kernel.records()[0]?.costNano).toBe(
      kernel.pricing.cost(kernel.pricing.resolve('gpt-4o'), usage),
    );
  });

  it('sets an output limit when the call has none, within the headroom', async () => {
    const model = new MockLanguageModelV3({
      modelId: 'gpt-4o',
      doGenerate: generated('x', v3Usage({ input: 20, output: 1 })),
    });
    const agent = kernel.spawn({ id: 'a', maxTokens: 5_000 });
    const room = agent.headroom({ model: 'gpt-4o', inputTokens: INPUT }).maxOutputTokens;
    const wrapped = wrapLanguageModel({ model, middleware: tokenKernelMiddleware(agent) });
    await generateText({ model: wrapped, system: SYSTEM, prompt: PROMPT, maxRetries: 0 });
    const cap = model.doGenerateCalls[0]?.maxOutputTokens ?? 0;
    expect(cap).toBeGreaterThan(0);
    expect(cap).toBeLessThanOrEqual(room);
  });

  it('estimates a generate result whose usage is unknown: input counted + answer text', async () => {
    const answer = 'Ganymede and Callisto, the two largest.';
    const model = new MockLanguageModelV3({
      modelId: 'gpt-4o',
      doGenerate: generated(answer, UNKNOWN_USAGE),
    });
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 5_000 });
    const wrapped = wrapLanguageModel({
      model,
      middleware: tokenKernelMiddleware(agent, { onSettle: outcomes.onSettle }),
    });
    await generateText({ model: wrapped, system: SYSTEM, prompt: PROMPT, maxRetries: 0 });
    expect(await outcomes.next()).toMatchObject({ ok: true, result: { estimated: true } });
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: INPUT, outputTokens: countText(JSON.stringify(answer), 'o200k_base') },
    ]);
  });

  it('cancels on a 400 APICallError and books the input on a 500', async () => {
    const fail = (statusCode: number) => async () => {
      throw new APICallError({
        message: `HTTP ${statusCode}`,
        url: 'http://127.0.0.1/v1',
        requestBodyValues: {},
        statusCode,
        isRetryable: false,
      });
    };
    const agent = kernel.spawn({ id: 'a', maxTokens: 5_000 });
    const middleware = tokenKernelMiddleware(agent);
    for (const status of [400, 500]) {
      const model = new MockLanguageModelV3({ modelId: 'gpt-4o', doGenerate: fail(status) });
      const wrapped = wrapLanguageModel({ model, middleware });
      await expect(
        generateText({ model: wrapped, system: SYSTEM, prompt: PROMPT, maxRetries: 0 }),
      ).rejects.toMatchObject({ statusCode: status });
    }
    expect(kernel.records().map((r) => r.usage)).toEqual([{ inputTokens: INPUT, outputTokens: 0 }]);
  });

  it('serves an identical temperature-0 call from the response cache', async () => {
    const model = new MockLanguageModelV3({
      modelId: 'gpt-4o',
      doGenerate: generated('Io.', v3Usage({ input: 20, output: 2 })),
    });
    const agent = kernel.spawn({ id: 'a', maxTokens: 5_000 });
    const wrapped = wrapLanguageModel({ model, middleware: tokenKernelMiddleware(agent) });
    const call = () =>
      generateText({
        model: wrapped,
        prompt: PROMPT,
        temperature: 0,
        maxOutputTokens: 10,
        maxRetries: 0,
      });
    expect((await call()).text).toBe('Io.');
    expect((await call()).text).toBe('Io.');
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(kernel.records().map((r) => r.cached)).toEqual([false, true]);
  });
});
