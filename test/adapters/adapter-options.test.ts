import { describe, expect, it } from 'vitest';
import { governAnthropic } from '../../src/adapters/govern-anthropic.js';
import { governOpenAI } from '../../src/adapters/govern-openai.js';
import { observeSdkStream } from '../../src/adapters/sdk-stream.js';
import { StreamSettlement } from '../../src/adapters/stream-settlement.js';
import { makeKernel } from '../helpers/kernel-fixture.js';

describe('adapter arguments', () => {
  it('refuses what is not an SDK client or a valid option, naming it', async () => {
    const { kernel } = makeKernel();
    const agent = kernel.spawn({ id: 'a', maxTokens: 100 });
    expect(() => governOpenAI({} as never, agent)).toThrow(
      'Expected `client` to be an OpenAI client',
    );
    expect(() => governAnthropic({ messages: {} } as never, agent)).toThrow(
      'Expected `client` to be an Anthropic client',
    );
    const client = { chat: { completions: { create: async () => ({}) } } } as never;
    expect(() => governOpenAI(client, agent, { abortOnStop: 1 as never })).toThrow(
      'Expected `options.abortOnStop` to be a boolean',
    );
    expect(() => governOpenAI(client, agent, { onSettle: 'log' as never })).toThrow(
      'Expected `options.onSettle` to be a function',
    );
    expect(() => governOpenAI(client, agent, { includeUsage: 'yes' as never })).toThrow(
      'Expected `options.includeUsage` to be a boolean',
    );
    await kernel.close();
  });

  it('refuses to wrap a stream that is not an SDK stream', () => {
    const settlement = new StreamSettlement(
      {
        signal: new AbortController().signal,
        output: () => undefined,
        outputTokens: () => undefined,
      },
      () => undefined,
      () => undefined,
    );
    expect(() => observeSdkStream([] as never, settlement, () => undefined)).toThrow(
      'Expected `stream` to be an SDK Stream',
    );
  });
});

describe('StreamSettlement', () => {
  function make() {
    const settled: unknown[] = [];
    const tokens: number[] = [];
    const settlement = new StreamSettlement(
      {
        signal: new AbortController().signal,
        output: () => undefined,
        outputTokens: (n) => tokens.push(n),
      },
      (r) => settled.push({ resolved: r }),
      (e) => settled.push({ rejected: e }),
    );
    return { settlement, settled, tokens };
  }

  it('settles once: the first of finish, end, fail and cancel wins', () => {
    const { settlement, settled, tokens } = make();
    settlement.text('hello world');
    settlement.finish({ inputTokens: 10, outputTokens: 2 }, 'stop');
    settlement.end();
    settlement.fail(new Error('late'));
    settlement.text('ignored');
    expect(settled).toEqual([
      {
        resolved: {
          output: null,
          usage: { inputTokens: 10, outputTokens: 2 },
          finishReason: 'stop',
        },
      },
    ]);
    expect(tokens).toEqual([2]);
  });

  it('falls back to the reported usage, its output raised to what was seen', () => {
    const { settlement, settled } = make();
    settlement.reported({ inputTokens: 500, outputTokens: 1, cacheReadTokens: 400 });
    settlement.text('a b c d e f');
    settlement.fail(new Error('reset'));
    expect(settled).toEqual([
      {
        resolved: {
          output: null,
          usage: { inputTokens: 500, outputTokens: 6, cacheReadTokens: 400 },
          finishReason: 'error',
        },
      },
    ]);
  });

  it('rejects a cancel with ABORTED when nothing was reported, for the kernel to classify', () => {
    const { settlement, settled } = make();
    settlement.cancel('gone');
    expect(settled).toMatchObject([{ rejected: { code: 'ABORTED', cause: 'gone' } }]);
  });
});
