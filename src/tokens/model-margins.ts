import { MarginCalibrator } from './margin-calibrator.js';
import type { MarginCalibratorOptions } from './margin-calibrator.js';

/** Estimates remembered per model, to recover the base each one was computed from. */
const ISSUED_PER_MODEL = 1_024;
/** Models tracked at once; the least recently used one is forgotten beyond this. */
const MAX_MODELS = 1_024;

interface ModelState {
  readonly calibrator: MarginCalibrator;
  /** Estimate issued (tokens) → the base it was computed from. */
  readonly issued: Map<number, number>;
}

/**
 * Per-model margins for estimated counts. An estimate is `⌈base × margin⌉`; when the real usage
 * of a call comes back, {@link ModelMargins.observe} receives the estimate the caller was given
 * and looks up the base it was computed from (remembered for the last 1,024 estimates of the
 * model; otherwise estimate ÷ current margin), so that calibration sees `actual / base` even
 * while the margin moves.
 */
export class ModelMargins {
  readonly #options: MarginCalibratorOptions;
  readonly #models = new Map<string, ModelState>();

  constructor(options: MarginCalibratorOptions) {
    this.#options = options;
  }

  #state(model: string): ModelState {
    let state = this.#models.get(model);
    if (state === undefined) {
      state = { calibrator: new MarginCalibrator(this.#options), issued: new Map() };
      if (this.#models.size >= MAX_MODELS) {
        const oldest = this.#models.keys().next().value;
        if (oldest !== undefined) this.#models.delete(oldest);
      }
    } else {
      this.#models.delete(model);
    }
    this.#models.set(model, state);
    return state;
  }

  /** The current multiplier of `model`. */
  margin(model: string): number {
    return this.#models.get(model)?.calibrator.margin ?? this.#options.initialMargin;
  }

  /** Turns a base count into the estimate for `model`, remembering its base. */
  estimate(model: string, base: number): number {
    const state = this.#state(model);
    const margin = state.calibrator.margin;
    const tokens = Math.ceil(base * margin);
    if (tokens > 0) {
      state.issued.delete(tokens);
      state.issued.set(tokens, base);
      if (state.issued.size > ISSUED_PER_MODEL) {
        const oldest = state.issued.keys().next().value;
        if (oldest !== undefined) state.issued.delete(oldest);
      }
    }
    return tokens;
  }

  /** Feeds one observation: the estimate a call was given and the tokens it really used. */
  observe(model: string, estimated: number, actual: number): void {
    if (estimated <= 0) return;
    const state = this.#state(model);
    const base = state.issued.get(estimated) ?? estimated / state.calibrator.margin;
    if (base > 0) state.calibrator.observe(actual / base);
  }

  /** Observations in `model`'s window. */
  samples(model: string): number {
    return this.#models.get(model)?.calibrator.samples ?? 0;
  }
}
