import { KernelError } from '../errors.js';
import { expectId, expectTokens } from '../validate.js';
import { countText } from './bpe-count.js';
import type { EncodingName } from './bpe-count.js';
import type { ChatMessage } from './chat-message.js';
import { chatOverhead, messageTexts } from './count-chat-messages.js';
import { expectCountInput } from './count-input.js';
import { CountMemo } from './count-memo.js';
import type { CountMemoStats } from './count-memo.js';
import { DEFAULT_MARGIN_CALIBRATION } from './margin-calibrator.js';
import { encodingForModel } from './model-encoding.js';
import { ModelMargins } from './model-margins.js';
import { planTasks } from './task-plan.js';
import { resolveTokenCounterOptions } from './token-counter-options.js';
import type { ResolvedTokenCounterOptions, TokenCounterOptions } from './token-counter-options.js';
import { TokenizePool } from './tokenize-pool.js';

export type { TokenCounterOptions } from './token-counter-options.js';

/** A token count, exact or estimated. */
export interface TokenCount {
  /** Tokens (an upper bound for ≥ 95 % of calls when `exact` is false). */
  readonly tokens: number;
  /** True for models whose tokenizer is public (OpenAI encodings). */
  readonly exact: boolean;
  /** The encoding counted with, or `'estimate'`. */
  readonly encoding: EncodingName | 'estimate';
}

/** Counters of a {@link TokenCounter}. */
export interface TokenCounterStats {
  readonly memo: CountMemoStats;
  /** Worker threads currently running. */
  readonly threads: number;
}

/** Counts tokens for any model; `kernel.tokens`. */
export interface TokenCounter {
  /**
   * Counts a text or a chat request for `model`: exact for OpenAI encodings (chat overhead
   * included, see `countChatMessages`); for models without a public tokenizer, o200k_base tokens
   * × the model's calibrated margin, rounded up, with `exact: false`. Texts already counted come
   * from the memo; missing texts beyond `inlineMaxChars` are counted in the worker pool.
   * @throws KernelError `INVALID_ARGUMENT` (bad input or model), `WORKER_FAILED` (a worker task
   * failed twice), `KERNEL_CLOSED` — as rejections
   */
  count(input: string | readonly ChatMessage[], model: string): Promise<TokenCount>;
  /**
   * {@link TokenCounter.count} on the calling thread, whatever the size: for small inputs and the
   * compressor. Same counts, same memo.
   * @throws KernelError `INVALID_ARGUMENT`, `KERNEL_CLOSED`
   */
  countSync(input: string | readonly ChatMessage[], model: string): TokenCount;
  /**
   * Feeds the real usage of one call back into `model`'s margin: `estimatedInputTokens` is the
   * `tokens` this counter returned for the request, `actualInputTokens` what the provider billed.
   * Ignored for models counted exactly.
   * @throws KernelError `INVALID_ARGUMENT`
   */
  calibrate(model: string, estimatedInputTokens: number, actualInputTokens: number): void;
  /** The multiplier currently applied to `model`'s estimates (1 for exact models). */
  margin(model: string): number;
  /** Memo and pool counters. */
  stats(): TokenCounterStats;
  /** Stops the workers and clears timers; later counts reject with `KERNEL_CLOSED`. Idempotent. */
  close(): Promise<void>;
}

/** Characters per worker task: large inputs are spread over the threads in tasks this big. */
const TASK_CHARS = 256 * 1024;

interface Prepared {
  readonly encoding: EncodingName;
  readonly exact: boolean;
  readonly overhead: number;
  readonly texts: readonly string[];
}

class PooledTokenCounter implements TokenCounter {
  readonly #options: ResolvedTokenCounterOptions;
  readonly #memo: CountMemo;
  readonly #margins: ModelMargins;
  readonly #pool: TokenizePool;
  /** Counts being computed in the pool, by memo key: concurrent requests share them. */
  readonly #inFlight = new Map<string, Promise<number>>();
  #closed = false;

  constructor(options: ResolvedTokenCounterOptions) {
    this.#options = options;
    this.#memo = new CountMemo(options.memoMaxBytes);
    this.#margins = new ModelMargins({
      ...DEFAULT_MARGIN_CALIBRATION,
      initialMargin: options.initialMargin,
      window: options.calibrationWindow,
    });
    this.#pool = new TokenizePool(options);
  }

  #prepare(input: unknown, model: unknown): Prepared {
    if (this.#closed) throw new KernelError('KERNEL_CLOSED', 'The token counter is closed');
    const valid = expectCountInput(input);
    const known = encodingForModel(expectId('model', model));
    const encoding = known ?? 'o200k_base';
    if (typeof valid === 'string')
      return { encoding, exact: known !== undefined, overhead: 0, texts: [valid] };
    return {
      encoding,
      exact: known !== undefined,
      overhead: chatOverhead(valid),
      texts: valid.flatMap(messageTexts),
    };
  }

  #finish(model: string, prepared: Prepared, base: number): TokenCount {
    if (prepared.exact) return { tokens: base, exact: true, encoding: prepared.encoding };
    return { tokens: this.#margins.estimate(model, base), exact: false, encoding: 'estimate' };
  }

  #countInline(text: string, key: string, encoding: EncodingName): number {
    const tokens = countText(text, encoding, this.#options.backend);
    this.#memo.set(key, tokens);
    return tokens;
  }

  countSync(input: string | readonly ChatMessage[], model: string): TokenCount {
    const prepared = this.#prepare(input, model);
    let base = prepared.overhead;
    for (const text of prepared.texts) {
      const key = this.#memo.key(text, prepared.encoding);
      base += this.#memo.get(key) ?? this.#countInline(text, key, prepared.encoding);
    }
    return this.#finish(model, prepared, base);
  }

  async count(input: string | readonly ChatMessage[], model: string): Promise<TokenCount> {
    const prepared = this.#prepare(input, model);
    const { encoding } = prepared;
    let base = prepared.overhead;
    const pending: Promise<number>[] = [];
    const missing = new Map<string, { text: string; uses: number }>();
    let missingChars = 0;
    for (const text of prepared.texts) {
      const key = this.#memo.key(text, encoding);
      const known = this.#memo.get(key);
      if (known !== undefined) base += known;
      else if (this.#inFlight.has(key)) pending.push(this.#inFlight.get(key) as Promise<number>);
      else {
        const entry = missing.get(key);
        if (entry === undefined) {
          missing.set(key, { text, uses: 1 });
          missingChars += text.length;
        } else entry.uses++;
      }
    }
    if (missingChars <= this.#options.inlineMaxChars) {
      for (const [key, { text, uses }] of missing) {
        base += uses * this.#countInline(text, key, encoding);
      }
    } else {
      const counts = this.#dispatch([...missing], encoding);
      for (const [key, { uses }] of missing) {
        const count = counts.get(key) as Promise<number>;
        for (let i = 0; i < uses; i++) pending.push(count);
      }
    }
    for (const tokens of await Promise.all(pending)) base += tokens;
    return this.#finish(model, prepared, base);
  }

  /** Sends texts to the pool in bounded tasks; one shared promise per text, memoized on success. */
  #dispatch(
    entries: readonly (readonly [string, { readonly text: string }])[],
    encoding: EncodingName,
  ): Map<string, Promise<number>> {
    const texts = entries.map(([, { text }]) => text);
    const totals = Promise.all(
      planTasks(texts, TASK_CHARS).map(async (task) => ({
        task,
        counts: await this.#pool.run(
          { texts: task.texts, encoding, backend: this.#options.backend },
          task.chars,
        ),
      })),
    ).then((results) => {
      const sums = new Array<number>(texts.length).fill(0);
      for (const { task, counts } of results) {
        counts.forEach((count, j) => {
          const owner = task.owners[j] as number;
          sums[owner] = (sums[owner] as number) + count;
        });
      }
      return sums;
    });
    const byKey = new Map<string, Promise<number>>();
    entries.forEach(([key], i) => {
      const count = totals.then((sums) => sums[i] as number);
      this.#inFlight.set(key, count);
      byKey.set(key, count);
      count.then(
        (tokens) => this.#memo.set(key, tokens),
        () => undefined,
      );
      // Settled either way, the entry makes room for the memo (or for a later retry).
      void count
        .finally(() => {
          if (this.#inFlight.get(key) === count) this.#inFlight.delete(key);
        })
        .catch(() => undefined);
    });
    return byKey;
  }

  calibrate(model: string, estimatedInputTokens: number, actualInputTokens: number): void {
    expectId('model', model);
    expectTokens('estimatedInputTokens', estimatedInputTokens);
    expectTokens('actualInputTokens', actualInputTokens);
    if (encodingForModel(model) !== undefined) return;
    this.#margins.observe(model, estimatedInputTokens, actualInputTokens);
  }

  margin(model: string): number {
    expectId('model', model);
    return encodingForModel(model) === undefined ? this.#margins.margin(model) : 1;
  }

  stats(): TokenCounterStats {
    return { memo: this.#memo.stats(), threads: this.#pool.threads };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#pool.close();
  }
}

/**
 * Creates the token counter the kernel exposes as `kernel.tokens`: a piscina pool of
 * `workers/tokenize.worker.ts` threads (started on demand), a content-hash memo per encoding, and
 * self-calibrating margins for models without a public tokenizer.
 * @throws KernelError `INVALID_ARGUMENT` for a bad option
 * @example
 * const tokens = createTokenCounter();
 * const { tokens: n } = await tokens.count([{ role: 'user', content: 'Hi' }], 'gpt-4o'); // 8
 * await tokens.close();
 */
export function createTokenCounter(options?: TokenCounterOptions): TokenCounter {
  return new PooledTokenCounter(resolveTokenCounterOptions(options));
}
