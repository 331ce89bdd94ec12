import { Piscina } from 'piscina';
import type { Clock, TimerHandle } from '../clock.js';
import { KernelError } from '../errors.js';
import type { WorkerFile } from '../runtime/worker-file.js';
import { isTokenizeResult } from './tokenize-protocol.js';
import type { TokenizeResult, TokenizeTask } from './tokenize-protocol.js';

/** Resolved settings of a {@link TokenizePool}. */
export interface TokenizePoolOptions {
  readonly workerFile: WorkerFile;
  readonly maxThreads: number;
  /** Milliseconds an idle thread lives before it exits. */
  readonly idleTimeoutMs: number;
  /** Milliseconds allowed per started million characters of a task. */
  readonly taskTimeoutMs: number;
  readonly clock: Clock;
  readonly onError: (error: unknown) => void;
}

interface Attempt {
  readonly controller: AbortController;
  /** Why the attempt was aborted, if it was. */
  reason: string | undefined;
}

const ATTEMPTS = 2;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The piscina pool behind `count()`. Threads start on demand and exit after `idleTimeoutMs`
 * idle (idle threads never keep the process alive). Each task attempt has a timeout on the
 * injected clock; a task that throws, whose thread crashes, or that times out (its thread is then
 * terminated by the abort) is retried once on a fresh attempt, then rejected with `WORKER_FAILED`.
 * A pool `'error'` (a worker file that fails to load, an uncaught error in an idle thread) is
 * reported to `onError` and fails the attempts in flight, which would otherwise wait for their
 * timeout.
 */
export class TokenizePool {
  readonly #options: TokenizePoolOptions;
  readonly #attempts = new Set<Attempt>();
  #pool: Piscina<TokenizeTask, unknown> | undefined;
  #closed = false;

  constructor(options: TokenizePoolOptions) {
    this.#options = options;
  }

  /** Threads currently running (0 until the first task and after the idle timeout). */
  get threads(): number {
    return this.#pool?.threads.length ?? 0;
  }

  #piscina(): Piscina<TokenizeTask, unknown> {
    if (this.#pool === undefined) {
      const { workerFile, maxThreads, idleTimeoutMs } = this.#options;
      this.#pool = new Piscina<TokenizeTask, unknown>({
        filename: workerFile.filename,
        execArgv: [...workerFile.execArgv],
        minThreads: 0,
        maxThreads,
        idleTimeout: idleTimeoutMs,
        recordTiming: false,
      });
      // Without a listener, a worker file that fails to load crashes the whole process.
      this.#pool.on('error', (error: unknown) => this.#onPoolError(error));
    }
    return this.#pool;
  }

  #onPoolError(error: unknown): void {
    this.#options.onError(error);
    for (const attempt of this.#attempts) {
      attempt.reason ??= `worker pool error: ${describe(error)}`;
      attempt.controller.abort();
    }
  }

  /** The timeout of one attempt at a task of `chars` characters, in milliseconds. */
  timeoutFor(chars: number): number {
    return this.#options.taskTimeoutMs * Math.max(1, Math.ceil(chars / 1_000_000));
  }

  async #attempt(task: TokenizeTask, timeoutMs: number): Promise<TokenizeResult> {
    const { clock } = this.#options;
    const attempt: Attempt = { controller: new AbortController(), reason: undefined };
    this.#attempts.add(attempt);
    const timer: TimerHandle = clock.setTimeout(() => {
      attempt.reason ??= `timed out after ${timeoutMs} ms`;
      attempt.controller.abort();
    }, timeoutMs);
    try {
      const result = await this.#piscina().run(task, { signal: attempt.controller.signal });
      if (!isTokenizeResult(result, task.texts.length)) {
        throw new Error(`malformed worker answer for ${task.texts.length} texts`);
      }
      return result;
    } catch (error) {
      throw new Error(attempt.reason ?? describe(error), { cause: error });
    } finally {
      clock.clearTimeout(timer);
      this.#attempts.delete(attempt);
    }
  }

  /**
   * Counts the texts of `task` in a worker.
   * @throws KernelError `WORKER_FAILED` after two failed attempts; `KERNEL_CLOSED` once closed
   */
  async run(task: TokenizeTask, chars: number): Promise<TokenizeResult> {
    const timeoutMs = this.timeoutFor(chars);
    const failures: Error[] = [];
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (this.#closed) break;
      try {
        return await this.#attempt(task, timeoutMs);
      } catch (error) {
        if (this.#closed) break;
        const failure = error as Error;
        failures.push(failure);
        this.#options.onError(failure);
      }
    }
    if (this.#closed) {
      throw new KernelError('KERNEL_CLOSED', 'The token counter is closed');
    }
    throw new KernelError(
      'WORKER_FAILED',
      `Tokenize worker failed ${ATTEMPTS} times: ${failures.map((f) => f.message).join('; ')}`,
      {
        cause: failures.at(-1),
        details: { attempts: ATTEMPTS, reasons: failures.map((f) => f.message) },
      },
    );
  }

  /** Aborts tasks in flight, stops every thread and clears every timer. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const attempt of this.#attempts) {
      attempt.reason ??= 'closed';
      attempt.controller.abort();
    }
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool !== undefined) await pool.destroy();
  }
}
