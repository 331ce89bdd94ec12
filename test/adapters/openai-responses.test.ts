import { OpenAI } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { governOpenAI } from '../../src/adapters/govern-openai.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { countText } from '../../src/tokens/bpe-count.js';
import { countChatMessages } from '../../src/tokens/count-chat-messages.js';
import { FakeOpenAIServer } from '../helpers/fake-openai-server.js';
import { makeKernel } from '../helpers/kernel-fixture.js';
import { Outcomes } from './support/outcomes.js';

const INSTRUCTIONS = 'Answer in one word.';
const INPUT_TEXT = 'What colour is the sky on a clear day?';
const INPUT = countChatMessages(
  [
    { role: 'system', content: INSTRUCTIONS },
    { role: 'user', content: INPUT_TEXT },
  ],
  'o200k_base',
);

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

describe('governOpenAI responses', () => {
  it('books a response’s usage (cached input, reasoning) and caps max_output_tokens', async () => {
    server.script = { usage: { prompt: 3_000, completion: 500, cached: 2_048, reasoning: 320 } };
    const agent = kernel.spawn({ id: 'a', maxTokens: 400 + INPUT });
    const res = await governOpenAI(client, agent).responses.create({
      model: 'gpt-4o',
      instructions: INSTRUCTIONS,
      input: INPUT_TEXT,
      max_output_tokens: 2_000,
    });
    expect(res.status).toBe('completed');
    expect(server.requests[0]?.body.max_output_tokens).toBe(400);
    const usage = {
      inputTokens: 3_000,
      outputTokens: 500,
      cacheReadTokens: 2_048,
      reasoningTokens: 320,
    };
    expect(kernel.records().map((r) => r.usage)).toEqual([usage]);
    expect(kernel.records()[0]?.costNano).toBe(
      kernel.pricing.cost(kernel.pricing.resolve('gpt-4o'), usage),
    );
  });

  it('counts instructions, input items and tool definitions as the input it books on a 500', async () => {
    server.script = { fault: 'server-error' };
    const agent = kernel.spawn({ id: 'a', maxTokens: 100_000 });
    const tools = [
      {
        type: 'function' as const,
        name: 'lookup',
        description: 'Looks a word up',
        parameters: { type: 'object', properties: { word: { type: 'string' } } },
        strict: true,
      },
    ];
    await expect(
      governOpenAI(client, agent).responses.create({
        model: 'gpt-4o',
        instructions: INSTRUCTIONS,
        tools,
        input: [
          { role: 'user', content: [{ type: 'input_text', text: INPUT_TEXT }] },
          { type: 'function_call', call_id: 'c1', name: 'lookup', arguments: '{"word":"sky"}' },
          { type: 'function_call_output', call_id: 'c1', output: 'blue' },
        ],
      }),
    ).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    const expected = countChatMessages(
      [
        { role: 'system', content: JSON.stringify(tools) },
        { role: 'system', content: INSTRUCTIONS },
        { role: 'user', content: INPUT_TEXT },
        { role: 'assistant', content: 'lookup\n{"word":"sky"}' },
        { role: 'tool', content: 'blue' },
      ],
      'o200k_base',
    );
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: expected, outputTokens: 0 },
    ]);
  });

  it('streams: passes events through and books the usage of response.completed', async () => {
    server.script = { text: ['Bl', 'ue'], usage: { prompt: 900, completion: 2, cached: 512 } };
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000 });
    const stream = await governOpenAI(client, agent, {
      onSettle: outcomes.onSettle,
    }).responses.create({
      model: 'gpt-4o',
      instructions: INSTRUCTIONS,
      input: INPUT_TEXT,
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    expect(text).toBe('Blue');
    expect(types.at(-1)).toBe('response.completed');
    expect(await outcomes.next()).toMatchObject({
      ok: true,
      result: { estimated: false, finishReason: 'stop' },
    });
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: 900, outputTokens: 2, cacheReadTokens: 512, reasoningTokens: 0 },
    ]);
  });

  it('books the usage of response.incomplete (cut off by max_output_tokens)', async () => {
    server.script = { finishReason: 'length', usage: { prompt: 100, completion: 16 } };
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000 });
    const stream = await governOpenAI(client, agent, {
      onSettle: outcomes.onSettle,
    }).responses.create({
      model: 'gpt-4o',
      input: INPUT_TEXT,
      max_output_tokens: 16,
      stream: true,
    });
    for await (const _ of stream) void _;
    expect(await outcomes.next()).toMatchObject({ ok: true, result: { finishReason: 'length' } });
    expect(kernel.records()[0]?.usage).toMatchObject({ inputTokens: 100, outputTokens: 16 });
  });

  it('settles a response stream that ends before response.completed with input + output seen', async () => {
    server.script = { text: ['Bl', 'ue', ' sky'], fault: 'early-end' };
    const outcomes = new Outcomes();
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000 });
    const stream = await governOpenAI(client, agent, {
      onSettle: outcomes.onSettle,
    }).responses.create({
      model: 'gpt-4o',
      instructions: INSTRUCTIONS,
      input: INPUT_TEXT,
      stream: true,
    });
    for await (const _ of stream) void _;
    await outcomes.next();
    const out = ['Bl', 'ue', ' sky'].reduce((n, t) => n + countText(t, 'o200k_base'), 0);
    expect(kernel.records().map((r) => r.usage)).toEqual([
      { inputTokens: INPUT, outputTokens: out },
    ]);
  });

  it('cancels on a 400 and books the input on a 500', async () => {
    const agent = kernel.spawn({ id: 'a', maxTokens: 10_000 });
    const openai = governOpenAI(client, agent);
    server.script = { fault: 'bad-request' };
    await expect(
      openai.responses.create({ model: 'gpt-4o', input: INPUT_TEXT }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    expect(kernel.records()).toHaveLength(0);
    server.script = { fault: 'server-error' };
    await expect(
      openai.responses.create({
        model: 'gpt-4o',
        instructions: INSTRUCTIONS,
        input: INPUT_TEXT,
        stream: true,
      }),
    ).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    expect(kernel.records().map((r) => r.usage)).toEqual([{ inputTokens: INPUT, outputTokens: 0 }]);
  });
});
