import type { InvokeContext, InvokeResult } from '../calls/call-types.js';
import { KernelError } from '../errors.js';
import { countText } from '../tokens/bpe-count.js';
import type { Usage } from '../usage.js';

/**
 * Settles one streamed call exactly once, whichever comes first: the provider's final usage
 * (`finish`), the stream ending without it (`end`: input + output seen, estimated), an error
 * (`fail`), or the consumer cancelling (`cancel`). Output text is counted as it passes (o200k, per
 * delta) and reported to the kernel, so a stream cut short settles with what was seen, never $0.
 * When the provider already reported usage mid-stream (Anthropic's `message_start`), an early end
 * or error settles with that, its output raised to what was seen.
 */
export class StreamSettlement {
  readonly #context: InvokeContext;
  readonly #resolve: (result: InvokeResult<null>) => void;
  readonly #reject: (error: unknown) => void;
  #settled = false;
  #seen = 0;
  #reported: Usage | undefined;
  #finishReason: string | undefined;

  constructor(
    context: InvokeContext,
    resolve: (result: InvokeResult<null>) => void,
    reject: (error: unknown) => void,
  ) {
    this.#context = context;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** True once the call is settled (later events are ignored). */
  get settled(): boolean {
    return this.#settled;
  }

  /** Output tokens seen so far (o200k count of the streamed text). */
  get seenTokens(): number {
    return this.#seen;
  }

  /** Counts a piece of streamed output (text, reasoning, tool-call arguments). */
  text(delta: unknown): void {
    if (this.#settled || typeof delta !== 'string' || delta.length === 0) return;
    const tokens = countText(delta, 'o200k_base');
    this.#seen += tokens;
    this.#context.outputTokens(tokens);
  }

  /** Usage the provider reported before the end (cumulative so far). */
  reported(usage: Usage | undefined): void {
    if (usage !== undefined) this.#reported = usage;
  }

  /** The finish reason, when it arrives before the usage. */
  finishReason(reason: string | null | undefined): void {
    if (typeof reason === 'string' && reason.length > 0) this.#finishReason = reason;
  }

  /** The provider's final usage arrived (undefined when it sent none): settle with it. */
  finish(usage: Usage | undefined, finishReason?: string | null): void {
    this.finishReason(finishReason);
    this.#settle(usage ?? this.#fallback(), this.#finishReason);
  }

  /** The stream ended without final usage: settle with what was reported and seen. */
  end(): void {
    this.#settle(this.#fallback(), this.#finishReason);
  }

  /** The stream failed: settle with reported usage if any, else let the kernel classify `error`. */
  fail(error: unknown): void {
    if (this.#settled) return;
    const fallback = this.#fallback();
    if (fallback !== undefined) {
      this.#settle(fallback, 'error');
      return;
    }
    this.#settled = true;
    this.#reject(error);
  }

  /** The consumer stopped reading before the end. */
  cancel(reason?: unknown): void {
    this.fail(
      new KernelError('ABORTED', 'The stream was cancelled by its consumer before it ended', {
        cause: reason,
      }),
    );
  }

  #fallback(): Usage | undefined {
    const reported = this.#reported;
    if (reported === undefined) return undefined;
    return { ...reported, outputTokens: Math.max(reported.outputTokens, this.#seen) };
  }

  #settle(usage: Usage | undefined, finishReason: string | undefined): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve({
      output: null,
      ...(usage !== undefined && { usage }),
      ...(finishReason !== undefined && { finishReason }),
    });
  }
}
