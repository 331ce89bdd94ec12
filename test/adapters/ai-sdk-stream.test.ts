import { APICallError, type LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { streamText, wrapLanguageModel } from 'ai';
import { convertArrayToReadableStream, MockLanguageModelV3 } from 'ai/test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tokenKernelMiddleware } from '../../src/adapters/ai-sdk-middleware.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { countChatMessages } from '../../src/tokens/count-chat-messages.js';
import { makeKernel } from '../helpers/kernel-fixture.js';
import {
  heldStream,
  INPUT,
  parts,
  PROMPT,
  PROMPT_V3,
  seen,
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

describe('tokenKernelMiddleware: stream', () => {
  it('passes the parts through and settles on the finish part’s usage', async () => {
    const usage = v3Usage({ input: 1_500, output: 30, cacheRead: 1_024, reasoning: 5 });
    const model = new MockLanguageModelV3({
      modelId: 'gpt-4o',
      doStream: { stream: convertArrayToReadableStream(parts(['Io', ' and', ' Europa'], usage)) },
    });
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000 });
    const wrapped = wrapLanguageModel({
      model,
      middleware: tokenKernelMiddleware(agent, { onSettle: outcomes.onSettle }),
    });
    const result = streamText({
      model: wrapped,
      system: SYSTEM,
      prompt: PROMPT,
      maxOutputTokens: 64,
    });
    let text = '';
    for await (const piece of result.textStream) text += piece;
    expect(text).toBe('Io and Europa');
    expect(model.doStreamCalls[0]?.maxOutputTokens).toBe(64);
    expect(await outcomes.next()).toMatchObject({
      ok: true,
      stream: true,
      result: { estimated: false },
    });
    expect(kernel.records().map((r) => r.usage)).toEqual([
      {
        inputTokens: 1_500,
        outputTokens: 30,
        cacheReadTokens: 1_024,
        cacheWriteTokens: 0,
        reasoningTokens: 5,
      },
    ]);
  });

  it('settles a stream that closes without a finish part with the input and the output seen', async () => {
    const model = new MockLanguageModelV3({
      modelId: 'gpt-4o',
      doStream: { stream: convertArrayToReadableStream(parts(['Io', ' and'])) },
    });
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000 });
    const middleware = tokenKernelMiddleware(agent, { onSettle: outcomes.onSettle });
    const wrapped = wrapLanguageModel({ model, middleware });
    const { stream } = await wrapped.doStream({
      prompt: PROMPT_V3,
    });
    const reader = stream.getReader();
    while (!(await reader.read()).done);
    expect(await outcomes.next()).toMatchObject({ ok: true, result: { estimated: true } });
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: INPUT, outputTokens: seen(['Io', ' and']) },
    ]);
  });

  it('settles a finish part without usage as an estimate, never $0', async () => {
    const model = new MockLanguageModelV3({
      modelId: 'gpt-4o',
      doStream: { stream: convertArrayToReadableStream(parts(['Io'], UNKNOWN_USAGE)) },
    });
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000 });
    const outcomes = new Outcomes();
    const wrapped = wrapLanguageModel({
      model,
      middleware: tokenKernelMiddleware(agent, { onSettle: outcomes.onSettle }),
    });
    const result = streamText({ model: wrapped, system: SYSTEM, prompt: PROMPT });
    await result.consumeStream();
    await outcomes.next();
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: INPUT, outputTokens: seen(['Io']) },
    ]);
    expect(kernel.records()[0]?.costNano).toBeGreaterThan(0);
  });

  it('settles a stream aborted through abortSignal with the input and the output seen', async () => {
    const model = new MockLanguageModelV3({
      modelId: 'gpt-4o',
      doStream: async (options) => ({ stream: heldStream(['Io', ' and'], options.abortSignal) }),
    });
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000 });
    const wrapped = wrapLanguageModel({
      model,
      middleware: tokenKernelMiddleware(agent, { onSettle: outcomes.onSettle }),
    });
    const controller = new AbortController();
    const result = streamText({
      model: wrapped,
      system: SYSTEM,
      prompt: PROMPT,
      abortSignal: controller.signal,
      onError: () => undefined,
    });
    const got: string[] = [];
    for await (const piece of result.textStream) {
      got.push(piece);
      if (got.length === 2) controller.abort();
    }
    expect(await outcomes.next()).toMatchObject({ ok: false });
    expect(got).toEqual(['Io', ' and']);
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: INPUT, outputTokens: seen(['Io', ' and']) },
    ]);
  });

  it('aborts the model stream on SIGSTOP with abortOnStop', async () => {
    const model = new MockLanguageModelV3({
      modelId: 'gpt-4o',
      doStream: async (options) => ({ stream: heldStream(['Io'], options.abortSignal) }),
    });
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000 });
    const wrapped = wrapLanguageModel({
      model,
      middleware: tokenKernelMiddleware(agent, { onSettle: outcomes.onSettle, abortOnStop: true }),
    });
    const { stream } = await wrapped.doStream({
      prompt: PROMPT_V3,
    });
    const reader = stream.getReader();
    let part = await reader.read();
    while (!part.done && part.value.type !== 'text-delta') part = await reader.read();
    kernel.stop('a', 'operator');
    await expect(reader.read()).rejects.toMatchObject({ code: 'AGENT_NOT_RUNNABLE' });
    expect(await outcomes.next()).toMatchObject({ ok: false });
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: INPUT, outputTokens: seen(['Io']) },
    ]);
  });

  it('settles a stream its consumer cancels, and cancels the model’s stream', async () => {
    let cancelled: unknown;
    const model = new MockLanguageModelV3({
      modelId: 'gpt-4o',
      doStream: async () => ({
        stream: new ReadableStream<LanguageModelV3StreamPart>({
          start(controller) {
            for (const part of parts(['Io', ' and'])) controller.enqueue(part);
          },
          cancel(reason) {
            cancelled = reason;
          },
        }),
      }),
    });
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000 });
    const wrapped = wrapLanguageModel({
      model,
      middleware: tokenKernelMiddleware(agent, { onSettle: outcomes.onSettle }),
    });
    const { stream } = await wrapped.doStream({
      prompt: [{ role: 'user', content: [{ type: 'text', text: PROMPT }] }],
    });
    const reader = stream.getReader();
    let part = await reader.read();
    while (!part.done && part.value.type !== 'text-delta') part = await reader.read();
    await reader.cancel('user left');
    expect(cancelled).toBe('user left');
    expect(await outcomes.next()).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
    const input = countChatMessages([{ role: 'user', content: PROMPT }], 'o200k_base');
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: input, outputTokens: seen(['Io']) },
    ]);
  });

  it('settles a stream that errors mid-way; the consumer sees the error', async () => {
    const boom = new Error('socket hang up');
    const model = new MockLanguageModelV3({
      modelId: 'gpt-4o',
      doStream: async () => ({
        stream: new ReadableStream<LanguageModelV3StreamPart>({
          pull(controller) {
            for (const part of parts(['Io', ' and', ' Europa'])) controller.enqueue(part);
            controller.error(boom);
          },
        }),
      }),
    });
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000 });
    const outcomes = new Outcomes();
    const wrapped = wrapLanguageModel({
      model,
      middleware: tokenKernelMiddleware(agent, { onSettle: outcomes.onSettle }),
    });
    const { stream } = await wrapped.doStream({
      prompt: PROMPT_V3,
    });
    const reader = stream.getReader();
    const got: string[] = [];
    const err = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        if (value.type === 'text-delta') got.push(value.delta);
      }
    })().catch((e: unknown) => e);
    expect(err).toBe(boom);
    expect(await outcomes.next()).toMatchObject({ ok: false, error: boom });
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: INPUT, outputTokens: seen(got) },
    ]);
  });

  it('cancels when the stream is refused before it opens (400) and refuses over budget', async () => {
    const model = new MockLanguageModelV3({
      modelId: 'gpt-4o',
      doStream: async () => {
        throw new APICallError({
          message: 'bad request',
          url: 'http://127.0.0.1/v1',
          requestBodyValues: {},
          statusCode: 400,
        });
      },
    });
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000 });
    const wrapped = wrapLanguageModel({ model, middleware: tokenKernelMiddleware(agent) });
    const prompt = [{ role: 'user' as const, content: [{ type: 'text' as const, text: PROMPT }] }];
    await expect(wrapped.doStream({ prompt })).rejects.toMatchObject({ statusCode: 400 });
    expect(kernel.records()).toHaveLength(0);
    const poor = kernel.spawn({ id: 'poor', maxTokens: 5 });
    const poorModel = wrapLanguageModel({ model, middleware: tokenKernelMiddleware(poor) });
    await expect(poorModel.doStream({ prompt })).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(model.doStreamCalls).toHaveLength(1);
  });
});
