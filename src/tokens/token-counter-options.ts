import { availableParallelism } from 'node:os';
import { systemClock } from '../clock.js';
import type { Clock } from '../clock.js';
import { resolveWorkerFile } from '../runtime/worker-file.js';
import type { WorkerFile } from '../runtime/worker-file.js';
import {
  expectNumberIn,
  expectObject,
  expectOneOf,
  expectPositiveInt,
  expectTokens,
  invalid,
} from '../validate.js';
import { DEFAULT_MARGIN_CALIBRATION, MAX_RATIO, MIN_RATIO } from './margin-calibrator.js';
import { DEFAULT_BACKEND, TOKENIZER_BACKENDS } from './tokenizer-backend.js';
import type { TokenizerBackend } from './tokenizer-backend.js';

/**
 * Missing text (characters) up to which `count()` counts on the calling thread rather than in a
 * worker: below it, counting costs less than the pool round trip. bench/tokenize.bench.ts (2 cores
 * shared with other work) measured round trips of 110–250 µs against inline counts of 120–150 µs
 * for 256 characters, 280–320 µs for 1,024: the crossover falls between 256 and 1,024 characters
 * from run to run. An inline count of 512 characters blocks the event loop for ~0.2 ms.
 */
export const DEFAULT_INLINE_MAX_CHARS = 512;

/** Options of {@link createTokenCounter}. Every field is optional. */
export interface TokenCounterOptions {
  /** BPE library; both give identical counts. @default 'gpt-tokenizer' (the faster, by bench) */
  readonly backend?: TokenizerBackend;
  /** Worker threads at most. @default os.availableParallelism() - 1, at least 1 */
  readonly maxThreads?: number;
  /** Milliseconds an idle worker thread lives. @default 30_000 */
  readonly idleTimeoutMs?: number;
  /**
   * Milliseconds a worker task may run per started million characters before its thread is
   * replaced and the task retried (hostile input on js-tiktoken runs at ~50 KB/s). @default 60_000
   */
  readonly taskTimeoutMs?: number;
  /** Characters up to which missing counts are computed inline. @default 512 (see bench) */
  readonly inlineMaxChars?: number;
  /** Bound of the count memo, in bytes; 0 disables it. @default 8 MiB */
  readonly memoMaxBytes?: number;
  /** Source of time for task timeouts. @default systemClock */
  readonly clock?: Clock;
  /** The worker module (tests inject faulty fixtures). @default resolveWorkerFile('tokenize.worker') */
  readonly workerFile?: WorkerFile;
  /** Receives worker failures and pool errors (the call itself still rejects). @default ignore */
  readonly onError?: (error: unknown) => void;
  /** Multiplier for estimates before calibration has data. @default 1.25 */
  readonly initialMargin?: number;
  /** Observations per model the calibration keeps. @default 200 */
  readonly calibrationWindow?: number;
}

/** {@link TokenCounterOptions} with every default applied. */
export interface ResolvedTokenCounterOptions {
  readonly backend: TokenizerBackend;
  readonly maxThreads: number;
  readonly idleTimeoutMs: number;
  readonly taskTimeoutMs: number;
  readonly inlineMaxChars: number;
  readonly memoMaxBytes: number;
  readonly clock: Clock;
  readonly workerFile: WorkerFile;
  readonly onError: (error: unknown) => void;
  readonly initialMargin: number;
  readonly calibrationWindow: number;
}

function expectWorkerFile(value: unknown): WorkerFile {
  const file = expectObject('options.workerFile', value);
  if (typeof file.filename !== 'string' || file.filename.length === 0) {
    invalid('options.workerFile.filename', 'a non-empty string', file.filename);
  }
  if (!Array.isArray(file.execArgv) || !file.execArgv.every((a) => typeof a === 'string')) {
    invalid('options.workerFile.execArgv', 'an array of strings', file.execArgv);
  }
  return { filename: file.filename, execArgv: [...(file.execArgv as string[])] };
}

function expectClock(value: unknown): Clock {
  const clock = expectObject('options.clock', value);
  for (const method of ['now', 'setTimeout', 'clearTimeout'] as const) {
    if (typeof clock[method] !== 'function') {
      invalid(`options.clock.${method}`, 'a function', clock[method]);
    }
  }
  return value as Clock;
}

/**
 * Applies defaults and validates.
 * @throws KernelError `INVALID_ARGUMENT` naming the bad option (`options.maxThreads`)
 */
export function resolveTokenCounterOptions(
  options: TokenCounterOptions = {},
): ResolvedTokenCounterOptions {
  const o = expectObject('options', options);
  const onError = o.onError ?? ((): void => {});
  if (typeof onError !== 'function') invalid('options.onError', 'a function', onError);
  const window = expectPositiveInt(
    'options.calibrationWindow',
    o.calibrationWindow ?? DEFAULT_MARGIN_CALIBRATION.window,
  );
  if (window < DEFAULT_MARGIN_CALIBRATION.minSamples || window > 100_000) {
    invalid('options.calibrationWindow', 'an integer from 20 to 100000', window);
  }
  return {
    backend: expectOneOf('options.backend', o.backend ?? DEFAULT_BACKEND, TOKENIZER_BACKENDS),
    maxThreads: expectPositiveInt(
      'options.maxThreads',
      o.maxThreads ?? Math.max(1, availableParallelism() - 1),
    ),
    idleTimeoutMs: expectTokens('options.idleTimeoutMs', o.idleTimeoutMs ?? 30_000),
    taskTimeoutMs: expectPositiveInt('options.taskTimeoutMs', o.taskTimeoutMs ?? 60_000),
    inlineMaxChars: expectTokens(
      'options.inlineMaxChars',
      o.inlineMaxChars ?? DEFAULT_INLINE_MAX_CHARS,
    ),
    memoMaxBytes: expectTokens('options.memoMaxBytes', o.memoMaxBytes ?? 8 * 1024 * 1024),
    clock: o.clock === undefined ? systemClock : expectClock(o.clock),
    workerFile:
      o.workerFile === undefined
        ? resolveWorkerFile('tokenize.worker')
        : expectWorkerFile(o.workerFile),
    onError: onError as (error: unknown) => void,
    initialMargin: expectNumberIn(
      'options.initialMargin',
      o.initialMargin ?? DEFAULT_MARGIN_CALIBRATION.initialMargin,
      MIN_RATIO,
      MAX_RATIO,
    ),
    calibrationWindow: window,
  };
}
