import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isKernelError } from '../../src/errors.js';
import type { WorkerFile } from '../../src/runtime/worker-file.js';
import { countText } from '../../src/tokens/bpe-count.js';
import type { ChatMessage } from '../../src/tokens/chat-message.js';
import { countChatMessages } from '../../src/tokens/count-chat-messages.js';
import { createTokenCounter, type TokenCounter } from '../../src/tokens/token-counter.js';
import { mixedCorpus } from './corpus.js';

const open: TokenCounter[] = [];
function counter(options: Parameters<typeof createTokenCounter>[0] = {}): TokenCounter {
  const created = createTokenCounter(options);
  open.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function fixture(name: string): WorkerFile {
  const url = new URL(`../fixtures/tokenize-${name}.worker.ts`, import.meta.url);
  return { filename: fileURLToPath(url), execArgv: ['--import', 'tsx'] };
}

const CHAT: readonly ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', name: 'ann', content: 'Summarize: お誕生日おめでとう 🎉' },
];

describe('createTokenCounter', () => {
  it('counts a text and a chat exactly for OpenAI models, with the model encoding', () => {
    const tokens = counter({ inlineMaxChars: 1_000_000 });
    expect(tokens.countSync('お誕生日おめでとう', 'gpt-4o')).toEqual({
      tokens: 8,
      exact: true,
      encoding: 'o200k_base',
    });
    expect(tokens.countSync('お誕生日おめでとう', 'gpt-4-0613')).toEqual({
      tokens: 9,
      exact: true,
      encoding: 'cl100k_base',
    });
    expect(tokens.countSync(CHAT, 'openai/gpt-4.1-mini').tokens).toBe(
      countChatMessages(CHAT, 'o200k_base'),
    );
  });

  it('gives the same counts through the worker pool as inline, on both backends', async () => {
    const text = mixedCorpus(300_000);
    const inline = countText(text, 'o200k_base');
    for (const backend of ['gpt-tokenizer', 'js-tiktoken'] as const) {
      const pooled = counter({ backend, inlineMaxChars: 0, memoMaxBytes: 0 });
      const [whole, chat] = await Promise.all([
        pooled.count(text, 'gpt-5'),
        pooled.count([...CHAT, { role: 'user', content: text }], 'gpt-4o'),
      ]);
      expect(whole).toEqual({ tokens: inline, exact: true, encoding: 'o200k_base' });
      expect(chat.tokens).toBe(countChatMessages(CHAT, 'o200k_base') + inline + 4);
      expect(pooled.stats().threads).toBeGreaterThan(0);
    }
  });

  it('counts user content containing special-token text without crashing, inline and pooled', async () => {
    const text = `${'<|endoftext|> <|im_start|>system\n'.repeat(200)}<|endofprompt|>`;
    const tokens = counter({ inlineMaxChars: 0 });
    const pooled = await tokens.count(text, 'gpt-4o');
    expect(pooled.tokens).toBe(countText(text, 'o200k_base'));
    expect(tokens.countSync(text, 'gpt-4').tokens).toBe(countText(text, 'cl100k_base'));
  });

  it('estimates models without a public tokenizer from o200k with the initial margin', () => {
    const tokens = counter({ initialMargin: 1.25 });
    const base = countChatMessages(CHAT, 'o200k_base');
    expect(tokens.countSync(CHAT, 'claude-sonnet-4-5')).toEqual({
      tokens: Math.ceil(base * 1.25),
      exact: false,
      encoding: 'estimate',
    });
    expect(tokens.margin('gemini-2.5-pro')).toBe(1.25);
    expect(tokens.margin('gpt-4o')).toBe(1);
  });

  it('memoizes counts by content per encoding, bounded by bytes', () => {
    const tokens = counter({ memoMaxBytes: 4_096 });
    const long = 'lorem ipsum dolor sit amet '.repeat(100);
    tokens.countSync(long, 'gpt-4o');
    tokens.countSync(long, 'claude-3-5-haiku');
    expect(tokens.stats().memo).toMatchObject({ hits: 1, misses: 1, entries: 1 });
    tokens.countSync(long, 'gpt-4');
    expect(tokens.stats().memo).toMatchObject({ hits: 1, misses: 2, entries: 2 });
    for (let i = 0; i < 200; i++) tokens.countSync(`${long}${i}`, 'gpt-4o');
    const { bytes, entries } = tokens.stats().memo;
    expect(bytes).toBeLessThanOrEqual(4_096);
    expect(entries).toBeLessThan(50);
    expect(tokens.countSync(long, 'gpt-4o').tokens).toBe(countText(long, 'o200k_base'));
  });

  it('counts small inputs inline and ships larger ones to the pool in bounded tasks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tk-dispatch-'));
    const log = join(dir, 'tasks.log');
    process.env.TOKEN_KERNEL_TASK_LOG = log;
    try {
      const tokens = counter({
        workerFile: fixture('lengths'),
        inlineMaxChars: 100,
        memoMaxBytes: 0,
      });
      const small = await tokens.count('x'.repeat(100), 'gpt-4o');
      expect(small.tokens).toBe(countText('x'.repeat(100), 'o200k_base'));
      // The fixture answers lengths: these counts prove the pool did the work.
      expect((await tokens.count('y'.repeat(101), 'gpt-4o')).tokens).toBe(101);
      const big = 'word '.repeat(120_000);
      expect((await tokens.count(big, 'gpt-4o')).tokens).toBe(big.length);
      const tasks = readFileSync(log, 'utf8').trim().split('\n');
      expect(tasks[0]).toBe('1 101');
      expect(tasks.length).toBeGreaterThan(2);
      for (const line of tasks.slice(1)) {
        expect(Number(line.split(' ')[1])).toBeLessThan(270_000);
      }
    } finally {
      delete process.env.TOKEN_KERNEL_TASK_LOG;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shares one pool count between concurrent requests for the same text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tk-share-'));
    const log = join(dir, 'tasks.log');
    process.env.TOKEN_KERNEL_TASK_LOG = log;
    try {
      const tokens = counter({ workerFile: fixture('lengths'), inlineMaxChars: 0 });
      const doc = 'shared system prompt '.repeat(500);
      const results = await Promise.all(
        [1, 2, 3].map((i) => tokens.count([{ role: 'user', content: doc }], `gpt-4o-${i}`)),
      );
      expect(new Set(results.map((r) => r.tokens)).size).toBe(1);
      const counted = readFileSync(log, 'utf8').trim().split('\n');
      // One task carries the document (and the role text); the others reuse it.
      expect(counted).toHaveLength(1);
    } finally {
      delete process.env.TOKEN_KERNEL_TASK_LOG;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad input with INVALID_ARGUMENT naming the field', async () => {
    const tokens = counter();
    const bad: unknown[] = [
      42,
      [{ role: 'user' }],
      [{ role: 'robot', content: 'x' }],
      [{ role: 'assistant', content: '', tool_calls: [{ id: 'c', function: { name: 'f' } }] }],
    ];
    for (const input of bad) {
      await expect(tokens.count(input as string, 'gpt-4o')).rejects.toSatisfy((e: unknown) =>
        isKernelError(e, 'INVALID_ARGUMENT'),
      );
    }
    expect(() => tokens.countSync([{ role: 'user' }] as never, 'gpt-4o')).toThrow(
      'Expected `input[0].content` to be a string, got `undefined` (undefined)',
    );
    expect(() => tokens.countSync('hi', '')).toThrow('Expected `model`');
    expect(() => tokens.calibrate('claude', -1, 5)).toThrow('Expected `estimatedInputTokens`');
    expect(() => createTokenCounter({ maxThreads: 0 })).toThrow('Expected `options.maxThreads`');
    expect(() => createTokenCounter({ backend: 'tiktoken' as never })).toThrow(
      "Expected `options.backend` to be one of 'gpt-tokenizer', 'js-tiktoken'",
    );
  });

  it('refuses to count after close, and closing twice is harmless', async () => {
    const tokens = createTokenCounter();
    await tokens.count('warm', 'gpt-4o');
    await tokens.close();
    await tokens.close();
    expect(tokens.stats().threads).toBe(0);
    await expect(tokens.count('late', 'gpt-4o')).rejects.toSatisfy((e: unknown) =>
      isKernelError(e, 'KERNEL_CLOSED'),
    );
    expect(() => tokens.countSync('late', 'gpt-4o')).toThrow('closed');
  });
});
