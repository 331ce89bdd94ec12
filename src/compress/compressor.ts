import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { systemClock, type Clock } from '../clock.js';
import { KernelError } from '../errors.js';
import { resolveWorkerFile, type WorkerFile } from '../runtime/worker-file.js';
import type { ChatMessage } from '../tokens/chat-message.js';
import { validateUsage, type Usage } from '../usage.js';
import { expectObject, expectPositiveInt, expectTokens, invalid } from '../validate.js';
import type { CompressOptions, CompressResult } from './compress-options.js';
import { resolveCompressOptions, validateChatMessages } from './compress-options.js';
import { runSummarizeTask, type SummarizeReply, type SummarizeTask } from './summarize-task.js';

/**
 * An optional LLM summary hook. It runs on the main thread with the older messages being replaced
 * and the tokens available; its `summary` is still cut to fit exactly, and its `usage` comes back
 * in {@link CompressResult.summarizerUsage} so the kernel charges the agent for it.
 */
export type Summarizer = (input: {
  readonly messages: readonly ChatMessage[];
  readonly maxTokens: number;
}) => Promise<{ summary: string; usage?: Usage }>;

/** Options of {@link createCompressor}. */
export interface CompressorOptions {
  /**
   * Worker threads at most.
   * @default max(1, min(4, availableParallelism() - 1))
   */
  readonly maxThreads?: number;
  /**
   * Milliseconds an idle worker lives before it exits.
   * @default 30_000
   */
  readonly idleTimeoutMs?: number;
  /**
   * Milliseconds a task may run before its worker counts as hung and is replaced.
   * @default 60_000
   */
  readonly taskTimeoutMs?: number;
  /**
   * Conversations of at most this many characters (contents and tool-call arguments) are
   * compressed inline on the calling thread, where a worker round trip would cost more.
   * 0 sends everything to the worker.
   * @default 20_000
   */
  readonly inlineMaxChars?: number;
  /** Time source for task timeouts. @default systemClock */
  readonly clock?: Clock;
  /** The worker module. @default resolveWorkerFile('summarize.worker') */
  readonly worker?: WorkerFile;
  /** piscina `workerData` for a custom `worker` module (structured-cloned; a SharedArrayBuffer is shared). */
  readonly workerData?: unknown;
}

/** Compresses conversations in worker threads. */
export interface Compressor {
  /**
   * {@link compressMessages} off the main thread, optionally with an LLM `summarizer`.
   * @throws KernelError `INVALID_ARGUMENT`, `BUDGET_EXCEEDED`; `WORKER_FAILED` after a crashed or
   * hung worker's task failed again on a fresh worker; `KERNEL_CLOSED` after {@link close}.
   * A summarizer's own rejection is passed through unchanged.
   */
  compress(
    messages: readonly ChatMessage[],
    options: CompressOptions & { readonly summarizer?: Summarizer },
  ): Promise<CompressResult>;
  /** Ends the worker threads and timers; pending tasks reject with `KERNEL_CLOSED`. */
  close(): Promise<void>;
}

function conversationChars(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) {
    chars += m.content.length;
    for (const call of m.tool_calls ?? []) chars += call.function.arguments.length;
  }
  return chars;
}

/** The error behind a failure: piscina wraps the reason of an aborted task in an AbortError. */
function failureReason(error: unknown): Error {
  const cause = error instanceof Error && error.name === 'AbortError' ? error.cause : error;
  return cause instanceof Error ? cause : new Error(String(cause));
}

function unwrap(reply: SummarizeReply): Exclude<SummarizeReply, { ok: false }> {
  if (!reply.ok) {
    throw new KernelError(reply.error.code, reply.error.message, { details: reply.error.details });
  }
  return reply;
}

class PooledCompressor implements Compressor {
  readonly #maxThreads: number;
  readonly #idleTimeoutMs: number;
  readonly #taskTimeoutMs: number;
  readonly #inlineMaxChars: number;
  readonly #clock: Clock;
  readonly #worker: WorkerFile;
  readonly #workerData: unknown;
  readonly #inflight = new Set<AbortController>();
  #pool: Piscina<SummarizeTask, SummarizeReply> | undefined;
  #closed = false;

  constructor(options: CompressorOptions) {
    const o = expectObject('options', options);
    const defaultThreads = Math.max(1, Math.min(4, availableParallelism() - 1));
    this.#maxThreads = expectPositiveInt('maxThreads', o['maxThreads'] ?? defaultThreads);
    this.#idleTimeoutMs = expectTokens('idleTimeoutMs', o['idleTimeoutMs'] ?? 30_000);
    this.#taskTimeoutMs = expectPositiveInt('taskTimeoutMs', o['taskTimeoutMs'] ?? 60_000);
    this.#inlineMaxChars = expectTokens('inlineMaxChars', o['inlineMaxChars'] ?? 20_000);
    this.#clock = options.clock ?? systemClock;
    this.#worker = options.worker ?? resolveWorkerFile('summarize.worker');
    this.#workerData = options.workerData;
  }

  async compress(
    messages: readonly ChatMessage[],
    options: CompressOptions & { readonly summarizer?: Summarizer },
  ): Promise<CompressResult> {
    if (this.#closed) throw new KernelError('KERNEL_CLOSED', 'The compressor is closed');
    validateChatMessages(messages);
    expectObject('options', options);
    const { summarizer } = options;
    const o = resolveCompressOptions(messages, options);
    // Only the documented options cross the thread boundary (anything else may not be cloneable).
    const rest: CompressOptions = {
      model: o.model,
      maxTokens: o.maxTokens,
      keepRecent: o.keepRecent,
      pinned: [...o.pinned],
      margin: o.margin,
      summaryMaxShare: o.summaryMaxShare,
    };
    if (summarizer !== undefined && typeof summarizer !== 'function') {
      invalid('summarizer', 'a function', summarizer);
    }
    const inline = conversationChars(messages) <= this.#inlineMaxChars;
    const run = async (task: SummarizeTask) =>
      unwrap(inline ? runSummarizeTask(task) : await this.#runInWorker(task));

    if (summarizer === undefined) {
      const reply = await run({ kind: 'compress', messages, options: rest });
      if ('result' in reply) return reply.result;
      throw new KernelError(
        'WORKER_FAILED',
        'The summarize worker answered a request to a compress task',
      );
    }
    const planned = await run({ kind: 'plan', messages, options: rest });
    if ('result' in planned) return planned.result;
    const answer: unknown = await summarizer(planned.request);
    const a = expectObject('summarizer result', answer);
    if (typeof a['summary'] !== 'string')
      invalid('summarizer result.summary', 'a string', a['summary']);
    const usage =
      a['usage'] === undefined ? undefined : validateUsage(a['usage'], 'summarizer result.usage');
    const finished = await run({ kind: 'finish', messages, options: rest, summary: a['summary'] });
    if (!('result' in finished)) {
      throw new KernelError(
        'WORKER_FAILED',
        'The summarize worker answered a request to a finish task',
      );
    }
    return usage === undefined ? finished.result : { ...finished.result, summarizerUsage: usage };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    for (const controller of this.#inflight)
      controller.abort(new KernelError('KERNEL_CLOSED', 'The compressor is closed'));
    if (pool !== undefined) await pool.destroy();
  }

  #ensurePool(): Piscina<SummarizeTask, SummarizeReply> {
    if (this.#pool !== undefined) return this.#pool;
    const pool = new Piscina<SummarizeTask, SummarizeReply>({
      filename: this.#worker.filename,
      execArgv: [...this.#worker.execArgv],
      minThreads: 0,
      maxThreads: this.#maxThreads,
      idleTimeout: this.#idleTimeoutMs,
      workerData: this.#workerData,
    });
    // Without this listener a worker that fails to load crashes the process. Such a pool starts no
    // more workers, so its tasks would hang: fail them now and start afresh on the next task.
    pool.on('error', (error: unknown) => {
      if (this.#pool === pool) this.#pool = undefined;
      for (const controller of this.#inflight) controller.abort(error);
      void pool.destroy().catch(() => undefined);
    });
    this.#pool = pool;
    return pool;
  }

  async #runInWorker(task: SummarizeTask): Promise<SummarizeReply> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#runOnce(task);
      } catch (error) {
        if (this.#closed)
          throw new KernelError('KERNEL_CLOSED', 'The compressor is closed', { cause: error });
        if (attempt >= 2) {
          const reason = failureReason(error);
          throw new KernelError(
            'WORKER_FAILED',
            `The summarize worker failed twice: ${reason.message}`,
            {
              cause: reason,
              details: { attempts: attempt },
            },
          );
        }
      }
    }
  }

  async #runOnce(task: SummarizeTask): Promise<SummarizeReply> {
    const pool = this.#ensurePool();
    const controller = new AbortController();
    this.#inflight.add(controller);
    const timer = this.#clock.setTimeout(() => {
      controller.abort(
        new KernelError(
          'WORKER_FAILED',
          `The summarize task ran longer than ${this.#taskTimeoutMs} ms`,
        ),
      );
    }, this.#taskTimeoutMs);
    try {
      return await pool.run(task, { signal: controller.signal });
    } finally {
      this.#clock.clearTimeout(timer);
      this.#inflight.delete(controller);
    }
  }
}

/**
 * A compressor backed by a piscina pool running `workers/summarize.worker` (small conversations
 * run inline). A worker that crashes or exceeds `taskTimeoutMs` is replaced and its task retried
 * once; a second failure rejects with `WORKER_FAILED`. Call {@link Compressor.close} to let the
 * process exit.
 * @throws KernelError `INVALID_ARGUMENT` for bad options
 * @example
 * const compressor = createCompressor();
 * const result = await compressor.compress(history, { model: 'gpt-4o', maxTokens: 8_000 });
 * await compressor.close();
 */
export function createCompressor(options: CompressorOptions = {}): Compressor {
  return new PooledCompressor(options);
}
