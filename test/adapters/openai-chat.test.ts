import { OpenAI } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { governOpenAI } from '../../src/adapters/govern-openai.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { countText } from '../../src/tokens/bpe-count.js';
import { countChatMessages } from '../../src/tokens/count-chat-messages.js';
import type { Usage } from '../../src/usage.js';
import { FakeOpenAIServer } from '../helpers/fake-openai-server.js';
import { makeKernel } from '../helpers/kernel-fixture.js';
import { Outcomes } from './support/outcomes.js';

const messages = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'Name three prime numbers.' },
];
const INPUT = countChatMessages(messages, 'o200k_base');

let server: FakeOpenAIServer;
let kernel: Kernel;
let client: OpenAI;

beforeEach(async () => {
  server = await FakeOpenAIServer.start();
  kernel = makeKernel({ totalBudget: 1_000_000 }).kernel;
  client = new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 0 });
});

afterEach(async () => {
  expect(kernel.status().reservations).toBe(0);
  await kernel.close();
  await server.close();
});

function costOf(model: string, usage: Usage): number {
  return kernel.pricing.cost(kernel.pricing.resolve(model), usage);
}

function seen(pieces: readonly string[]): number {
  return pieces.reduce((sum, p) => sum + countText(p, 'o200k_base'), 0);
}

describe('governOpenAI chat.completions (non-streaming)', () => {
  it('books the usage the server reported, cache reads and reasoning included, at the model price', async () => {
    server.script = { usage: { prompt: 1_200, completion: 300, cached: 1_024, reasoning: 128 } };
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000 });
    const openai = governOpenAI(client, agent);
    const res = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages,
      max_completion_tokens: 500,
    });
    expect(res.choices[0]?.message.content).toBe('Hello world');
    const [record] = kernel.records();
    const usage = {
      inputTokens: 1_200,
      outputTokens: 300,
      cacheReadTokens: 1_024,
      reasoningTokens: 128,
    };
    expect(record?.usage).toEqual(usage);
    expect(record?.model).toBe('gpt-4o');
    expect(record?.costNano).toBe(costOf('gpt-4o', usage));
    expect(costOf('gpt-4o', usage)).toBeLessThan(
      costOf('gpt-4o', { inputTokens: 1_200, outputTokens: 300 }),
    );
    expect(server.requests[0]?.body.max_completion_tokens).toBe(500);
    expect(agent.window).toMatchObject({ used: 1_500, reserved: 0 });
  });

  it('lowers the output cap the server receives to what the window can still pay', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: 300 });
    await governOpenAI(client, agent).chat.completions.create({
      model: 'gpt-4o',
      messages,
      max_completion_tokens: 4_000,
    });
    expect(server.requests[0]?.body.max_completion_tokens).toBe(300 - INPUT);
  });

  it('keeps `max_tokens` when the request uses it, and sets a cap when the request has none', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: 300 });
    const openai = governOpenAI(client, agent);
    await openai.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 100 });
    const room = agent.headroom({ model: 'gpt-4o', inputTokens: INPUT }).maxOutputTokens;
    await openai.chat.completions.create({ model: 'gpt-4o', messages });
    expect(server.requests[0]?.body).toMatchObject({ max_tokens: 100 });
    expect(server.requests[0]?.body.max_completion_tokens).toBeUndefined();
    const cap = server.requests[1]?.body.max_completion_tokens as number;
    expect(Number.isSafeInteger(cap) && cap >= 1).toBe(true);
    expect(cap).toBeLessThanOrEqual(room);
  });

  it('reserves for every choice when n > 1 and splits the cap between them', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: 1_000 });
    await governOpenAI(client, agent).chat.completions.create({
      model: 'gpt-4o',
      messages,
      n: 3,
      max_completion_tokens: 100,
    });
    expect(server.requests[0]?.body).toMatchObject({ n: 3, max_completion_tokens: 100 });
    const tight = kernel.spawn({ id: 'b', maxTokens: INPUT + 90 });
    await governOpenAI(client, tight).chat.completions.create({
      model: 'gpt-4o',
      messages,
      n: 3,
      max_completion_tokens: 100,
    });
    expect(server.requests[1]?.body.max_completion_tokens).toBe(30);
  });

  it('cancels the reservation on a 400 (the model never ran): nothing is booked', async () => {
    server.script = { fault: 'bad-request' };
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000 });
    const err = await governOpenAI(client, agent)
      .chat.completions.create({ model: 'gpt-4o', messages })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(kernel.records()).toHaveLength(0);
    expect(agent.window).toMatchObject({ used: 0, reserved: 0 });
  });

  it('books the input on a 500 (unknown whether the model ran), never $0', async () => {
    server.script = { fault: 'server-error' };
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000 });
    const err = await governOpenAI(client, agent)
      .chat.completions.create({ model: 'gpt-4o', messages })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(kernel.records().map((r) => r.usage)).toEqual([{ inputTokens: INPUT, outputTokens: 0 }]);
    expect(kernel.records()[0]?.costNano).toBeGreaterThan(0);
  });

  it('refuses before any request when the budget cannot pay for the input and one output token', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: INPUT });
    await expect(
      governOpenAI(client, agent).chat.completions.create({ model: 'gpt-4o', messages }),
    ).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(server.requests).toHaveLength(0);
  });

  it('serves an identical temperature-0 request from the response cache, as a copy', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000 });
    const openai = governOpenAI(client, agent);
    const body = { model: 'gpt-4o', messages, temperature: 0, max_completion_tokens: 50 };
    const first = await openai.chat.completions.create(body);
    const second = await openai.chat.completions.create(body);
    expect(server.requests).toHaveLength(1);
    expect(second).toEqual(first);
    second.choices[0]!.message.content = 'mutated';
    const third = await openai.chat.completions.create(body);
    expect(third.choices[0]?.message.content).toBe('Hello world');
    expect(kernel.records().map((r) => r.cached)).toEqual([false, true, true]);
    await openai.chat.completions.create({
      ...body,
      messages: [...messages, { role: 'user', content: 'More.' }],
    });
    expect(server.requests).toHaveLength(2);
  });
});

describe('governOpenAI chat.completions (streaming)', () => {
  it('asks for usage, passes the chunks through and books the final usage chunk', async () => {
    server.script = {
      text: ['Two', ', three', ', five'],
      usage: { prompt: 2_000, completion: 40, cached: 1_920, cacheWrite: 64, reasoning: 8 },
    };
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000 });
    const stream = await governOpenAI(client, agent, {
      onSettle: outcomes.onSettle,
    }).chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
      stream_options: { include_obfuscation: false },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Two, three, five');
    expect(server.requests[0]?.body.stream_options).toEqual({
      include_obfuscation: false,
      include_usage: true,
    });
    const outcome = await outcomes.next();
    const usage = {
      inputTokens: 2_000,
      outputTokens: 40,
      cacheReadTokens: 1_920,
      cacheWriteTokens: 64,
      reasoningTokens: 8,
    };
    expect(outcome).toMatchObject({ ok: true, stream: true, result: { usage, estimated: false } });
    expect(kernel.records().map((r) => r.usage)).toEqual([usage]);
    expect(kernel.records()[0]?.costNano).toBe(costOf('gpt-4o', usage));
  });

  it('settles a stream that ends without usage with the input and the output seen', async () => {
    server.script = { text: ['alpha', ' beta', ' gamma'], fault: 'early-end' };
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000 });
    const stream = await governOpenAI(client, agent, {
      onSettle: outcomes.onSettle,
    }).chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    for await (const _ of stream) void _;
    expect(await outcomes.next()).toMatchObject({ ok: true, result: { estimated: true } });
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: INPUT, outputTokens: seen(['alpha', ' beta', ' gamma']) },
    ]);
  });

  it('settles an aborted stream with the input and the output seen', async () => {
    server.script = { text: ['one', ' two', ' three'], fault: 'hold' };
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000 });
    const controller = new AbortController();
    const stream = await governOpenAI(client, agent, {
      onSettle: outcomes.onSettle,
    }).chat.completions.create(
      { model: 'gpt-4o', messages, stream: true },
      { signal: controller.signal },
    );
    const got: string[] = [];
    for await (const chunk of stream) {
      const piece = chunk.choices[0]?.delta.content;
      if (piece) got.push(piece);
      if (got.length === 2) controller.abort();
    }
    await outcomes.next();
    await server.disconnected();
    // Chunks the SDK had already buffered still pass through; every one that did is booked.
    expect(got.slice(0, 2)).toEqual(['one', ' two']);
    const [record] = kernel.records();
    expect(record?.usage).toEqual({ inputTokens: INPUT, outputTokens: seen(got) });
  });

  it('settles a stream the consumer stops reading, and the request is closed', async () => {
    server.script = { text: ['one', ' two', ' three'], fault: 'hold' };
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000 });
    const stream = await governOpenAI(client, agent, {
      onSettle: outcomes.onSettle,
    }).chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content === 'one') break;
    expect(await outcomes.next()).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
    await server.disconnected();
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: INPUT, outputTokens: seen(['one']) },
    ]);
  });

  it('settles a stream whose connection is reset mid-stream, and the consumer sees the error', async () => {
    server.script = { text: ['one', ' two'], fault: 'hold' };
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000 });
    const stream = await governOpenAI(client, agent, {
      onSettle: outcomes.onSettle,
    }).chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    const got: string[] = [];
    const err = await (async () => {
      for await (const chunk of stream) {
        const piece = chunk.choices[0]?.delta.content;
        if (piece) got.push(piece);
        if (got.length === 2) server.cut('reset');
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(await outcomes.next()).toMatchObject({ ok: false });
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: INPUT, outputTokens: seen(['one', ' two']) },
    ]);
  });

  it('aborts the stream on SIGSTOP with abortOnStop and settles what was seen', async () => {
    server.script = { text: ['one', ' two'], fault: 'hold' };
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000 });
    const stream = await governOpenAI(client, agent, {
      onSettle: outcomes.onSettle,
      abortOnStop: true,
    }).chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    const got: string[] = [];
    for await (const chunk of stream) {
      const piece = chunk.choices[0]?.delta.content;
      if (piece) got.push(piece);
      if (got.length === 1) kernel.stop('a', 'operator');
    }
    await outcomes.next();
    await server.disconnected();
    expect(got[0]).toBe('one');
    expect(agent.state).toBe('stopped');
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: INPUT, outputTokens: seen(got) },
    ]);
  });

  it('rejects a stream the server refuses with 400 and books nothing', async () => {
    server.script = { fault: 'bad-request' };
    const agent = kernel.spawn({ id: 'a', maxTokens: 50_000 });
    await expect(
      governOpenAI(client, agent).chat.completions.create({
        model: 'gpt-4o',
        messages,
        stream: true,
      }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    expect(kernel.records()).toHaveLength(0);
  });
});
