import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KernelError, isKernelError } from '../../src/errors.js';
import type { WorkerFile } from '../../src/runtime/worker-file.js';
import { countText } from '../../src/tokens/bpe-count.js';
import { createTokenCounter } from '../../src/tokens/token-counter.js';
import type { TokenCounterOptions } from '../../src/tokens/token-counter-options.js';
import { FakeClock } from '../helpers/fake-clock.js';

function fixture(name: string): WorkerFile {
  const url = new URL(`../fixtures/tokenize-${name}.worker.ts`, import.meta.url);
  return { filename: fileURLToPath(url), execArgv: ['--import', 'tsx'] };
}

/** Lets promise callbacks and piscina's message handlers run, without waiting on time. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !condition(); i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(condition()).toBe(true);
}

async function failure(promise: Promise<unknown>): Promise<KernelError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KernelError);
  return error as KernelError;
}

const TEXT = 'The counter must survive its workers. '.repeat(50);

function faulty(name: string, extra: TokenCounterOptions = {}) {
  const errors: unknown[] = [];
  const clock = new FakeClock();
  const tokens = createTokenCounter({
    workerFile: fixture(name),
    inlineMaxChars: 0,
    taskTimeoutMs: 1_000,
    clock,
    onError: (error) => errors.push(error),
    ...extra,
  });
  return { tokens, errors, clock };
}

describe('token counter faults', () => {
  for (const [name, symptom] of [
    ['crash', 'worker exited with code: 1'],
    ['throw', 'fixture: tokenizer exploded'],
  ] as const) {
    it(`retries a task whose worker ${name === 'crash' ? 'crashes' : 'throws'} once, then rejects with WORKER_FAILED`, async () => {
      const { tokens, errors, clock } = faulty(name);
      const error = await failure(tokens.count(TEXT, 'gpt-4o'));
      expect(error.code).toBe('WORKER_FAILED');
      expect(error.details).toMatchObject({ attempts: 2, reasons: [symptom, symptom] });
      expect(errors).toHaveLength(2);
      // The counter keeps working: inline counts, and the pool takes new work.
      expect(tokens.countSync('still here', 'gpt-4o').tokens).toBe(
        countText('still here', 'o200k_base'),
      );
      expect((await failure(tokens.count(`${TEXT}!`, 'gpt-4o'))).code).toBe('WORKER_FAILED');
      await tokens.close();
      expect(tokens.stats().threads).toBe(0);
      expect(clock.pending).toBe(0);
    });
  }

  it('replaces a crashed worker and answers from the retry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tk-flaky-'));
    process.env.TOKEN_KERNEL_FLAKY_MARKER = join(dir, 'crashed');
    try {
      const { tokens, errors } = faulty('flaky');
      const counted = await tokens.count(TEXT, 'gpt-4o');
      expect(counted.tokens).toBe(countText(TEXT, 'o200k_base'));
      expect(errors).toHaveLength(1);
      expect(String(errors[0])).toContain('worker exited with code: 1');
      await tokens.close();
    } finally {
      delete process.env.TOKEN_KERNEL_FLAKY_MARKER;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('terminates a hung worker at the task timeout, retries once, then rejects', async () => {
    const { tokens, errors, clock } = faulty('hang');
    const counting = failure(tokens.count(TEXT, 'gpt-4o'));
    expect(clock.pending).toBe(1);
    clock.advance(999);
    expect(errors).toHaveLength(0);
    clock.advance(1);
    await until(() => errors.length === 1 && clock.pending === 1);
    clock.advance(1_000);
    const error = await counting;
    expect(error.code).toBe('WORKER_FAILED');
    expect(error.details).toMatchObject({
      reasons: ['timed out after 1000 ms', 'timed out after 1000 ms'],
    });
    expect(clock.pending).toBe(0);
    await tokens.close();
    expect(tokens.stats().threads).toBe(0);
  });

  it('gives larger tasks proportionally more time', async () => {
    const { tokens, clock } = faulty('hang', { memoMaxBytes: 0 });
    // 2.5 million characters without a safe cut: one task, three started millions.
    const counting = failure(tokens.count('z'.repeat(2_500_000), 'gpt-4o'));
    clock.advance(2_999);
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.pending).toBe(1);
    await tokens.close();
    expect((await counting).code).toBe('KERNEL_CLOSED');
  });

  it('fails fast when the worker module cannot load, without crashing the process', async () => {
    const { tokens, errors, clock } = faulty('broken');
    const error = await failure(tokens.count(TEXT, 'gpt-4o'));
    expect(error.code).toBe('WORKER_FAILED');
    expect(error.message).toContain('worker pool error');
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(clock.pending).toBe(0);
    await tokens.close();
  });

  it('rejects counts in flight with KERNEL_CLOSED when closed, and stops the hung thread', async () => {
    const { tokens, clock } = faulty('hang');
    const counting = failure(tokens.count(TEXT, 'gpt-4o'));
    await until(() => tokens.stats().threads === 1);
    await tokens.close();
    expect((await counting).code).toBe('KERNEL_CLOSED');
    expect(tokens.stats().threads).toBe(0);
    expect(clock.pending).toBe(0);
    expect(isKernelError(await failure(tokens.count(TEXT, 'gpt-4o')), 'KERNEL_CLOSED')).toBe(true);
  });
});
