import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { compressMessages } from '../../src/compress/compress-messages.js';
import {
  createCompressor,
  type Compressor,
  type Summarizer,
} from '../../src/compress/compressor.js';
import { countMessagesExact } from '../../src/compress/count-messages.js';
import { SUMMARY_MARKER } from '../../src/compress/summary-block.js';
import { isKernelError, type KernelError } from '../../src/errors.js';
import type { WorkerFile } from '../../src/runtime/worker-file.js';
import type { ChatMessage } from '../../src/tokens/chat-message.js';
import { FakeClock } from '../helpers/fake-clock.js';

const fixture = (name: string): WorkerFile => ({
  filename: fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)),
  execArgv: ['--import', 'tsx'],
});
const FAULTY = fixture('faulty-summarize.worker.ts');
const BROKEN = fixture('broken.worker.ts');

function conversation(turns: number): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'system', content: 'You are terse.' }];
  for (let t = 0; t < turns; t++) {
    messages.push({
      role: 'user',
      content: `Turn ${t}: the deploy key is K-${1000 + t}. ${'More words here. '.repeat(6)}`,
    });
    messages.push({
      role: 'assistant',
      content: `Noted. ${'We will look at it later today. '.repeat(4)}`,
    });
  }
  return messages;
}
const messages = conversation(12);
const maxTokens = Math.floor(countMessagesExact(messages, 'o200k_base') / 3);

/** Resolves once the worker bumped `probe[0]` to at least `n` (the worker waits on nothing). */
async function started(probe: Int32Array, n: number): Promise<void> {
  const waitAsync = (
    Atomics as unknown as {
      waitAsync(
        a: Int32Array,
        i: number,
        v: number,
      ): { async: boolean; value: Promise<string> | string };
    }
  ).waitAsync;
  for (;;) {
    const seen = Atomics.load(probe, 0);
    if (seen >= n) return;
    const wait = waitAsync(probe, 0, seen);
    if (wait.async) await wait.value;
  }
}

async function rejection(promise: Promise<unknown>): Promise<KernelError> {
  try {
    await promise;
  } catch (error) {
    if (isKernelError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const open: Compressor[] = [];
const make = (...args: Parameters<typeof createCompressor>) => {
  const compressor = createCompressor(...args);
  open.push(compressor);
  return compressor;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
const scratch = mkdtempSync(join(tmpdir(), 'compressor-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('createCompressor', () => {
  it('compresses in the summarize worker exactly as compressMessages does inline', async () => {
    const compressor = make({ inlineMaxChars: 0, maxThreads: 1 });
    const options = { model: 'gpt-4o', maxTokens };
    const result = await compressor.compress(messages, options);
    expect(result).toEqual(compressMessages(messages, options));
    expect(result.stages).toContain('summary');
  });

  it('runs small conversations inline without starting a worker', async () => {
    const compressor = make({ worker: BROKEN });
    const result = await compressor.compress(messages, { model: 'gpt-4o', maxTokens });
    expect(result.tokensAfter).toBeLessThanOrEqual(maxTokens);
  });

  it('passes BUDGET_EXCEEDED from the worker with its code and details', async () => {
    const compressor = make({ inlineMaxChars: 0, maxThreads: 1 });
    const error = await rejection(
      compressor.compress(messages, { model: 'gpt-4o', maxTokens: 30 }),
    );
    expect(error.code).toBe('BUDGET_EXCEEDED');
    expect(error.details['protectedTokens']).toBeGreaterThan(30);
  });

  it('rejects invalid input with INVALID_ARGUMENT before reaching a worker', async () => {
    const compressor = make({ worker: BROKEN, inlineMaxChars: 0 });
    const error = await rejection(
      compressor.compress(messages, { model: 'gpt-4o', maxTokens: -5 }),
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    const bad = await rejection(
      compressor.compress(messages, {
        model: 'gpt-4o',
        maxTokens,
        summarizer: 'no' as unknown as Summarizer,
      }),
    );
    expect(bad.message).toBe('Expected `summarizer` to be a function, got `"no"` (string)');
  });

  it('retries a task once on a fresh worker when its worker crashes', async () => {
    const compressor = make({ worker: FAULTY, inlineMaxChars: 0, maxThreads: 1 });
    const model = `crash-once:${join(scratch, 'crashed-once')}`;
    const result = await compressor.compress(messages, { model, maxTokens });
    expect(result.exact).toBe(false);
    expect(result.tokensAfter).toBeLessThanOrEqual(maxTokens);
  });

  it('fails with WORKER_FAILED when the retry crashes too', async () => {
    const compressor = make({ worker: FAULTY, inlineMaxChars: 0, maxThreads: 1 });
    const error = await rejection(compressor.compress(messages, { model: 'crash', maxTokens }));
    expect(error.code).toBe('WORKER_FAILED');
    expect(error.details).toEqual({ attempts: 2 });
    expect(error.message).toContain('worker exited with code: 1');
  });

  it('fails with WORKER_FAILED when the worker throws twice', async () => {
    const compressor = make({ worker: FAULTY, inlineMaxChars: 0, maxThreads: 1 });
    const error = await rejection(compressor.compress(messages, { model: 'throw', maxTokens }));
    expect(error.code).toBe('WORKER_FAILED');
    expect((error.cause as Error).message).toContain('boom');
  });

  it('replaces a hung worker after taskTimeoutMs, retries once, then fails with WORKER_FAILED', async () => {
    const clock = new FakeClock();
    const probe = new Int32Array(new SharedArrayBuffer(4));
    const compressor = make({
      worker: FAULTY,
      workerData: probe.buffer,
      inlineMaxChars: 0,
      maxThreads: 1,
      taskTimeoutMs: 5_000,
      clock,
    });
    const outcome = rejection(compressor.compress(messages, { model: 'hang', maxTokens }));
    await started(probe, 1);
    clock.advance(4_999);
    expect(Atomics.load(probe, 0)).toBe(1);
    clock.advance(1);
    await started(probe, 2);
    clock.advance(5_000);
    const error = await outcome;
    expect(error.code).toBe('WORKER_FAILED');
    expect(error.message).toContain('ran longer than 5000 ms');
    expect(clock.pending).toBe(0);
  });

  it('fails with WORKER_FAILED, without waiting for a timeout, when the worker cannot load', async () => {
    const clock = new FakeClock();
    const compressor = make({ worker: BROKEN, inlineMaxChars: 0, maxThreads: 1, clock });
    const error = await rejection(compressor.compress(messages, { model: 'gpt-4o', maxTokens }));
    expect(error.code).toBe('WORKER_FAILED');
    // The load error itself (tsx reports a module that throws while loading in its own words).
    expect(error.message).toMatch(/^The summarize worker failed twice: ./);
    expect(error.cause).toBeInstanceOf(Error);
    expect(clock.now()).toBe(new FakeClock().now());
  });

  it('calls the summarizer with the older messages and a token allowance, cuts its summary to fit and returns its usage', async () => {
    const compressor = make();
    const calls: { messages: readonly ChatMessage[]; maxTokens: number }[] = [];
    const summarizer: Summarizer = async (input) => {
      calls.push(input);
      return {
        summary: `Keys K-1000 to K-1008 were discussed. ${'Padding words. '.repeat(500)}`,
        usage: { inputTokens: 900, outputTokens: 120 },
      };
    };
    const result = await compressor.compress(messages, { model: 'gpt-4o', maxTokens, summarizer });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.messages[0]).toEqual(messages[1]);
    expect(calls[0]?.maxTokens).toBeGreaterThan(0);
    expect(result.summarizerUsage).toEqual({ inputTokens: 900, outputTokens: 120 });
    expect(
      result.messages[1]?.content.startsWith(
        `${SUMMARY_MARKER}\nKeys K-1000 to K-1008 were discussed.`,
      ),
    ).toBe(true);
    expect(result.tokensAfter).toBe(countMessagesExact(result.messages, 'o200k_base'));
    expect(result.tokensAfter).toBeLessThanOrEqual(maxTokens);
    expect(result.summarized).toBe(calls[0]?.messages.length);
  });

  it('runs the summarizer between two worker tasks when the conversation is large', async () => {
    const compressor = make({ inlineMaxChars: 0, maxThreads: 1 });
    const result = await compressor.compress(messages, {
      model: 'gpt-4o',
      maxTokens,
      summarizer: async () => ({ summary: `${SUMMARY_MARKER}\nShort LLM summary.` }),
    });
    expect(result.messages[1]?.content).toBe(`${SUMMARY_MARKER}\nShort LLM summary.`);
    expect(result.summarizerUsage).toBeUndefined();
  });

  it('does not call the summarizer when the conversation already fits', async () => {
    const compressor = make();
    let called = false;
    const result = await compressor.compress(messages, {
      model: 'gpt-4o',
      maxTokens: 100_000,
      summarizer: async () => {
        called = true;
        return { summary: '' };
      },
    });
    expect(called).toBe(false);
    expect(result.messages).toEqual(messages);
  });

  it("passes the summarizer's rejection through and checks its answer", async () => {
    const compressor = make();
    const failure = new Error('rate limited');
    await expect(
      compressor.compress(messages, {
        model: 'gpt-4o',
        maxTokens,
        summarizer: () => Promise.reject(failure),
      }),
    ).rejects.toBe(failure);
    const error = await rejection(
      compressor.compress(messages, {
        model: 'gpt-4o',
        maxTokens,
        summarizer: async () => ({ summary: 'x', usage: { inputTokens: -1, outputTokens: 0 } }),
      }),
    );
    expect(error.message.startsWith('Expected `summarizer result.usage.inputTokens`')).toBe(true);
  });

  it('rejects pending and later tasks with KERNEL_CLOSED after close', async () => {
    const clock = new FakeClock();
    const probe = new Int32Array(new SharedArrayBuffer(4));
    const compressor = createCompressor({
      worker: FAULTY,
      workerData: probe.buffer,
      inlineMaxChars: 0,
      maxThreads: 1,
      clock,
    });
    const pending = rejection(compressor.compress(messages, { model: 'hang', maxTokens }));
    await started(probe, 1);
    await compressor.close();
    expect((await pending).code).toBe('KERNEL_CLOSED');
    expect(clock.pending).toBe(0);
    const later = await rejection(compressor.compress(messages, { model: 'gpt-4o', maxTokens }));
    expect(later.code).toBe('KERNEL_CLOSED');
  });

  it('rejects invalid options with INVALID_ARGUMENT', () => {
    expect(() => createCompressor({ maxThreads: 0 })).toThrow(
      'Expected `maxThreads` to be a positive safe integer',
    );
    expect(() => createCompressor({ taskTimeoutMs: -1 })).toThrow('Expected `taskTimeoutMs`');
    expect(() => createCompressor({ inlineMaxChars: 1.5 })).toThrow('Expected `inlineMaxChars`');
  });
});
