import { expectNumberIn, expectPositiveInt } from '../validate.js';

/** Options of {@link OutputEstimator}. */
export interface OutputEstimatorOptions {
  /** Quantile of observed output tokens to reserve. @default 0.95 */
  readonly percentile?: number;
  /** Extra share on top of the quantile. @default 0.1 */
  readonly margin?: number;
  /** Output tokens reserved before any history exists for a task and model. @default 1024 */
  readonly defaultTokens?: number;
  /** Observations kept per task and model (a ring). @default 256 */
  readonly window?: number;
}

/** How estimates fared: how often the actual output exceeded what was reserved. */
export interface OutputEstimatorStats {
  readonly estimates: number;
  readonly exceeded: number;
  readonly exceededRatio: number;
  readonly keys: number;
}

interface History {
  readonly samples: number[];
  next: number;
  cached: number | undefined;
}

/**
 * Learns how many output tokens to reserve for a call that sets no `maxOutputTokens`: a high
 * quantile of what the same task and model produced recently, plus a margin; a stated default
 * before any history exists.
 */
export class OutputEstimator {
  readonly #percentile: number;
  readonly #margin: number;
  readonly #default: number;
  readonly #window: number;
  readonly #history = new Map<string, History>();
  #estimates = 0;
  #exceeded = 0;

  constructor(options: OutputEstimatorOptions = {}) {
    this.#percentile =
      options.percentile === undefined
        ? 0.95
        : expectNumberIn('percentile', options.percentile, 0.5, 1);
    this.#margin =
      options.margin === undefined ? 0.1 : expectNumberIn('margin', options.margin, 0, 10);
    this.#default =
      options.defaultTokens === undefined
        ? 1_024
        : expectPositiveInt('defaultTokens', options.defaultTokens);
    this.#window = options.window === undefined ? 256 : expectPositiveInt('window', options.window);
  }

  /** Output tokens to reserve for `task` on `model`, and whether history or the default said so. */
  estimate(
    task: string,
    model: string,
  ): { tokens: number; source: 'history' | 'default'; samples: number } {
    const h = this.#history.get(`${task}\u0000${model}`);
    if (h === undefined || h.samples.length === 0)
      return { tokens: this.#default, source: 'default', samples: 0 };
    if (h.cached === undefined) {
      const sorted = [...h.samples].sort((a, b) => a - b);
      const q = sorted[
        Math.min(sorted.length - 1, Math.ceil(this.#percentile * sorted.length) - 1)
      ] as number;
      h.cached = Math.max(1, Math.ceil(q * (1 + this.#margin)));
    }
    return { tokens: h.cached, source: 'history', samples: h.samples.length };
  }

  /** Feeds back what a call produced against what was reserved for it. */
  observe(task: string, model: string, outputTokens: number, reserved: number): void {
    const key = `${task}\u0000${model}`;
    let h = this.#history.get(key);
    if (h === undefined) {
      h = { samples: [], next: 0, cached: undefined };
      this.#history.set(key, h);
    }
    if (h.samples.length < this.#window) h.samples.push(outputTokens);
    else h.samples[h.next] = outputTokens;
    h.next = (h.next + 1) % this.#window;
    h.cached = undefined;
    this.#estimates++;
    if (outputTokens > reserved) this.#exceeded++;
  }

  stats(): OutputEstimatorStats {
    return {
      estimates: this.#estimates,
      exceeded: this.#exceeded,
      exceededRatio: this.#estimates === 0 ? 0 : this.#exceeded / this.#estimates,
      keys: this.#history.size,
    };
  }
}
