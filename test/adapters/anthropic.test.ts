import { Anthropic } from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { governAnthropic } from '../../src/adapters/govern-anthropic.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { countText } from '../../src/tokens/bpe-count.js';
import type { ChatMessage } from '../../src/tokens/chat-message.js';
import { FakeAnthropicServer } from '../helpers/fake-anthropic-server.js';
import { makeKernel } from '../helpers/kernel-fixture.js';
import { Outcomes } from './support/outcomes.js';

const MODEL = 'claude-sonnet-4-6';
const SYSTEM = 'You are a meticulous reviewer.';
const messages = [{ role: 'user' as const, content: 'Review this diff for off-by-one errors.' }];
const COUNTED: ChatMessage[] = [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: messages[0]!.content },
];

let server: FakeAnthropicServer;
let kernel: Kernel;
let client: Anthropic;

beforeEach(async () => {
  server = await FakeAnthropicServer.start();
  kernel = makeKernel({ totalBudget: 1_000_000 }).kernel;
  client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: server.baseURL, maxRetries: 0 });
});

afterEach(async () => {
  expect(kernel.status().reservations).toBe(0);
  await kernel.close();
  await server.close();
});

function seen(pieces: readonly string[]): number {
  return pieces.reduce((sum, p) => sum + countText(p, 'o200k_base'), 0);
}

describe('governAnthropic messages.create (non-streaming)', () => {
  it('books input + cache reads + cache writes once each, at their own prices', async () => {
    server.script = { usage: { input: 100, cacheRead: 2_000, cacheWrite: 500, output: 50 } };
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000 });
    const msg = await governAnthropic(client, agent).messages.create({
      model: MODEL,
      system: SYSTEM,
      max_tokens: 1_024,
      messages,
    });
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'Hello there' });
    const [record] = kernel.records();
    expect(record?.usage).toEqual({
      inputTokens: 2_600,
      outputTokens: 50,
      cacheReadTokens: 2_000,
      cacheWriteTokens: 500,
    });
    // Claude Sonnet 4.6: $3 input, $0.30 cache read, $3.75 cache write, $15 output per MTok.
    expect(record?.costNano).toBe(100 * 3_000 + 2_000 * 300 + 500 * 3_750 + 50 * 15_000);
    expect(server.requests[0]?.body.max_tokens).toBe(1_024);
  });

  it('lowers max_tokens (and the thinking budget with it) to what the window can pay', async () => {
    const input = kernel.tokens.countSync(COUNTED, MODEL).tokens;
    const agent = kernel.spawn({ id: 'a', maxTokens: input + 2_000 });
    await governAnthropic(client, agent).messages.create({
      model: MODEL,
      system: SYSTEM,
      max_tokens: 16_000,
      thinking: { type: 'enabled', budget_tokens: 8_000 },
      messages,
    });
    expect(server.requests[0]?.body).toMatchObject({
      max_tokens: 2_000,
      thinking: { type: 'enabled', budget_tokens: 1_999 },
    });
  });

  it('cancels on a 400 and books the estimated input on a 500', async () => {
    const input = kernel.tokens.countSync(COUNTED, MODEL).tokens;
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000 });
    const claude = governAnthropic(client, agent);
    server.script = { fault: 'bad-request' };
    await expect(
      claude.messages.create({ model: MODEL, system: SYSTEM, max_tokens: 100, messages }),
    ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    expect(kernel.records()).toHaveLength(0);
    server.script = { fault: 'server-error' };
    await expect(
      claude.messages.create({ model: MODEL, system: SYSTEM, max_tokens: 100, messages }),
    ).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    expect(kernel.records().map((r) => r.usage)).toEqual([{ inputTokens: input, outputTokens: 0 }]);
  });
});

describe('governAnthropic messages.create (streaming)', () => {
  it('merges message_start input usage with the cumulative message_delta and books it', async () => {
    server.script = {
      text: ['No', ' off-by-one', ' found.'],
      usage: { input: 40, cacheRead: 6_000, cacheWrite: 1_200, output: 9 },
    };
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000 });
    const stream = await governAnthropic(client, agent, {
      onSettle: outcomes.onSettle,
    }).messages.create({ model: MODEL, system: SYSTEM, max_tokens: 512, messages, stream: true });
    let text = '';
    for await (const event of stream)
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
        text += event.delta.text;
    expect(text).toBe('No off-by-one found.');
    expect(await outcomes.next()).toMatchObject({
      ok: true,
      result: { finishReason: 'end_turn', estimated: false },
    });
    const usage = {
      inputTokens: 7_240,
      outputTokens: 9,
      cacheReadTokens: 6_000,
      cacheWriteTokens: 1_200,
    };
    expect(kernel.records().map((r) => r.usage)).toEqual([usage]);
    expect(kernel.records()[0]?.costNano).toBe(
      40 * 3_000 + 6_000 * 300 + 1_200 * 3_750 + 9 * 15_000,
    );
  });

  it('settles a stream that ends after message_start with Anthropic’s input and the output seen', async () => {
    server.script = {
      text: ['partial', ' answer', ' text'],
      usage: { input: 70, cacheRead: 1_000, output: 99 },
      fault: 'early-end',
    };
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000 });
    const stream = await governAnthropic(client, agent, {
      onSettle: outcomes.onSettle,
    }).messages.create({ model: MODEL, system: SYSTEM, max_tokens: 512, messages, stream: true });
    for await (const _ of stream) void _;
    await outcomes.next();
    expect(kernel.records().map((r) => r.usage)).toEqual([
      {
        inputTokens: 1_070,
        outputTokens: seen(['partial', ' answer', ' text']),
        cacheReadTokens: 1_000,
        cacheWriteTokens: 0,
      },
    ]);
  });

  it('settles an overloaded_error mid-stream with the input and the output seen; the consumer sees the error', async () => {
    server.script = {
      text: ['one', ' two'],
      usage: { input: 55, output: 80 },
      fault: 'overloaded',
    };
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000 });
    const stream = await governAnthropic(client, agent, {
      onSettle: outcomes.onSettle,
    }).messages.create({ model: MODEL, max_tokens: 512, messages, stream: true });
    const err = await (async () => {
      for await (const _ of stream) void _;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(await outcomes.next()).toMatchObject({ ok: true, result: { finishReason: 'error' } });
    expect(kernel.records().map((r) => r.usage)).toEqual([
      {
        inputTokens: 55,
        outputTokens: seen(['one', ' two']),
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
      },
    ]);
  });

  it('settles an aborted stream with the input and the output that passed through', async () => {
    server.script = { text: ['a', ' b', ' c'], usage: { input: 20, output: 50 }, fault: 'hold' };
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000 });
    const controller = new AbortController();
    const stream = await governAnthropic(client, agent, {
      onSettle: outcomes.onSettle,
    }).messages.create(
      { model: MODEL, max_tokens: 512, messages, stream: true },
      { signal: controller.signal },
    );
    const got: string[] = [];
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
        got.push(event.delta.text);
        controller.abort();
      }
    }
    await outcomes.next();
    await server.disconnected();
    expect(got[0]).toBe('a');
    expect(kernel.records().map((r) => r.usage)).toEqual([
      {
        inputTokens: 20,
        outputTokens: Math.max(1, seen(got)),
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
      },
    ]);
  });

  it('settles a stream whose connection is reset mid-stream', async () => {
    server.script = {
      text: ['x', ' y'],
      usage: { input: 33, cacheWrite: 7, output: 50 },
      fault: 'hold',
    };
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000 });
    const stream = await governAnthropic(client, agent, {
      onSettle: outcomes.onSettle,
    }).messages.create({ model: MODEL, max_tokens: 512, messages, stream: true });
    const got: string[] = [];
    const err = await (async () => {
      for await (const event of stream) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
          got.push(event.delta.text);
          if (got.length === 2) server.cut('reset');
        }
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    await outcomes.next();
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: 40, outputTokens: seen(['x', ' y']), cacheReadTokens: 0, cacheWriteTokens: 7 },
    ]);
  });
});
