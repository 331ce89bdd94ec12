import type { UsageMetadata } from '@langchain/core/messages';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenKernelCallbackHandler } from '../../src/adapters/langchain-handler.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { countText } from '../../src/tokens/bpe-count.js';
import { countChatMessages } from '../../src/tokens/count-chat-messages.js';
import { makeKernel } from '../helpers/kernel-fixture.js';
import { UsageChatModel } from './support/usage-chat-model.js';

const SYSTEM = 'You answer with one number.';
const QUESTION = 'How many moons does Mars have?';
const messages = [new SystemMessage(SYSTEM), new HumanMessage(QUESTION)];
const INPUT = countChatMessages(
  [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: QUESTION },
  ],
  'o200k_base',
);
const USAGE: UsageMetadata = {
  input_tokens: 4_000,
  output_tokens: 120,
  total_tokens: 4_120,
  input_token_details: { cache_read: 3_000, cache_creation: 500 },
  output_token_details: { reasoning: 100 },
};
const BOOKED = {
  inputTokens: 4_000,
  outputTokens: 120,
  cacheReadTokens: 3_000,
  cacheWriteTokens: 500,
  reasoningTokens: 100,
};

let kernel: Kernel;

beforeEach(() => {
  kernel = makeKernel({ totalBudget: 1_000_000 }).kernel;
});

afterEach(async () => {
  expect(kernel.status().reservations).toBe(0);
  await kernel.close();
});

function seen(pieces: readonly string[]): number {
  return pieces.reduce((sum, p) => sum + countText(p, 'o200k_base'), 0);
}

describe('TokenKernelCallbackHandler', () => {
  it('reserves before the model runs and books usage_metadata with cache and reasoning', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000 });
    const handler = new TokenKernelCallbackHandler(agent);
    let reservedDuringRun = -1;
    const chat = new UsageChatModel({
      model: 'gpt-4o',
      maxTokens: 256,
      pieces: ['Two.'],
      usage: USAGE,
      onRun: () => (reservedDuringRun = agent.window.reserved),
    });
    const answer = await chat.invoke(messages, { callbacks: [handler] });
    expect(answer.content).toBe('Two.');
    expect(reservedDuringRun).toBe(INPUT + 256);
    expect(kernel.records().map((r) => r.usage)).toEqual([BOOKED]);
    expect(kernel.records()[0]?.costNano).toBe(
      kernel.pricing.cost(kernel.pricing.resolve('gpt-4o'), BOOKED),
    );
    expect(handler.openRuns).toBe(0);
  });

  it('books the aggregated usage of a stream (usage on the last chunk)', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000 });
    const chat = new UsageChatModel({ model: 'gpt-4o', pieces: ['Tw', 'o.'], usage: USAGE });
    let text = '';
    for await (const chunk of await chat.stream(messages, {
      callbacks: [new TokenKernelCallbackHandler(agent)],
    }))
      text += String(chunk.content);
    expect(text).toBe('Two.');
    expect(kernel.records().map((r) => r.usage)).toEqual([BOOKED]);
  });

  it('refuses a run whose declared output limit does not fit, before the model runs', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: INPUT + 100 });
    const chat = new UsageChatModel({ model: 'gpt-4o', maxTokens: 500, usage: USAGE });
    await expect(
      chat.invoke(messages, { callbacks: [new TokenKernelCallbackHandler(agent)] }),
    ).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(chat.runs).toBe(0);
    expect(kernel.records()).toHaveLength(0);
  });

  it('with overcommit, reserves what fits, runs, and books the truth', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: INPUT + 100 });
    let reservedDuringRun = -1;
    const chat = new UsageChatModel({
      model: 'gpt-4o',
      maxTokens: 500,
      usage: { input_tokens: INPUT, output_tokens: 80, total_tokens: INPUT + 80 },
      onRun: () => (reservedDuringRun = agent.window.reserved),
    });
    await chat.invoke(messages, {
      callbacks: [new TokenKernelCallbackHandler(agent, { overcommit: true })],
    });
    expect(reservedDuringRun).toBe(INPUT + 100);
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: INPUT, outputTokens: 80 },
    ]);
  });

  it('estimates a model that reports no usage: input counted + the answer text', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000 });
    const chat = new FakeListChatModel({ responses: ['Mars has two moons: Phobos and Deimos.'] });
    await chat.invoke(messages, {
      callbacks: [new TokenKernelCallbackHandler(agent, { model: 'gpt-4o-mini' })],
    });
    expect(kernel.records().map((r) => [r.model, r.usage])).toEqual([
      [
        'gpt-4o-mini',
        {
          inputTokens: INPUT,
          outputTokens: countText('Mars has two moons: Phobos and Deimos.', 'o200k_base'),
        },
      ],
    ]);
  });

  it('books the input and the tokens streamed so far when a stream fails mid-way', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000 });
    const boom = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const chat = new UsageChatModel({
      model: 'gpt-4o',
      pieces: ['Ph', 'obos', ' and'],
      failWith: boom,
      failAfter: 2,
    });
    const got: string[] = [];
    const err = await (async () => {
      for await (const chunk of await chat.stream(messages, {
        callbacks: [new TokenKernelCallbackHandler(agent)],
      }))
        got.push(String(chunk.content));
    })().catch((e: unknown) => e);
    expect(err).toBe(boom);
    expect(got).toEqual(['Ph', 'obos']);
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: INPUT, outputTokens: seen(['Ph', 'obos']) },
    ]);
  });

  it('books the input and the output reported so far when a stream is aborted', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000 });
    const chat = new UsageChatModel({
      model: 'gpt-4o',
      pieces: ['One', ' two', ' three'],
      usage: USAGE,
    });
    const controller = new AbortController();
    const handler = new TokenKernelCallbackHandler(agent);
    const got: string[] = [];
    const err = await (async () => {
      for await (const chunk of await chat.stream(messages, {
        callbacks: [handler],
        signal: controller.signal,
      })) {
        got.push(String(chunk.content));
        if (got.length === 2) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(got).toEqual(['One', ' two']);
    expect(handler.openRuns).toBe(0);
    // Integrations (ChatOpenAI among them) report a token after yielding its chunk, so the chunk
    // read just before the abort has not reached the handler yet.
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: INPUT, outputTokens: seen(['One']) },
    ]);
  });

  it('cancels when the provider refused the request (4xx) and books the input on a 5xx', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000 });
    const handler = new TokenKernelCallbackHandler(agent);
    const refused = Object.assign(new Error('400 bad request'), { status: 400 });
    const failed = Object.assign(new Error('500 internal'), { status: 500 });
    for (const failWith of [refused, failed]) {
      const chat = new UsageChatModel({ model: 'gpt-4o', failWith });
      await expect(chat.invoke(messages, { callbacks: [handler] })).rejects.toBe(failWith);
    }
    expect(kernel.records().map((r) => r.usage)).toEqual([{ inputTokens: INPUT, outputTokens: 0 }]);
    expect(handler.openRuns).toBe(0);
  });

  it('keeps the runs of a batch apart, one record each', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000 });
    const handler = new TokenKernelCallbackHandler(agent);
    const chat = new UsageChatModel({ model: 'gpt-4o', usage: USAGE });
    await chat.batch([messages, [new HumanMessage('And Venus?')]], { callbacks: [handler] });
    expect(kernel.records().map((r) => r.usage)).toEqual([BOOKED, BOOKED]);
  });

  it('feeds the kernel counter’s margin for a model without a public tokenizer', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: 1_000_000 });
    const handler = new TokenKernelCallbackHandler(agent, { tokens: kernel.tokens });
    const model = 'claude-sonnet-4-6';
    const estimate = kernel.tokens.countSync(
      [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: QUESTION },
      ],
      model,
    );
    expect(estimate.exact).toBe(false);
    const before = kernel.tokens.stats();
    const actual = Math.round(estimate.tokens / 2);
    const chat = new UsageChatModel({
      model,
      usage: { input_tokens: actual, output_tokens: 5, total_tokens: actual + 5 },
    });
    await chat.invoke(messages, { callbacks: [handler] });
    expect(kernel.tokens.stats()).not.toEqual(before);
    expect(kernel.records()[0]?.usage).toEqual({ inputTokens: actual, outputTokens: 5 });
  });

  it('validates its options', () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: 100 });
    expect(() => new TokenKernelCallbackHandler(agent, { defaultMaxOutputTokens: 0 })).toThrow(
      'Expected `options.defaultMaxOutputTokens`',
    );
    expect(() => new TokenKernelCallbackHandler(agent, { overcommit: 'yes' as never })).toThrow(
      'Expected `options.overcommit` to be a boolean',
    );
  });
});
