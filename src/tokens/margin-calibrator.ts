/** Settings of a {@link MarginCalibrator}. */
export interface MarginCalibratorOptions {
  /** Multiplier used until `minSamples` observations exist (raised by any larger one seen). */
  readonly initialMargin: number;
  /** Observations kept (sliding window), so the margin follows drift. */
  readonly window: number;
  /** Target share of estimates that are upper bounds, in (0, 1). */
  readonly coverage: number;
  /** Observations needed before the window's quantile replaces `initialMargin`. */
  readonly minSamples: number;
}

/** Defaults: start at ×1.25, keep 200 observations, aim at 97.5 % coverage after 20. */
export const DEFAULT_MARGIN_CALIBRATION: MarginCalibratorOptions = {
  initialMargin: 1.25,
  window: 200,
  coverage: 0.975,
  minSamples: 20,
};

/** Ratios outside this range are clamped: one absurd usage report must not set the margin. */
export const MIN_RATIO = 0.25;
/** @see MIN_RATIO */
export const MAX_RATIO = 8;

/**
 * Learns the multiplier that turns a base count (o200k tokens) into an upper bound of a model's
 * real count, from observed ratios `actual / base`.
 *
 * Method (split-conformal prediction): with the last n ratios r₁…rₙ sorted, the margin is the
 * k-th smallest, k = ⌈coverage·(n+1)⌉. If ratios are exchangeable, the next ratio is ≤ that
 * order statistic with probability k/(n+1) ≥ coverage, whatever their distribution. Defaults give
 * k = 196 of 200, an expected 97.5 % of estimates above the real count, which leaves room for the
 * ≥ 95 % target under drift. While n < 39 the quantile is the maximum (probability n/(n+1) ≥ 95.2 %
 * from n = 20); before `minSamples`, the margin is the larger of `initialMargin` and that maximum.
 */
export class MarginCalibrator {
  readonly #options: MarginCalibratorOptions;
  readonly #ratios: Float64Array;
  #next = 0;
  #size = 0;
  #max = 0;
  #margin: number;
  #dirty = false;

  constructor(options: MarginCalibratorOptions = DEFAULT_MARGIN_CALIBRATION) {
    this.#options = options;
    this.#ratios = new Float64Array(options.window);
    this.#margin = options.initialMargin;
  }

  /** Observations currently in the window. */
  get samples(): number {
    return this.#size;
  }

  /** Records one observed `actual / base` ratio (clamped to [{@link MIN_RATIO}, {@link MAX_RATIO}]). */
  observe(ratio: number): void {
    const clamped = Math.min(MAX_RATIO, Math.max(MIN_RATIO, ratio));
    this.#ratios[this.#next] = clamped;
    this.#next = (this.#next + 1) % this.#ratios.length;
    this.#size = Math.min(this.#size + 1, this.#ratios.length);
    this.#max = Math.max(this.#max, clamped);
    this.#dirty = true;
  }

  /** The current multiplier for estimates. */
  get margin(): number {
    if (this.#dirty) {
      this.#margin = this.#compute();
      this.#dirty = false;
    }
    return this.#margin;
  }

  #compute(): number {
    const { initialMargin, coverage, minSamples } = this.#options;
    if (this.#size < minSamples) return Math.max(initialMargin, this.#max);
    const sorted = this.#ratios.slice(0, this.#size).sort();
    const k = Math.min(this.#size, Math.ceil(coverage * (this.#size + 1)));
    return sorted[k - 1] ?? initialMargin;
  }
}
