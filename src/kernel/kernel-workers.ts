import type { Clock } from '../clock.js';
import { createCompressor, type Compressor } from '../compress/compressor.js';
import { createTokenCounter, type TokenCounter } from '../tokens/token-counter.js';
import type { TokenCounterOptions } from '../tokens/token-counter-options.js';

/** The kernel's worker pools (token counting, compression), each started on first use. */
export class KernelWorkers {
  #tokens: TokenCounter | undefined;
  #compressor: Compressor | undefined;
  readonly #options: TokenCounterOptions;
  readonly #clock: Clock;
  readonly #onError: (error: unknown, source: string) => void;

  constructor(
    options: TokenCounterOptions,
    clock: Clock,
    onError: (error: unknown, source: string) => void,
  ) {
    this.#options = options;
    this.#clock = clock;
    this.#onError = onError;
  }

  get tokens(): TokenCounter {
    return (this.#tokens ??= createTokenCounter({
      clock: this.#clock,
      ...this.#options,
      onError: (e: unknown) => this.#onError(e, 'token counter'),
    }));
  }

  get compressor(): Compressor {
    return (this.#compressor ??= createCompressor({ clock: this.#clock }));
  }

  async close(): Promise<void> {
    await Promise.all([this.#tokens?.close(), this.#compressor?.close()]);
  }
}
